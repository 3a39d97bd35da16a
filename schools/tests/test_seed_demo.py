"""`manage.py seed_demo`: deterministic, idempotent, realistic and consistent demo data."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, F
from django.test import RequestFactory

from leerkracht.roles import Role
from schools.demo import (
    DEFAULT_SEED,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    plan_landscape,
    plan_staff,
    school_code,
)
from schools.models import (
    Phase,
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

SEEDED_MODELS = [
    User,
    SchoolGroup,
    School,
    Team,
    SchoolMembership,
    TeamMembership,
    RegionMembership,
    SchoolGroupMembership,
]


def _seed(schools: int) -> str:
    out = StringIO()
    call_command("seed_demo", schools=schools, stdout=out)
    return out.getvalue()


def _snapshot() -> dict:
    return {
        "counts": {model.__name__: model._base_manager.count() for model in SEEDED_MODELS},
        "users": set(User.objects.values_list("email", "first_name", "last_name", "password")),
        "besturen": set(SchoolGroup.objects.values_list("code", "name", "city")),
        "schools": set(
            School.unscoped.values_list(
                "code",
                "name",
                "sector",
                "phase",
                "start_date",
                "region__slug",
                "school_group__code",
                "expertcoach__email",
            )
        ),
        "teams": set(Team.unscoped.values_list("school__code", "name")),
        "school memberships": set(SchoolMembership.unscoped.values_list("user__email", "school__code", "role")),
        "team memberships": set(
            TeamMembership.unscoped.values_list("user__email", "team__school__code", "team__name", "school__code")
        ),
        "region memberships": set(RegionMembership.objects.values_list("user__email", "region__slug", "role")),
        "bestuur memberships": set(
            SchoolGroupMembership.objects.values_list("user__email", "school_group__code", "role")
        ),
    }


def _delete_seeded_rows() -> None:
    School.unscoped.all().delete()
    SchoolGroup.objects.all().delete()
    User.objects.all().delete()


@pytest.mark.django_db
def test_running_twice_leaves_exactly_the_same_rows():
    _seed(5)
    first = _snapshot()
    output = _seed(5)
    assert _snapshot() == first
    assert first["counts"]["School"] == 5
    assert all(count > 0 for count in first["counts"].values())
    assert "users +0" in output


@pytest.mark.django_db
def test_a_small_run_is_the_start_of_a_larger_one():
    _seed(3)
    small = _snapshot()
    _delete_seeded_rows()
    _seed(5)
    large = _snapshot()

    assert len(small["schools"]) == 3
    assert small["schools"] < large["schools"]
    assert [code for code, *_ in sorted(small["schools"])] == sorted(school_code(index=index) for index in range(3))
    first_three = {school_code(index=index) for index in range(3)}
    for key, code_at in [("teams", 0), ("school memberships", 1), ("team memberships", 1)]:
        in_first_three = {row for row in large[key] if row[code_at] in first_three}
        assert in_first_three == small[key], key
    # The password hash is salted afresh on every run; names and addresses are the data.
    assert {row[:3] for row in small["users"]} < {row[:3] for row in large["users"]}
    assert small["besturen"] <= large["besturen"]


@pytest.mark.django_db
def test_every_demo_account_exists_with_its_role_and_the_demo_password():
    _seed(5)
    school_0 = School.unscoped.get(code=school_code(index=0))
    school_1 = School.unscoped.get(code=school_code(index=1))
    request = RequestFactory().post("/login/")
    for _label, email in DEMO_ACCOUNTS:
        user = authenticate(request, username=email, password=DEMO_PASSWORD)
        assert user is not None and user.email == email, email

    admin = User.objects.get(email="admin@demo.leerkracht.test")
    assert admin.is_superuser and admin.is_admin
    assert User.objects.filter(is_superuser=True).count() == 1

    coach = User.objects.get(email="expertcoach@demo.leerkracht.test")
    assert school_0.phase == Phase.YEAR_1 and school_0.expertcoach == coach
    assert list(coach.region_memberships.values_list("region", "role")) == [(school_0.region_id, Role.EXPERTCOACH)]

    group = school_0.school_group
    assert group.schools.count() >= 3
    for role in [Role.BESTUURDER, Role.VERANDERCOACH]:
        assert SchoolGroupMembership.objects.filter(
            user__email=f"{role}@demo.leerkracht.test", school_group=group, role=role
        ).exists()

    def school_roles(email: str) -> set[tuple[int, str]]:
        return set(SchoolMembership.unscoped.filter(user__email=email).values_list("school", "role"))

    def teams(email: str) -> list[tuple[int, int]]:
        return list(TeamMembership.unscoped.filter(user__email=email).values_list("school", "team__school"))

    assert school_roles("schoolleider@demo.leerkracht.test") == {(school_0.id, Role.SCHOOLLEIDER)}
    assert teams("schoolleider@demo.leerkracht.test") == []
    assert school_roles("schoolcoach@demo.leerkracht.test") == {
        (school_0.id, Role.LERAAR),
        (school_0.id, Role.SCHOOLCOACH),
    }
    assert teams("schoolcoach@demo.leerkracht.test") == [(school_0.id, school_0.id)]
    assert school_roles("leraar@demo.leerkracht.test") == {(school_0.id, Role.LERAAR)}
    assert teams("leraar@demo.leerkracht.test") == [(school_0.id, school_0.id)]
    assert school_roles("leraar2@demo.leerkracht.test") == {
        (school_0.id, Role.LERAAR),
        (school_1.id, Role.LERAAR),
    }
    assert sorted(teams("leraar2@demo.leerkracht.test")) == sorted(
        [(school_0.id, school_0.id), (school_1.id, school_1.id)]
    )


@pytest.mark.django_db
def test_sixty_schools_cover_the_programme_and_hold_together():
    _seed(60)
    schools = list(School.unscoped.select_related("region", "school_group", "expertcoach"))
    assert len(schools) == 60
    assert {school.region.slug for school in schools} == set(Region.objects.values_list("slug", flat=True))
    assert Region.objects.count() == 5
    assert {school.sector for school in schools} == set(Sector.values)
    assert {school.phase for school in schools} == set(Phase.values)

    started = {Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR}
    coach_regions = dict(RegionMembership.objects.values_list("user_id", "region_id"))
    for school in schools:
        assert (school.start_date is not None) == (school.phase in started), school.code
        if school.phase in Phase.guided():
            assert coach_regions[school.expertcoach_id] == school.region_id, school.code
        else:
            assert school.expertcoach_id is None, school.code
    assert max(Counter(school.expertcoach_id for school in schools).values()) <= 40

    by_group: dict[int, set[int]] = {}
    for school in schools:
        by_group.setdefault(school.school_group_id, set()).add(school.region_id)
    assert all(len(regions) == 1 for regions in by_group.values())
    bestuurders = Counter(
        SchoolGroupMembership.objects.filter(role=Role.BESTUURDER).values_list("school_group", flat=True)
    )
    assert set(bestuurders) == set(by_group) and set(bestuurders.values()) == {1}

    sizes = Team.unscoped.annotate(size=Count("memberships")).values_list("size", flat=True)
    assert sizes and all(6 <= size <= 10 for size in sizes)
    assert not TeamMembership.unscoped.exclude(school=F("team__school")).exists()

    teachers = SchoolMembership.unscoped.filter(role=Role.LERAAR)
    per_school = Counter(teachers.values_list("school_id", flat=True))
    assert all(per_school[school.id] == school.teacher_count for school in schools)
    placements = Counter(TeamMembership.unscoped.values_list("user_id", "school_id"))
    assert set(placements) == set(teachers.values_list("user_id", "school_id"))
    assert set(placements.values()) == {1}
    for school in schools:
        coaches = SchoolMembership.unscoped.filter(school=school, role=Role.SCHOOLCOACH)
        leaders = SchoolMembership.unscoped.filter(school=school, role=Role.SCHOOLLEIDER)
        assert 2 <= coaches.count() <= 4
        assert not coaches.exclude(user__in=teachers.filter(school=school).values("user")).exists()
        assert 1 <= leaders.count() <= 2
        assert not leaders.filter(user__team_memberships__isnull=False).exists()


def test_the_plan_of_a_national_run_starts_with_the_plan_of_a_small_one():
    today = date(2026, 11, 1)
    national = plan_landscape(schools=4250, seed=DEFAULT_SEED, today=today)
    small = plan_landscape(schools=200, seed=DEFAULT_SEED, today=today)
    assert national.schools[:200] == small.schools
    assert national.groups[: len(small.groups)] == small.groups
    assert set(small.coaches) <= set(national.coaches)
    assert plan_staff(school=small.schools[7], seed=DEFAULT_SEED) == plan_staff(
        school=national.schools[7], seed=DEFAULT_SEED
    )

    assert len({school.code for school in national.schools}) == 4250
    assert len({group.code for group in national.groups}) == len(national.groups)
    assert max(Counter(school.coach for school in national.schools if school.coach).values()) <= 40
    assert max(group.size for group in national.groups) <= 30
    shares = Counter(school.sector for school in national.schools)
    assert 0.6 < shares[Sector.PO] / 4250 < 0.8 and 0.15 < shares[Sector.VO] / 4250 < 0.25
    assert 130_000 <= sum(school.teacher_count for school in national.schools) <= 145_000
