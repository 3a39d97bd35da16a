"""Leavers on the instruments' pages: a person removed from a school is "oud-collega" to that
school on its boards, board history, sessions, lesson designs and lesson visits (and named where
they still work); their lesson-visit notes stay readable by the other person of the pair only; and
after the erasure of their personal data the board history still reads. The rule itself and the
erasure: schools/tests/test_leavers.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from instruments.models import LessonVisit, LessonVisitNotes, VisitStatus
from instruments.services import board as board_services
from instruments.services import lesson_design as design_services
from instruments.tests.factories import action, member, team_board
from leerkracht.roles import Role
from schools import tasks
from schools.models import PeopleLogAction, PeopleLogEntry, User
from schools.services import team_membership_add
from schools.services.leavers import leavers_erase
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, leave

pytestmark = pytest.mark.django_db

RETENTION = dt.timedelta(days=settings.LEAVER_RETENTION_DAYS)


@pytest.fixture
def here():
    """A school with a team and its board: Anna (who will leave), Bram (who stays) and a school
    leader."""
    school = SchoolFactory()
    team = TeamFactory(school=school)
    anna = member(team, first_name="Anna", last_name="Vertrekker")
    bram = member(team, first_name="Bram", last_name="Blijver")
    leader = SchoolMembershipFactory(school=school, role=Role.SCHOOLLEIDER).user
    board = team_board(team, user=bram)
    return type(
        "Here", (), {"school": school, "team": team, "anna": anna, "bram": bram, "leader": leader, "board": board}
    )


def past_visit(*, school, visitor, visited) -> LessonVisit:
    """A visit held three days ago, with notes (made directly: the service refuses the past)."""
    starts_at = timezone.now() - dt.timedelta(days=3)
    visit = LessonVisit.objects.create(
        school=school,
        visitor=visitor,
        visited=visited,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        status=VisitStatus.HELD,
        scheduled_by=visitor,
    )
    LessonVisitNotes.objects.create(
        school=school, visit=visit, observations="Instructie in drie stappen", learned="Wachttijd na een vraag"
    )
    return visit


def page(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


# --- "oud-collega" to the school they left ------------------------------------------------------


def test_a_leaver_is_oud_collega_on_the_pages_of_the_school_they_left_and_named_where_they_still_work(client, here):
    elsewhere = TeamFactory()
    team_membership_add(user=here.anna, team=elsewhere)
    other_board = team_board(elsewhere, user=here.anna)
    action(other_board, user=here.anna, title="Elders afgesproken", owners=[here.anna])
    action(here.board, user=here.anna, title="Nakijkafspraken maken", owners=[here.anna])
    design = design_services.lesson_design_create(
        team=here.team, user=here.anna, title="Breuken met pizza", subject="Rekenen", group="5", lesson_goal="Breuken"
    )
    visit = past_visit(school=here.school, visitor=here.anna, visited=here.bram)
    PeopleLogEntry.objects.create(
        school=here.school, actor=here.leader, action=PeopleLogAction.REMOVED, subject=here.anna
    )

    leave(here.anna, here.school)

    pages = {
        "board": page(client, here.bram, "instruments:board", here.school.pk, here.board.pk),
        "history": page(client, here.bram, "instruments:history", here.school.pk, here.board.pk),
        "design": page(client, here.bram, "instruments:lesson_design_detail", here.school.pk, design.pk),
        "library": page(client, here.bram, "instruments:lesson_design_library", here.school.pk),
        "visit": page(client, here.bram, "instruments:lesson_visit_detail", here.school.pk, visit.pk),
        "notes": page(client, here.bram, "instruments:lesson_visit_notes", here.school.pk, visit.pk),
        "people_log": page(client, here.leader, "schools:people_log", here.school.pk),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "Vertrekker" not in html, name
        assert here.anna.email not in html, name
        assert "oud-collega" in html, name
    assert "Nakijkafspraken maken" in pages["board"].content.decode()
    assert "Breuken met pizza" in pages["design"].content.decode()

    # Where she still works, her colleagues read her name.
    there = page(client, here.anna, "instruments:board", elsewhere.school_id, other_board.pk).content.decode()
    assert "Anna Vertrekker" in there
    assert "oud-collega" not in there


def test_a_session_led_by_a_leaver_names_them_oud_collega_in_its_record_and_history(client, here):
    session = board_services.session_start(board=here.board, user=here.bram)
    board_services.session_roles_set(
        board=here.board, session_id=session.pk, user=here.bram, roles={"lead": here.anna, "note_taker": here.anna}
    )
    action(here.board, user=here.bram, title="Leesmoment elke ochtend", owners=[here.anna, here.bram])
    leave(here.anna, here.school)
    board_services.session_close(board=here.board, session_id=session.pk, user=here.bram)
    session.refresh_from_db()
    assert session.snapshot["roles"]["lead"] == f"#{here.anna.pk}"  # by reference: no name kept for good

    for name, args in (
        ("instruments:session_list", (here.school.pk, here.board.pk)),
        ("instruments:session_detail", (here.school.pk, here.board.pk, session.pk)),
        ("instruments:history", (here.school.pk, here.board.pk)),
    ):
        response = page(client, here.bram, name, *args)
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "Vertrekker" not in html, name
        assert "oud-collega" in html, name
    history = page(client, here.bram, "instruments:history", here.school.pk, here.board.pk).content.decode()
    assert "Bram Blijver, oud-collega" in history  # the owners, each by the school's rule
    record = page(client, here.bram, "instruments:session_detail", here.school.pk, here.board.pk, session.pk)
    assert "Leesmoment elke ochtend" in record.content.decode()
    assert "Bram Blijver, oud-collega" in record.content.decode()


def test_a_session_record_made_before_people_were_referred_to_still_reads(client, here):
    from instruments.models import BoardSession

    session = board_services.session_start(board=here.board, user=here.bram)
    board_services.session_close(board=here.board, session_id=session.pk, user=here.bram)
    legacy = {**BoardSession.objects.get(pk=session.pk).snapshot}
    legacy.update(present=["Carla Oud"], roles={"lead": "Carla Oud", "note_taker": "", "timekeeper": ""})
    legacy["actions"] = {
        "todo": [{"title": "Oud", "owners": ["Carla Oud"], "due_week": None, "goal": "", "made_here": False}],
        "doing": [],
        "done": [],
    }
    BoardSession.objects.filter(pk=session.pk).update(snapshot=legacy)
    response = page(client, here.bram, "instruments:session_detail", here.school.pk, here.board.pk, session.pk)
    assert response.status_code == 200
    assert response.content.decode().count("Carla Oud") == 3


def test_the_calendar_feed_names_a_colleague_who_left_oud_collega(client, here):
    from instruments.services import lesson_visit as visit_services

    past_visit(school=here.school, visitor=here.anna, visited=here.bram)
    feed = visit_services.calendar_feed_create(user=here.bram)
    leave(here.anna, here.school)
    body = client.get(f"/agenda/{feed.token}.ics").content.decode()
    assert "oud-collega" in body
    assert "Vertrekker" not in body


# --- Lesson-visit notes stay with the other person of the pair ----------------------------------


def test_after_one_of_the_pair_leaves_the_other_still_reads_the_notes_and_nobody_else_does(client, here):
    visit = past_visit(school=here.school, visitor=here.anna, visited=here.bram)
    url = reverse("instruments:lesson_visit_notes", args=[here.school.pk, visit.pk])
    leave(here.anna, here.school, days_ago=RETENTION.days + 1)

    client.force_login(here.bram)
    assert "Instructie in drie stappen" in client.get(url).content.decode()
    client.force_login(here.leader)
    assert client.get(url).status_code == 404  # sees that visits happen, never what was said
    client.force_login(here.anna)
    assert client.get(url).status_code == 404  # no place in the school any more

    assert leavers_erase() == 1
    client.force_login(here.bram)
    after = client.get(url).content.decode()
    assert "Instructie in drie stappen" in after
    assert "Wachttijd na een vraag" in after
    assert "oud-collega" in after
    client.force_login(here.leader)
    assert client.get(url).status_code == 404
    client.logout()
    client.force_login(User.objects.get(pk=here.anna.pk))
    assert client.get(url).status_code == 302  # an erased account is inactive: it is not logged in


def test_the_board_history_reads_correctly_after_the_erasure(client, here):
    """What Anna wrote stays, with its content, shown as by "oud-collega"."""
    made = action(here.board, user=here.anna, title="Leesfeest in week 12", owners=[here.anna])
    leave(here.anna, here.school, days_ago=RETENTION.days + 1)
    assert tasks.leavers_erase() == 1  # the beat's task

    history = page(client, here.bram, "instruments:history", here.school.pk, here.board.pk)
    html = history.content.decode()
    assert history.status_code == 200
    assert "Leesfeest in week 12" in html
    assert "oud-collega" in html
    assert "Anna" not in html and "Vertrekker" not in html
    board = page(client, here.bram, "instruments:board", here.school.pk, here.board.pk).content.decode()
    assert "Leesfeest in week 12" in board and "Vertrekker" not in board
    made.refresh_from_db()
    assert made.title == "Leesfeest in week 12"


# --- Written out through the people page ----------------------------------------------------------


def test_writing_someone_out_names_them_oud_collega_and_cancels_their_visits_to_come(client, here):
    """The whole way in: the leader writes Anna out on her page; her board action is "oud-collega"
    to the school, the visits still to come with her are cancelled (no reminder reaches her), the
    visit that took place keeps its notes for Bram, and another school's visit is untouched."""
    action(here.board, user=here.anna, title="Nakijkafspraken maken", owners=[here.anna])
    held = past_visit(school=here.school, visitor=here.anna, visited=here.bram)
    starts_at = timezone.now() + dt.timedelta(days=5)
    coming = LessonVisit.objects.create(
        school=here.school,
        visitor=here.bram,
        visited=here.anna,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        scheduled_by=here.bram,
    )
    elsewhere = TeamFactory()
    team_membership_add(user=here.anna, team=elsewhere)
    other = member(elsewhere, first_name="Cor", last_name="Collega")
    there = LessonVisit.objects.create(
        school=elsewhere.school,
        visitor=other,
        visited=here.anna,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        scheduled_by=other,
    )

    leaders_browser = Client()
    leaders_browser.force_login(here.leader)
    url = reverse("schools:person_remove", kwargs={"school_id": here.school.pk, "user_id": here.anna.pk})
    assert leaders_browser.post(url).status_code == 302

    board = page(client, here.bram, "instruments:board", here.school.pk, here.board.pk).content.decode()
    assert "Nakijkafspraken maken" in board and "oud-collega" in board and "Vertrekker" not in board
    coming.refresh_from_db()
    assert coming.status == VisitStatus.CANCELLED and coming.updated_by == here.leader and coming.version == 2
    held.refresh_from_db()
    assert held.status == VisitStatus.HELD
    notes = page(client, here.bram, "instruments:lesson_visit_notes", here.school.pk, held.pk).content.decode()
    assert "Instructie in drie stappen" in notes
    there.refresh_from_db()
    assert there.status == VisitStatus.PLANNED
