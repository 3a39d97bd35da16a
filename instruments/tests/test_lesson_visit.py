"""Lesson visits: planning and its refusals (double bookings, roles, bad input), rescheduling,
cancelling, notes and debrief (visitor and visited only), the calendar and the rhythm. The builders
at the top are shared by the other test_lesson_visit_*.py files."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instruments.models import LessonVisit, LessonVisitNotes, PupilGroup, VisitStatus
from instruments.services import lesson_visit as services
from instruments.tests.factories import member
from leerkracht.roles import Role
from schools.access import compute_access

HTMX = {"HTTP_HX_REQUEST": "true"}


def at(days: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware instant `days` from today at hour:minute, Amsterdam time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def schedule(*, by, visitor, visited, starts_at, minutes: int = 50, **extra) -> LessonVisit:
    """A visit planned through the service, as `by` (who must be allowed to)."""
    return services.lesson_visit_schedule(
        access=compute_access(by),
        school_id=extra.pop("school_id", None) or _school_of(visitor, visited),
        user=by,
        visitor_id=visitor.pk,
        visited_id=visited.pk,
        starts_at=starts_at,
        minutes=minutes,
        **extra,
    )


def _school_of(*people) -> int:
    from schools.models import SchoolMembership

    return SchoolMembership.unscoped.filter(user__in=people).values_list("school_id", flat=True).first()


def past_visit(*, school, visitor, visited, days_ago: int = 3, status=VisitStatus.PLANNED, **fields) -> LessonVisit:
    """A visit that already took place (made directly: the service refuses the past)."""
    starts_at = at(-days_ago)
    return LessonVisit.objects.create(
        school=school,
        visitor=visitor,
        visited=visited,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        status=status,
        scheduled_by=visitor,
        **fields,
    )


def with_notes(visit: LessonVisit, **texts) -> LessonVisitNotes:
    return LessonVisitNotes.objects.create(school_id=visit.school_id, visit=visit, **texts)


def schedule_data(*, visitor, visited, starts_at: dt.datetime, minutes: int = 50, **extra) -> dict:
    """The schedule form as a browser posts it."""
    local = timezone.localtime(starts_at)
    return {
        "visitor": visitor.pk,
        "visited": visited.pk,
        "starts_on": local.date().isoformat(),
        "starts_time": local.strftime("%H:%M"),
        "minutes": minutes,
        "group": "",
        "room": "",
        "focus": "",
        "lesson_design": "",
        **extra,
    }


# --- Tests -------------------------------------------------------------------------------------


pytestmark = pytest.mark.django_db


@pytest.fixture
def home(world):
    return world.home


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def leader(world):
    return world.users[Role.SCHOOLLEIDER]


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


@pytest.fixture
def fatma(world):
    return member(world.home_team, first_name="Fatma", last_name="Yilmaz")


@pytest.fixture
def piet(world):
    return member(world.other_home_team, first_name="Piet", last_name="Bakker")


def plan_url(school) -> str:
    return f"/school/{school.pk}/lesbezoeken/plannen/"


def visit_url(visit, path: str = "") -> str:
    return f"/school/{visit.school_id}/lesbezoeken/{visit.pk}/{path}"


def errors_of(response) -> str:
    return response.content.decode()


# --- Planning ----------------------------------------------------------------------------------


def test_schoolcoach_plans_a_visit_between_two_teachers_stored_in_utc(client, home, coach, jan, fatma):
    client.force_login(coach)
    starts_at = at(7, 10, 0)
    data = schedule_data(visitor=jan, visited=fatma, starts_at=starts_at, group="Groep 7b", room="12", focus="Zien")
    response = client.post(plan_url(home), data)
    visit = LessonVisit.objects.get(visitor=jan, visited=fatma)
    assert response.status_code == 302 and response["Location"] == visit_url(visit)
    assert visit.starts_at == starts_at and visit.starts_at.utcoffset() == dt.timedelta(0)
    assert visit.ends_at - visit.starts_at == dt.timedelta(minutes=50)
    assert (visit.group.name, visit.room, visit.focus, visit.scheduled_by) == ("Groep 7b", "12", "Zien", coach)


def test_a_planned_visit_reuses_the_schools_group_whatever_the_case(client, home, coach, jan, fatma, world):
    client.force_login(coach)
    client.post(plan_url(home), schedule_data(visitor=jan, visited=fatma, starts_at=at(7), group="groep 7"))
    visit = LessonVisit.objects.get(visitor=jan)
    assert visit.group == world.instruments[home.pk].group  # "Groep 7" made by the world
    assert PupilGroup.objects.filter(school=home, name__iexact="groep 7").count() == 1


def test_the_form_offers_the_schools_staff_groups_and_designs(client, home, coach, jan, world):
    client.force_login(coach)
    html = client.get(plan_url(home)).content.decode()
    assert f'<option value="{jan.pk}">Jan de Vries</option>' in html
    assert '<datalist id="visit-groups"><option value="Groep 7">' in html
    assert world.instruments[home.pk].design.title in html
    foreign_teacher = world.instruments[world.foreign.pk].visit.visited
    assert f'value="{foreign_teacher.pk}"' not in html


def other_team_design(*, by, title: str):
    """A design of the team `by` works in, made through the library's service."""
    from instruments.services.lesson_design import lesson_design_create

    team = by.team_memberships.get().team
    return lesson_design_create(
        team=team, user=by, title=title, subject="Taal", group="Groep 5", lesson_goal="Leerlingen vatten samen"
    )


def design_option(design) -> str:
    return f'<option value="{design.pk}">{design.title}</option>'


def test_teacher_is_not_offered_and_cannot_link_another_teams_unshared_design(client, home, teacher, jan, piet):
    """The teacher (team A) sees no option for team B's unshared design, and posting its id anyway
    is refused on the field with 422; no visit is made."""
    hidden = other_team_design(by=piet, title="Samenvatten van team B")
    client.force_login(teacher)
    assert design_option(hidden) not in client.get(plan_url(home)).content.decode()
    data = schedule_data(visitor=teacher, visited=jan, starts_at=at(7), lesson_design=hidden.pk)
    response = client.post(plan_url(home), data, **HTMX)
    html = errors_of(response)
    assert response.status_code == 422
    assert 'id="id_lesson_design_error"' in html and "Kies een lesontwerp van deze school." in html
    assert "Samenvatten van team B" not in html, "the refusal does not reveal the title either"
    assert not LessonVisit.objects.filter(visitor=teacher, visited=jan).exists()


def test_the_service_itself_refuses_a_design_the_teacher_may_not_read(home, teacher, jan, piet):
    """Not only the form: a caller of the service cannot link another team's unshared design."""
    from django.core.exceptions import ValidationError

    from schools.access import compute_access

    hidden = other_team_design(by=piet, title="Samenvatten van team B")
    with pytest.raises(ValidationError) as refused:
        services.lesson_visit_schedule(
            access=compute_access(teacher),
            school_id=home.pk,
            user=teacher,
            visitor_id=teacher.pk,
            visited_id=jan.pk,
            starts_at=at(7),
            minutes=50,
            lesson_design_id=hidden.pk,
        )
    assert refused.value.message_dict == {"lesson_design": ["Kies een lesontwerp van deze school."]}
    assert not LessonVisit.objects.filter(visitor=teacher, visited=jan).exists()


def test_teacher_is_offered_and_links_another_teams_design_shared_with_their_team(
    client, world, home, teacher, jan, piet
):
    from instruments.services.lesson_design import lesson_design_share

    shared = other_team_design(by=piet, title="Samenvatten, gedeeld")
    lesson_design_share(design=shared, user=piet, team=world.home_team)
    client.force_login(teacher)
    assert design_option(shared) in client.get(plan_url(home)).content.decode()
    data = schedule_data(visitor=teacher, visited=jan, starts_at=at(7), lesson_design=shared.pk)
    assert client.post(plan_url(home), data).status_code == 302
    assert LessonVisit.objects.get(visitor=teacher, visited=jan).lesson_design == shared


def test_schoolcoach_is_offered_and_links_every_teams_design_shared_or_not(client, home, coach, jan, fatma, piet):
    hidden = other_team_design(by=piet, title="Samenvatten van team B")
    client.force_login(coach)
    assert design_option(hidden) in client.get(plan_url(home)).content.decode()
    data = schedule_data(visitor=jan, visited=fatma, starts_at=at(7), lesson_design=hidden.pk)
    assert client.post(plan_url(home), data).status_code == 302
    assert LessonVisit.objects.get(visitor=jan, visited=fatma).lesson_design == hidden


def test_teacher_plans_a_visit_to_a_colleague_as_visitor(client, home, teacher, jan):
    client.force_login(teacher)
    response = client.post(plan_url(home), schedule_data(visitor=teacher, visited=jan, starts_at=at(7)))
    assert response.status_code == 302
    assert LessonVisit.objects.filter(visitor=teacher, visited=jan, scheduled_by=teacher).exists()


def test_teacher_may_not_plan_a_visit_between_two_other_people(client, home, teacher, jan, fatma):
    client.force_login(teacher)
    response = client.post(plan_url(home), schedule_data(visitor=jan, visited=fatma, starts_at=at(7)), **HTMX)
    assert response.status_code == 422
    assert "Je plant alleen lesbezoeken waarbij je zelf bezoeker of bezochte leraar bent." in errors_of(response)
    assert not LessonVisit.objects.filter(visitor=jan).exists()


def test_leader_without_schedule_any_may_not_plan_for_others_either(client, home, leader, jan, fatma):
    client.force_login(leader)
    response = client.post(plan_url(home), schedule_data(visitor=jan, visited=fatma, starts_at=at(7)))
    assert response.status_code == 422
    assert not LessonVisit.objects.filter(visitor=jan).exists()


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_readers_of_the_school_may_not_plan_at_all(client, world, home, role):
    client.force_login(world.users[role])
    assert client.get(plan_url(home)).status_code == 403


def test_double_booking_of_the_visited_teacher_is_refused_naming_the_clash(client, home, coach, jan, fatma, piet):
    schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10, 0))
    client.force_login(coach)
    data = schedule_data(visitor=piet, visited=jan, starts_at=at(7, 10, 30), room="B12", focus="Mijn kijkvraag")
    response = client.post(plan_url(home), data, **HTMX)
    html = errors_of(response)
    day = f"{at(7):%d}".lstrip("0")
    assert response.status_code == 422
    assert re.search(
        rf"Jan de Vries heeft op \w+dag {day} \w+ om 10:00–10:50 al een lesbezoek \(Fatma Yilmaz komt kijken\)\.", html
    )
    assert 'value="B12"' in html and "Mijn kijkvraag" in html, "what was typed stays in the form"
    assert LessonVisit.objects.filter(visited=jan).count() == 1


def test_double_booking_of_the_visitor_is_refused(client, home, coach, jan, fatma, piet):
    schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7, 10, 0))
    client.force_login(coach)
    response = client.post(plan_url(home), schedule_data(visitor=jan, visited=piet, starts_at=at(7, 10, 45)))
    assert response.status_code == 422
    assert "Jan de Vries heeft op" in errors_of(response) and "(bij Fatma Yilmaz)" in errors_of(response)


@pytest.mark.parametrize("crossing", ["visitor_was_visited", "visited_was_visitor"])
def test_double_booking_counts_both_roles_crossed(client, home, coach, jan, fatma, piet, crossing):
    schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10, 0))
    if crossing == "visitor_was_visited":  # Jan is visited at 10:00 and would visit Piet at 10:20
        data = schedule_data(visitor=jan, visited=piet, starts_at=at(7, 10, 20))
        who = "Jan de Vries"
    else:  # Fatma visits at 10:00 and would be visited by Piet at 09:30–10:20
        data = schedule_data(visitor=piet, visited=fatma, starts_at=at(7, 9, 30))
        who = "Fatma Yilmaz"
    client.force_login(coach)
    response = client.post(plan_url(home), data)
    assert response.status_code == 422
    assert f"{who} heeft op" in errors_of(response)


def test_back_to_back_visits_and_cancelled_ones_do_not_clash(client, home, coach, jan, fatma, piet):
    schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10, 0))
    cancelled = schedule(by=coach, visitor=piet, visited=jan, starts_at=at(7, 11, 0))
    services.lesson_visit_cancel(access=compute_access(coach), visit=cancelled, user=coach)
    client.force_login(coach)
    assert (
        client.post(plan_url(home), schedule_data(visitor=piet, visited=jan, starts_at=at(7, 10, 50))).status_code
        == 302
    )
    assert (
        client.post(plan_url(home), schedule_data(visitor=fatma, visited=jan, starts_at=at(7, 11, 40))).status_code
        == 302
    )


@pytest.mark.postgresql("SQLite has no row locks (SELECT … FOR UPDATE); it locks the whole database per write")
def test_planning_locks_both_peoples_rows_before_checking_for_clashes(home, coach, jan, fatma):
    with CaptureQueriesContext(connection) as queries:
        schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7))
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q and "schools_user" in q)
    clash = next(i for i, q in enumerate(sql) if "instruments_lessonvisit" in q and "SELECT" in q)
    assert lock < clash
    assert 'ORDER BY "schools_user"."id" ASC' in sql[lock], "always the same lock order: no deadlock"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts_on": "2020-01-06"}, "starts_on", "Een lesbezoek plan je in de toekomst"),
        ({"minutes": 5}, "minutes", "Een lesbezoek duurt 10 tot 240 minuten."),
        ({"minutes": 300}, "minutes", "Een lesbezoek duurt 10 tot 240 minuten."),
        ({"minutes": -50}, "minutes", "Een lesbezoek duurt 10 tot 240 minuten."),
        ({"starts_time": "25:00"}, "starts_time", "Vul een tijd in, zoals 10:00."),
        ({"visited": "same"}, "visited", "De bezoeker en de bezochte leraar zijn twee verschillende mensen."),
        ({"visited": "foreign"}, "visited", "Kies iemand die op deze school werkt."),
        ({"lesson_design": "foreign"}, "lesson_design", "Kies een lesontwerp van deze school."),
    ],
)
def test_bad_input_is_refused_in_dutch_on_its_field(client, world, home, coach, jan, fatma, change, field, message):
    foreign = world.instruments[world.foreign.pk]
    values = {"same": jan.pk, "foreign": foreign.visit.visited.pk}
    if field == "lesson_design":
        values["foreign"] = foreign.design.pk
    data = schedule_data(visitor=jan, visited=fatma, starts_at=at(7))
    data.update({key: values.get(value, value) for key, value in change.items()})
    client.force_login(coach)
    response = client.post(plan_url(home), data, **HTMX)
    html = errors_of(response)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in html and message in html
    assert not LessonVisit.objects.filter(visitor=jan).exists()


def test_the_service_refuses_a_person_of_another_school(world, home, coach, jan):
    outsider = world.instruments[world.foreign.pk].visit.visited
    with pytest.raises(services.ValidationError) as refused:
        services.lesson_visit_schedule(
            access=compute_access(coach),
            school_id=home.pk,
            user=coach,
            visitor_id=jan.pk,
            visited_id=outsider.pk,
            starts_at=at(7),
            minutes=50,
        )
    assert refused.value.message_dict == {"visited": ["Kies iemand die op deze school werkt."]}


def test_the_service_refuses_a_colleague_whose_account_was_closed(world, home, coach, jan):
    """Who works in the school is one rule (schools.selectors.school_staff): a closed account
    (is_active off) is no one to visit, as the form's list of people already said."""
    gone = member(world.home_team, first_name="Vertrokken")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(services.ValidationError) as refused:
        schedule(by=coach, visitor=jan, visited=gone, starts_at=at(7), school_id=home.pk)
    assert refused.value.message_dict == {"visited": ["Kies iemand die op deze school werkt."]}


# --- Rescheduling and cancelling ---------------------------------------------------------------


def reschedule_data(visit, starts_at, **extra) -> dict:
    local = timezone.localtime(starts_at)
    return {
        "starts_on": local.date().isoformat(),
        "starts_time": local.strftime("%H:%M"),
        "minutes": 50,
        "room": "",
        "version": visit.version,
        **extra,
    }


def test_the_visited_teacher_reschedules_with_the_same_double_booking_check(client, coach, jan, fatma, piet):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10))
    schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(8, 9))
    client.force_login(jan)
    response = client.post(visit_url(visit, "verzetten/"), reschedule_data(visit, at(8, 9, 30)), **HTMX)
    assert response.status_code == 422
    # Jan may not see Piet's visit to Fatma: only that Fatma is not available then (no names).
    assert "Fatma Yilmaz is op" in errors_of(response) and "Piet Bakker komt kijken" not in errors_of(response)
    response = client.post(visit_url(visit, "verzetten/"), reschedule_data(visit, at(8, 13), room="Aula"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.starts_at, visit.room, visit.version) == (at(8, 13), "Aula", 2)


def test_rescheduling_from_a_stale_tab_answers_409_and_keeps_what_was_typed(client, coach, jan, fatma):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10))
    stale = reschedule_data(visit, at(9, 14), room="Mijn lokaal")
    services.lesson_visit_reschedule(
        access=compute_access(coach), visit=visit, user=coach, version=1, starts_at=at(8, 11), minutes=50
    )
    client.force_login(jan)
    response = client.post(visit_url(visit, "verzetten/"), stale, **HTMX)
    html = errors_of(response)
    assert response.status_code == 409
    assert "Iemand anders heeft dit lesbezoek intussen veranderd" in html and "11:00–11:50" in html
    assert 'value="Mijn lokaal"' in html and 'name="version" value="2"' in html
    visit.refresh_from_db()
    assert visit.starts_at == at(8, 11)


def test_visitor_cancels_and_the_visit_stays_visible_as_cancelled(client, coach, jan, fatma):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))
    client.force_login(fatma)
    response = client.post(visit_url(visit, "afzeggen/"), **HTMX)
    assert response.status_code == 200 and "Afgezegd" in response.content.decode()
    visit.refresh_from_db()
    assert (visit.status, visit.version) == (VisitStatus.CANCELLED, 2)


def test_leader_who_is_not_involved_may_not_cancel_or_reschedule(client, leader, coach, jan, fatma):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))
    client.force_login(leader)
    assert client.post(visit_url(visit, "afzeggen/")).status_code == 403
    assert client.get(visit_url(visit, "verzetten/")).status_code == 403
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_a_teacher_not_involved_does_not_find_the_visit(client, coach, jan, fatma, piet):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))
    client.force_login(piet)
    for path in ("", "verzetten/", "verslag/"):
        assert client.get(visit_url(visit, path)).status_code == 404
    assert client.post(visit_url(visit, "afzeggen/")).status_code == 404


# --- Notes and debrief -------------------------------------------------------------------------


def notes_data(version: int, **texts) -> dict:
    return {"observations": "", "went_well": "", "learned": "", "next_step": "", "version": version, **texts}


def test_visitor_writes_observations_and_visited_the_debrief(client, home, jan, fatma):
    visit = past_visit(school=home, visitor=fatma, visited=jan)
    client.force_login(fatma)
    response = client.post(visit_url(visit, "verslag/"), notes_data(0, observations="Iedereen deed mee"), **HTMX)
    assert response.status_code == 200 and "Opgeslagen." in response.content.decode()
    visit.refresh_from_db()
    # Observations say the visit took place: held, the debrief still to come.
    assert visit.observed_at is not None and visit.debriefed_at is None and visit.status == VisitStatus.HELD
    client.force_login(jan)
    data = notes_data(
        1, observations="Iedereen deed mee", went_well="Start", learned="Wachttijd", next_step="Wisbordjes"
    )
    assert client.post(visit_url(visit, "verslag/"), data).status_code == 302
    visit.refresh_from_db()
    assert visit.debriefed_at is not None and visit.status == VisitStatus.DONE
    assert visit.notes.next_step == "Wisbordjes" and visit.notes.version == 2


def test_notes_from_a_stale_tab_answer_409_keep_the_typed_text_and_show_theirs(client, home, jan, fatma):
    visit = past_visit(school=home, visitor=fatma, visited=jan)
    services.lesson_visit_notes_save(
        access=compute_access(jan), visit=visit, user=jan, version=0,
        observations="Tekst van Jan", went_well="", learned="", next_step="",
    )  # fmt: skip
    client.force_login(fatma)
    response = client.post(visit_url(visit, "verslag/"), notes_data(0, observations="Tekst van Fatma"), **HTMX)
    html = errors_of(response)
    assert response.status_code == 409
    assert "Tekst van Jan" in html and re.search(r">\s*Tekst van Fatma</textarea>", html)
    assert 'name="version" value="1"' in html
    visit.notes.refresh_from_db()
    assert visit.notes.observations == "Tekst van Jan"


def test_notes_wait_until_the_visit_has_begun(client, home, coach, jan, fatma):
    visit = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))
    client.force_login(fatma)
    assert 'name="observations"' not in client.get(visit_url(visit, "verslag/")).content.decode()
    response = client.post(visit_url(visit, "verslag/"), notes_data(0, observations="Te vroeg"))
    assert response.status_code == 422 and "zodra het lesbezoek begonnen is" in errors_of(response)
    assert not LessonVisitNotes.objects.filter(visit=visit).exists()


SECRETS = {
    "observations": "ZEBRA-OBSERVATIE-7731",
    "went_well": "ZEBRA-GOED-7731",
    "learned": "ZEBRA-GELEERD-7731",
    "next_step": "ZEBRA-STAP-7731",
}


@pytest.mark.parametrize("role", [Role.SCHOOLLEIDER, Role.SCHOOLCOACH])
def test_leader_and_schoolcoach_see_that_a_visit_was_debriefed_never_what_was_written(
    client, world, home, jan, fatma, role
):
    visit = past_visit(school=home, visitor=fatma, visited=jan, status=VisitStatus.DONE, focus="Kijkvraag X")
    visit.observed_at = visit.debriefed_at = timezone.now()
    visit.save()
    with_notes(visit, **SECRETS)
    week = f"{visit.starts_at:%G}-W{visit.starts_at:%V}"
    month = f"{timezone.localtime(visit.starts_at):%Y-%m}"
    client.force_login(world.users[role])
    calendar = f"/school/{home.pk}/lesbezoeken/"
    pages = {
        "detail": client.get(visit_url(visit)),
        "calendar week": client.get(f"{calendar}?week={week}"),
        "calendar week partial": client.get(f"{calendar}?week={week}", **HTMX),
        "calendar month": client.get(f"{calendar}?maand={month}"),
        "calendar person": client.get(f"{calendar}?week={week}&persoon={jan.pk}"),
        "rhythm": client.get(f"{calendar}ritme/"),
    }
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert "ZEBRA" not in html, name
    assert "Nagesprek gehouden" in pages["detail"].content.decode(), "that it happened is shown"
    assert visit_url(visit) in pages["calendar week"].content.decode(), "the visit itself is in the calendar"
    for method in ("get", "post"):
        notes = getattr(client, method)(visit_url(visit, "verslag/"), notes_data(1, observations="Overschreven"))
        assert notes.status_code == 404 and "ZEBRA" not in notes.content.decode()
    assert LessonVisitNotes.objects.get(visit=visit).observations == SECRETS["observations"]


def test_visitor_and_visited_read_the_notes(client, home, jan, fatma):
    visit = past_visit(school=home, visitor=fatma, visited=jan)
    with_notes(visit, **SECRETS)
    for person in (jan, fatma):
        client.force_login(person)
        html = client.get(visit_url(visit, "verslag/")).content.decode()
        assert all(text in html for text in SECRETS.values())


# --- The calendar ------------------------------------------------------------------------------


def test_week_calendar_shows_dutch_week_number_day_names_and_the_visit(client, home, coach, jan, fatma):
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7, 9, 15))
    local = timezone.localtime(visit.starts_at)
    client.force_login(coach)
    html = client.get(f"/school/{home.pk}/lesbezoeken/?week={local:%G}-W{local:%V}").content.decode()
    assert f"week {local.isocalendar().week} · " in html
    for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"):
        assert day in html
    assert "09:15–10:05" in html and visit_url(visit) in html


def test_the_calendar_leaves_out_the_weekend_until_asked_and_keeps_the_choice(client, home, coach, jan):
    client.force_login(coach)
    base = f"/school/{home.pk}/lesbezoeken/"
    html = client.get(f"{base}?week=2026-W50").content.decode()  # 7 – 13 December
    assert 'visit-day__name">vrijdag' in html and "zaterdag" not in html and "zondag" not in html
    assert "visit-calendar--workweek" in html
    shown = f"{base}?week=2026-W50&amp;weekend=1"
    assert f'href="{shown}"' in html and "Weekend tonen" in html
    html = client.get(f"{base}?week=2026-W50&weekend=1").content.decode()
    assert "zaterdag" in html and "zondag" in html and "Weekend verbergen" in html
    assert "visit-calendar--workweek" not in html
    # The choice goes along to the next week, the month and one person's calendar.
    assert f'"{base}?week=2026-W51&amp;weekend=1"' in html and f'"{base}?maand=2026-12&amp;weekend=1"' in html
    assert f'"{base}?week=2026-W50&amp;persoon={coach.pk}&amp;weekend=1"' in html


def test_the_calendar_marks_the_school_holidays_of_the_schools_region(client, home, coach):
    from schools.services.holidays import school_holiday_add

    school_holiday_add(
        name="Kerstvakantie",
        regions=[home.holiday_region_in_effect],
        starts_on=dt.date(2026, 12, 19),
        ends_on=dt.date(2027, 1, 3),
    )
    other = next(r for r in ("noord", "midden", "zuid") if r != home.holiday_region_in_effect)
    school_holiday_add(
        name="Wintervakantie", regions=[other], starts_on=dt.date(2026, 12, 14), ends_on=dt.date(2026, 12, 18)
    )
    client.force_login(coach)
    html = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W52").content.decode()  # 21 – 27 December
    assert html.count('<p class="visit-day__holiday">Kerstvakantie</p>') == 5
    assert html.count("visit-day--holiday") == 5 and "Geen lesbezoeken" not in html
    html = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W51").content.decode()  # 14 – 20 December
    assert "Wintervakantie" not in html and "Kerstvakantie" not in html, "another region's; Saturday 19th hidden"
    html = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W51&weekend=1").content.decode()
    assert html.count('<p class="visit-day__holiday">Kerstvakantie</p>') == 2


def test_prev_and_next_are_plain_links_and_htmx_swaps_only_the_calendar(client, home, coach):
    client.force_login(coach)
    page = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W01").content.decode()
    previous = f"/school/{home.pk}/lesbezoeken/?week=2025-W52"
    assert f'href="{previous}" hx-get="{previous}" hx-target="#calendar"' in page
    assert f"/school/{home.pk}/lesbezoeken/?week=2026-W02" in page
    partial = client.get(previous, **HTMX)
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="calendar"') and "<html" not in html
    assert "week 52" in html and "HX-Request" in partial["Vary"]


def test_a_week_switches_to_the_month_holding_its_thursday(client, home, coach):
    client.force_login(coach)
    html = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W49").content.decode()  # 30 Nov – 6 Dec
    assert f'href="/school/{home.pk}/lesbezoeken/?maand=2026-12"' in html


def test_month_calendar_lists_the_weeks_of_the_month(client, home, coach):
    client.force_login(coach)
    html = client.get(f"/school/{home.pk}/lesbezoeken/?maand=2026-02").content.decode()
    assert "februari 2026" in html
    assert all(f"week {n}" in html for n in (5, 6, 7, 8, 9))
    assert f"/school/{home.pk}/lesbezoeken/?maand=2026-01" in html and "?maand=2026-03" in html


def test_an_unreadable_period_shows_this_week(client, home, coach):
    client.force_login(coach)
    response = client.get(f"/school/{home.pk}/lesbezoeken/?week=2026-W99&maand=x")
    assert response.status_code == 200
    assert f"week {weeks_now()} · " in response.content.decode()


def weeks_now() -> int:
    return timezone.localdate().isocalendar().week


def test_a_teacher_sees_only_their_own_visits_and_the_schoolcoach_everyones(client, home, coach, jan, fatma, piet):
    own = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7, 9))
    other = schedule(by=coach, visitor=piet, visited=coach, starts_at=at(7, 13))
    week = f"?week={timezone.localtime(own.starts_at):%G-W%V}"
    client.force_login(fatma)
    html = client.get(f"/school/{home.pk}/lesbezoeken/{week}").content.decode()
    assert visit_url(own) in html and visit_url(other) not in html
    html = client.get(f"/school/{home.pk}/lesbezoeken/{week}&persoon={piet.pk}").content.decode()
    assert visit_url(other) not in html, "naming someone else shows a teacher nothing new"
    client.force_login(coach)
    html = client.get(f"/school/{home.pk}/lesbezoeken/{week}").content.decode()
    assert visit_url(own) in html and visit_url(other) in html
    html = client.get(f"/school/{home.pk}/lesbezoeken/{week}&persoon={piet.pk}").content.decode()
    assert visit_url(own) not in html and visit_url(other) in html and "Piet Bakker" in html


# --- Rhythm ------------------------------------------------------------------------------------


def test_rhythm_counts_the_last_eight_weeks_and_puts_the_furthest_behind_first(
    client, world, home, coach, jan, fatma, piet
):
    for days_ago in (3, 17, 31, 45):
        past_visit(school=home, visitor=fatma, visited=jan, days_ago=days_ago)
    past_visit(school=home, visitor=piet, visited=fatma, days_ago=10, status=VisitStatus.CANCELLED)
    past_visit(school=home, visitor=piet, visited=fatma, days_ago=70)  # older than eight weeks
    schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(3))  # not yet held
    client.force_login(coach)
    response = client.get(f"/school/{home.pk}/lesbezoeken/ritme/")
    rows = re.findall(
        r'<th scope="row"><a [^>]+>([^<]+)</a></th>\s*<td class="num" data-label="[^"]*" data-rhythm="held">(\d)</td>',
        response.content.decode(),
    )
    counts = dict(rows)
    assert counts["Jan de Vries"] == "4" and counts["Fatma Yilmaz"] == "4" and counts["Piet Bakker"] == "0"
    names = [name for name, _ in rows]
    assert names.index("Piet Bakker") < names.index("Jan de Vries")
    assert world.users[Role.SCHOOLLEIDER].full_name not in counts, "the leader is not a teacher here"


def test_a_teacher_has_no_rhythm_page(client, home, teacher):
    client.force_login(teacher)
    assert client.get(f"/school/{home.pk}/lesbezoeken/ritme/").status_code == 403


# --- The strict CSP ----------------------------------------------------------------------------


def test_every_lesson_visit_page_and_partial_has_no_inline_code(client, world, home, coach, jan, fatma):
    """leerkracht/tests/test_security.py walks a fixed list of pages; these are ours."""
    from leerkracht.tests.test_security import inline_code

    held = past_visit(school=home, visitor=coach, visited=jan)
    planned = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))
    base = f"/school/{home.pk}/lesbezoeken/"
    client.force_login(coach)
    for url, headers in [
        (base, {}),
        (base, HTMX),
        (f"{base}?maand=2026-11", {}),
        (f"{base}?persoon={jan.pk}", {}),
        (f"{base}plannen/", {}),
        (f"{base}ritme/", {}),
        (visit_url(planned), {}),
        (visit_url(planned, "verzetten/"), {}),
        (visit_url(held, "verslag/"), {}),
        ("/mijn/agenda/", {}),
    ]:
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url


@pytest.mark.parametrize("week", ["9999-W52", "0001-W01", "2026-W99"])
def test_a_week_outside_the_calendar_shows_this_week_instead_of_failing(client, home, coach, week):
    """The first and last weeks a date can hold have no neighbour to link to: a week that far
    out is read as no week at all, as the month already is."""
    client.force_login(coach)
    response = client.get(f"/school/{home.pk}/lesbezoeken/?week={week}")
    assert response.status_code == 200
    from leerkracht import clock

    assert f"week {clock.week_number(clock.this_week())} ·" in response.content.decode()
