"""Leavers, the schools' side: the one naming rule ("oud-collega" to the school a person left,
their name elsewhere), the people log, and the erasure of a leaver's personal data by the beat once
they have no place anywhere and the retention has passed. The pages of the instruments (boards,
their history, designs, visits and their notes) are tested in instruments/tests/test_leavers.py:
this app may not import them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from schools import tasks
from schools.models import (
    InvitationStatus,
    PeopleImport,
    PeopleLogAction,
    PeopleLogEntry,
    StaffInvitation,
    User,
)
from schools.selectors import display_email, display_name, former_staff_ids
from schools.services import team_membership_add
from schools.services.leavers import erased_email, leavers_due, leavers_erase
from schools.tests.factories import (
    RegionMembershipFactory,
    SchoolFactory,
    SchoolMembershipFactory,
    TeamFactory,
    UserFactory,
    leave,
)

pytestmark = pytest.mark.django_db

RETENTION = dt.timedelta(days=settings.LEAVER_RETENTION_DAYS)


def member(team, **fields) -> User:
    return team_membership_add(user=UserFactory(**fields), team=team).user


@pytest.fixture
def here():
    """A school with a team: Anna (who will leave), Bram (who stays) and a school leader."""
    school = SchoolFactory()
    team = TeamFactory(school=school)
    anna = member(team, first_name="Anna", last_name="Vertrekker")
    bram = member(team, first_name="Bram", last_name="Blijver")
    leader = SchoolMembershipFactory(school=school, role=Role.SCHOOLLEIDER).user
    return type("Here", (), {"school": school, "team": team, "anna": anna, "bram": bram, "leader": leader})


# --- "oud-collega" to the school they left ------------------------------------------------------


def test_the_naming_rule_names_a_leaver_oud_collega_to_the_school_they_left_only(here):
    elsewhere = TeamFactory()
    team_membership_add(user=here.anna, team=elsewhere)
    leave(here.anna, here.school)
    former = former_staff_ids(school_id=here.school.pk)
    assert former == {here.anna.pk}
    assert display_name(here.anna, former) == "oud-collega"
    assert display_email(here.anna, former) == ""
    assert display_name(here.bram, former) == "Bram Blijver"
    assert display_email(here.bram, former) == here.bram.email
    there = former_staff_ids(school_id=elsewhere.school_id)
    assert display_name(here.anna, there) == "Anna Vertrekker"
    assert display_email(here.anna, there) == here.anna.email


def test_the_people_log_names_a_leaver_oud_collega(client, here):
    PeopleLogEntry.objects.create(
        school=here.school, actor=here.anna, action=PeopleLogAction.INVITED, subject=here.bram
    )
    PeopleLogEntry.objects.create(
        school=here.school, actor=here.leader, action=PeopleLogAction.REMOVED, subject=here.anna
    )
    leave(here.anna, here.school)
    client.force_login(here.leader)
    html = client.get(reverse("schools:people_log", args=[here.school.pk])).content.decode()
    assert "Vertrekker" not in html and here.anna.email not in html
    assert html.count("oud-collega") >= 2  # as actor and as subject
    assert "Bram Blijver" in html


# --- Erasure by the beat --------------------------------------------------------------------------


def test_a_leaver_is_not_erased_before_the_retention_and_is_after_it(here):
    leave(here.anna, here.school, days_ago=RETENTION.days - 1)
    assert leavers_erase() == 0
    here.anna.refresh_from_db()
    assert here.anna.erased_at is None and here.anna.first_name == "Anna"

    later = timezone.now() + dt.timedelta(days=2)
    assert leavers_erase(now=later) == 1
    here.anna.refresh_from_db()
    assert (here.anna.first_name, here.anna.last_name) == ("", "")
    assert here.anna.email == erased_email(here.anna.pk)
    assert not here.anna.has_usable_password()
    assert here.anna.is_active is False
    assert here.anna.erased_at == later
    assert here.anna.full_name == "oud-collega"
    here.bram.refresh_from_db()
    assert here.bram.erased_at is None  # colleagues are untouched


def test_erasure_is_idempotent():
    school = SchoolFactory()
    people = [member(TeamFactory(school=school)) for _ in range(3)]
    for person in people:
        leave(person, school, days_ago=RETENTION.days + 5)
    assert leavers_erase() == 3
    erased = list(User.objects.filter(pk__in=[p.pk for p in people]).values_list("email", "erased_at"))
    assert leavers_erase() == 0
    assert list(User.objects.filter(pk__in=[p.pk for p in people]).values_list("email", "erased_at")) == erased


def test_erasure_works_in_batches(monkeypatch):
    from schools.services import leavers

    monkeypatch.setattr(leavers, "BATCH", 2)
    school = SchoolFactory()
    people = [member(TeamFactory(school=school)) for _ in range(5)]
    for person in people:
        leave(person, school, days_ago=RETENTION.days + 5)
    assert leavers_erase() == 5
    assert not leavers_due(now=timezone.now()).exists()


def test_erasing_many_costs_the_same_queries_as_erasing_few():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 6):
        school = SchoolFactory()
        for person in [member(TeamFactory(school=school)) for _ in range(size)]:
            leave(person, school, days_ago=RETENTION.days + 5)
        with CaptureQueriesContext(connection) as queries:
            assert leavers_erase() == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_leaver_with_a_place_anywhere_else_is_not_erased(here):
    elsewhere = TeamFactory()
    leave(here.anna, here.school, days_ago=RETENTION.days + 30)
    team_membership_add(user=here.anna, team=elsewhere)
    assert leavers_erase() == 0

    # Left the second school recently: the retention runs from the latest departure.
    leave(here.anna, elsewhere.school, days_ago=3)
    assert leavers_erase() == 0
    assert leavers_erase(now=timezone.now() + RETENTION) == 1


@pytest.mark.parametrize("place", ["region", "expertcoach", "invitation", "admin", "school_role"])
def test_no_place_anywhere_means_no_place_of_any_kind(here, place):
    leave(here.anna, here.school, days_ago=RETENTION.days + 30)
    if place == "region":
        RegionMembershipFactory(user=here.anna)
    elif place == "expertcoach":
        SchoolFactory(expertcoach=here.anna)
    elif place == "invitation":
        StaffInvitation.objects.create(school=SchoolFactory(), user=here.anna, email=here.anna.email)
    elif place == "admin":
        User.objects.filter(pk=here.anna.pk).update(is_superuser=True)
    else:
        SchoolMembershipFactory(user=here.anna, role=Role.SCHOOLCOACH)
    assert leavers_erase() == 0


def test_erasure_also_clears_their_invitations_people_files_and_unsent_e_mails(here):
    address = here.anna.email
    invitation = StaffInvitation.objects.create(
        school=here.school, user=here.anna, email=address, status=InvitationStatus.ACCEPTED
    )
    other = StaffInvitation.objects.create(
        school=here.school, user=here.bram, email=here.bram.email, status=InvitationStatus.ACCEPTED
    )
    people_file = PeopleImport.objects.create(
        school=here.school,
        file_name="team.csv",
        rows=[
            {"line": 2, "email": address.upper(), "first_name": "Anna", "last_name": "Vertrekker"},
            {"line": 3, "email": here.bram.email, "first_name": "Bram", "last_name": "Blijver"},
        ],
    )
    OutboxMessage.objects.create(kind="test", to=address, subject="Hallo Anna", body="…", message_id="<a@test>")
    OutboxMessage.objects.create(kind="test", to=here.bram.email, subject="Hallo Bram", body="…", message_id="<b@t>")
    leave(here.anna, here.school, days_ago=RETENTION.days + 1)

    assert leavers_erase() == 1
    invitation.refresh_from_db()
    other.refresh_from_db()
    people_file.refresh_from_db()
    assert invitation.email == erased_email(here.anna.pk)
    assert other.email == here.bram.email
    assert people_file.rows[0] == {"line": 2, "email": erased_email(here.anna.pk), "first_name": "", "last_name": ""}
    assert people_file.rows[1]["first_name"] == "Bram"
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [here.bram.email]


def test_the_invitation_list_shows_neither_name_nor_address_of_a_leaver(client, here):
    StaffInvitation.objects.create(
        school=here.school, user=here.anna, email=here.anna.email, status=InvitationStatus.ACCEPTED
    )
    StaffInvitation.objects.create(
        school=here.school, user=here.bram, email=here.bram.email, status=InvitationStatus.ACCEPTED
    )
    leave(here.anna, here.school)
    client.force_login(here.leader)
    html = client.get(reverse("schools:staff_invitation_list", args=[here.school.pk])).content.decode()
    assert "Vertrekker" not in html and here.anna.email not in html
    assert "oud-collega" in html
    assert "Bram Blijver" in html and here.bram.email in html


def test_the_people_log_reads_correctly_after_the_erasure(client, here):
    PeopleLogEntry.objects.create(
        school=here.school, actor=here.leader, action=PeopleLogAction.REMOVED, subject=here.anna
    )
    leave(here.anna, here.school, days_ago=RETENTION.days + 1)
    assert tasks.leavers_erase() == 1  # the beat's task
    client.force_login(here.leader)
    html = client.get(reverse("schools:people_log", args=[here.school.pk])).content.decode()
    assert "oud-collega" in html and "Vertrekker" not in html
    assert "uit de school uitgeschreven" in html


def test_the_erasure_runs_outside_any_tenant_scope_as_the_beat_runs_it(here):
    """The beat's task opens no scope (it is platform-wide): the service must not need one."""
    from leerkracht import tenancy

    PeopleImport.objects.create(school=here.school, file_name="team.csv", rows=[{"email": here.anna.email}])
    StaffInvitation.objects.create(school=here.school, user=here.anna, email=here.anna.email, status="accepted")
    leave(here.anna, here.school, days_ago=RETENTION.days + 1)
    token = tenancy._current.set(None)
    try:
        assert tasks.leavers_erase() == 1
    finally:
        tenancy._current.reset(token)


def test_the_beat_runs_the_erasure_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["leavers-erase"]
    assert entry["task"] == "schools.tasks.leavers_erase"
    assert tasks.leavers_erase.name == "schools.tasks.leavers_erase"
