"""Factories for schools/. They build through the same constraints as the services."""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from leerkracht.roles import Role
from schools.models import (
    FormerStaff,
    Phase,
    Province,
    Region,
    RegionMembership,
    School,
    SchoolGroup,
    SchoolGroupMembership,
    SchoolMembership,
    Sector,
    Team,
    TeamMembership,
    User,
)

PASSWORD = "geheim-wachtwoord-42"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"persoon{n}@school.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save(update_fields=["password"])


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Regio {n}")
    slug = factory.Sequence(lambda n: f"regio-{n}")


class SchoolGroupFactory(DjangoModelFactory):
    class Meta:
        model = SchoolGroup

    name = factory.Sequence(lambda n: f"Stichting Onderwijs {n}")
    code = factory.Sequence(lambda n: f"{40000 + n:05d}")
    city = "Utrecht"


def _school_code(n: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return f"{n % 100:02d}{letters[(n // 100) % 26]}{letters[(n // 2600) % 26]}"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Basisschool De Regenboog {n}")
    code = factory.Sequence(lambda n: _school_code(n + 1))
    sector = Sector.PO
    province = Province.UTRECHT
    city = "Utrecht"
    region = factory.SubFactory(RegionFactory)
    school_group = factory.SubFactory(SchoolGroupFactory)
    pupil_count = 240
    teacher_count = 18
    phase = Phase.YEAR_1
    start_date = factory.Faker("date_between", start_date="-1y", end_date="today")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class SchoolMembershipFactory(DjangoModelFactory):
    class Meta:
        model = SchoolMembership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.LERAAR


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    school = factory.SelfAttribute("team.school")


class RegionMembershipFactory(DjangoModelFactory):
    class Meta:
        model = RegionMembership

    user = factory.SubFactory(UserFactory)
    region = factory.SubFactory(RegionFactory)
    role = Role.EXPERTCOACH


class SchoolGroupMembershipFactory(DjangoModelFactory):
    class Meta:
        model = SchoolGroupMembership

    user = factory.SubFactory(UserFactory)
    school_group = factory.SubFactory(SchoolGroupFactory)
    role = Role.VERANDERCOACH


def leave(user: User, school: School, *, days_ago: int = 0) -> FormerStaff:
    """A person who left `school` `days_ago` days ago, as removing them leaves it: no role or team
    there any more, and a FormerStaff row."""
    SchoolMembership.unscoped.filter(user=user, school=school).delete()
    TeamMembership.unscoped.filter(user=user, school=school).delete()
    return FormerStaff.unscoped.create(school=school, user=user, left_at=timezone.now() - dt.timedelta(days=days_ago))
