"""Once a visit's time has come it is no longer "Gepland" with "Verzetten" and "Afzeggen": its
visitor, visited teacher or a schoolcoach says whether it took place ("Ja, ga naar het
nagesprek" / "Nee, niet doorgegaan"), and the calendar, the rhythm and the calendar feed follow."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from instruments.models import LessonVisit, VisitStatus
from instruments.services import lesson_visit as services
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import HTMX, at, past_visit, schedule
from leerkracht.roles import Role
from schools.access import compute_access

pytestmark = pytest.mark.django_db

QUESTION = "Heeft het lesbezoek plaatsgevonden?"


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


@pytest.fixture
def fatma(world):
    return member(world.home_team, first_name="Fatma", last_name="Yilmaz")


@pytest.fixture
def piet(world):
    return member(world.home_team, first_name="Piet", last_name="Bakker")


@pytest.fixture
def due(world, fatma, jan):
    """Fatma's visit to Jan three days ago, still "planned": nobody said yet whether it went on."""
    return past_visit(school=world.home, visitor=fatma, visited=jan, days_ago=3)


@pytest.fixture
def coming(coach, fatma, jan):
    return schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7))


def url(visit: LessonVisit, path: str = "") -> str:
    return f"/school/{visit.school_id}/lesbezoeken/{visit.pk}/{path}"


def reload(visit: LessonVisit) -> LessonVisit:
    return LessonVisit.objects.get(pk=visit.pk)


def mark(how: str, *, by, visit: LessonVisit) -> LessonVisit:
    service = services.lesson_visit_mark_held if how == "held" else services.lesson_visit_mark_not_held
    return service(access=compute_access(by), visit=visit, user=by)


# --- The rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "visited", "schoolcoach"])
@pytest.mark.parametrize(("how", "status"), [("held", VisitStatus.HELD), ("not_held", VisitStatus.NOT_HELD)])
def test_visitor_visited_and_schoolcoach_say_whether_a_past_visit_took_place(world, due, fatma, jan, who, how, status):
    person = {"visitor": fatma, "visited": jan, "schoolcoach": world.users[Role.SCHOOLCOACH]}[who]
    done = mark(how, by=person, visit=due)
    assert (done.status, done.version) == (status, due.version + 1)
    assert reload(due).status == status


@pytest.mark.parametrize("how", ["held", "not_held"])
def test_a_leader_an_uninvolved_teacher_and_an_expertcoach_may_not_say_it(world, due, piet, how):
    for person in (world.users[Role.SCHOOLLEIDER], piet, world.users[Role.EXPERTCOACH]):
        with pytest.raises(PermissionDenied):
            mark(how, by=person, visit=due)
    assert reload(due).status == VisitStatus.PLANNED


@pytest.mark.parametrize("how", ["held", "not_held"])
def test_a_visit_still_to_come_cannot_be_marked(coming, fatma, how):
    with pytest.raises(ValidationError, match="moet nog beginnen"):
        mark(how, by=fatma, visit=coming)
    assert reload(coming).status == VisitStatus.PLANNED


@pytest.mark.parametrize("how", ["held", "not_held"])
def test_a_cancelled_visit_cannot_be_marked(world, fatma, jan, how):
    cancelled = past_visit(school=world.home, visitor=fatma, visited=jan, status=VisitStatus.CANCELLED)
    with pytest.raises(ValidationError, match="afgezegd"):
        mark(how, by=fatma, visit=cancelled)


def test_marking_twice_changes_nothing_and_not_held_can_be_corrected(due, fatma, jan):
    once = mark("not_held", by=fatma, visit=due)
    assert mark("not_held", by=jan, visit=due).version == once.version
    corrected = mark("held", by=jan, visit=due)
    assert (corrected.status, corrected.version) == (VisitStatus.HELD, once.version + 1)
    assert mark("held", by=fatma, visit=due).version == corrected.version


def test_a_visit_with_observations_cannot_be_marked_not_held(due, fatma):
    services.lesson_visit_notes_save(
        access=compute_access(fatma),
        visit=due,
        user=fatma,
        version=0,
        observations="Iedereen deed mee",
        went_well="",
        learned="",
        next_step="",
    )
    assert reload(due).status == VisitStatus.HELD, "observations say it took place"
    with pytest.raises(ValidationError, match="heeft plaatsgevonden"):
        mark("not_held", by=fatma, visit=reload(due))


def test_a_visit_not_held_takes_no_notes(due, fatma):
    mark("not_held", by=fatma, visit=due)
    with pytest.raises(ValidationError, match="niet doorgegaan"):
        services.lesson_visit_notes_save(
            access=compute_access(fatma),
            visit=reload(due),
            user=fatma,
            version=0,
            observations="x",
            went_well="",
            learned="",
            next_step="",
        )


def test_once_begun_a_visit_is_no_longer_moved(due, fatma):
    access = compute_access(fatma)
    with pytest.raises(ValidationError, match="al begonnen"):
        services.lesson_visit_reschedule(
            access=access, visit=due, user=fatma, version=due.version, starts_at=at(9), minutes=50
        )
    assert reload(due).status == VisitStatus.PLANNED


def test_the_debrief_after_yes_marks_the_visit_done(due, fatma, jan):
    mark("held", by=fatma, visit=due)
    services.lesson_visit_notes_save(
        access=compute_access(jan),
        visit=reload(due),
        user=jan,
        version=0,
        observations="",
        went_well="Start",
        learned="Wachttijd",
        next_step="Wisbordjes",
    )
    assert reload(due).status == VisitStatus.DONE


# --- The visit page: past against future ---------------------------------------------------------


@pytest.mark.parametrize("who", ["visitor", "visited", "schoolcoach"])
def test_a_past_visit_asks_whether_it_took_place_instead_of_offering_to_move_it(client, world, due, fatma, jan, who):
    person = {"visitor": fatma, "visited": jan, "schoolcoach": world.users[Role.SCHOOLCOACH]}[who]
    client.force_login(person)
    html = client.get(url(due)).content.decode()
    assert QUESTION in html and "Nee, niet doorgegaan" in html
    assert ("Ja, ga naar het nagesprek" in html) == (who != "schoolcoach"), "the coach does not read the debrief"
    assert "Verzetten" not in html and "Afzeggen" not in html
    assert ">Gepland<" not in html and "Plaatsgevonden?" in html


def test_a_future_visit_offers_to_move_or_cancel_it_and_asks_nothing(client, coming, fatma):
    client.force_login(fatma)
    html = client.get(url(coming)).content.decode()
    assert "Verzetten" in html and "Afzeggen" in html and ">Gepland<" in html
    assert QUESTION not in html


def test_the_leader_sees_the_past_visit_but_no_buttons(client, world, due):
    client.force_login(world.users[Role.SCHOOLLEIDER])
    response = client.get(url(due))
    html = response.content.decode()
    assert response.status_code == 200 and "Plaatsgevonden?" in html
    assert QUESTION not in html and "Verzetten" not in html and "Afzeggen" not in html


def test_yes_takes_the_visitor_to_the_debrief(client, due, fatma):
    client.force_login(fatma)
    response = client.post(url(due, "plaatsgevonden/"))
    assert response.status_code == 302 and response["Location"] == url(due, "verslag/")
    assert reload(due).status == VisitStatus.HELD
    notes = client.get(response["Location"]).content.decode()
    assert 'name="went_well"' in notes


def test_yes_with_htmx_sends_the_visited_teacher_to_the_debrief(client, due, jan):
    client.force_login(jan)
    response = client.post(url(due, "plaatsgevonden/"), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == url(due, "verslag/")


def test_yes_by_the_schoolcoach_swaps_the_visit_in_place(client, world, due):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.post(url(due, "plaatsgevonden/"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<article id="visit"')
    assert "Het lesbezoek heeft plaatsgevonden" in html and QUESTION not in html
    assert "Observaties en nagesprek" not in html, "what was said stays with the two of them"
    plain = client.post(url(due, "plaatsgevonden/"))
    assert plain.status_code == 302 and plain["Location"] == url(due)


def test_no_swaps_the_visit_in_place_with_plan_again_and_undo(client, due, fatma, jan):
    client.force_login(jan)
    response = client.post(url(due, "niet-doorgegaan/"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<article id="visit"')
    assert "Niet doorgegaan" in html and QUESTION not in html
    assert f"plannen/?bezoeker={fatma.pk}&amp;bezochte={jan.pk}" in html and "Toch doorgegaan" in html
    assert reload(due).status == VisitStatus.NOT_HELD
    form = client.get(f"/school/{due.school_id}/lesbezoeken/plannen/?bezoeker={fatma.pk}&bezochte={jan.pk}")
    page = form.content.decode()
    assert re.search(rf'<option value="{fatma.pk}" selected>', page) and re.search(
        rf'<option value="{jan.pk}" selected>', page
    ), "plan again for the same two people"


def test_a_future_visit_marked_by_post_is_refused_with_the_reason(client, coming, fatma):
    client.force_login(fatma)
    response = client.post(url(coming, "niet-doorgegaan/"), **HTMX)
    assert response.status_code == 422 and "moet nog beginnen" in response.content.decode()
    assert reload(coming).status == VisitStatus.PLANNED


@pytest.mark.parametrize("path", ["plaatsgevonden/", "niet-doorgegaan/"])
def test_a_role_too_weak_gets_403(client, world, due, path):
    for role in (Role.SCHOOLLEIDER, Role.EXPERTCOACH):
        client.force_login(world.users[role])
        assert client.post(url(due, path)).status_code == 403, role
    assert reload(due).status == VisitStatus.PLANNED


@pytest.mark.parametrize("path", ["plaatsgevonden/", "niet-doorgegaan/"])
def test_another_schools_user_and_an_uninvolved_teacher_get_404(client, world, due, piet, path):
    foreign = world.instruments[world.foreign.pk].visit
    for person in (foreign.visitor, foreign.visited, piet):
        client.force_login(person)
        assert client.post(url(due, path)).status_code == 404
    # And the home school's coach asking for the foreign school's visit through its own school.
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert client.post(f"/school/{world.home.pk}/lesbezoeken/{foreign.pk}/{path}").status_code == 404
    assert reload(due).status == VisitStatus.PLANNED


# --- Calendar, rhythm and feed show the state ---------------------------------------------------------


def test_the_calendar_shows_which_past_visits_await_an_answer_and_which_did_not_go_on(
    client, world, due, fatma, jan, piet
):
    gone = past_visit(school=world.home, visitor=piet, visited=jan, days_ago=4)
    held = past_visit(school=world.home, visitor=jan, visited=piet, days_ago=2)
    mark("not_held", by=piet, visit=gone)
    mark("held", by=jan, visit=held)
    client.force_login(world.users[Role.SCHOOLCOACH])
    for visit, tone, badge in (
        (due, "due", "Plaatsgevonden?"),
        (gone, "cancelled", "Niet doorgegaan"),
        (held, "done", "✓</span> Plaatsgevonden"),
    ):
        month = timezone.localtime(visit.starts_at)
        html = client.get(f"/school/{world.home.pk}/lesbezoeken/?maand={month:%Y-%m}", **HTMX).content.decode()
        item = re.search(rf'<li class="visit-item visit-item--(\w+)">\s*<a[^>]*/{visit.pk}/"(.*?)</li>', html, re.S)
        assert item[1] == tone and badge in item[2], visit


def test_a_visit_not_held_counts_nowhere_in_the_rhythm(client, world, due, fatma, jan):
    client.force_login(world.users[Role.SCHOOLCOACH])

    def count(name: str) -> str:
        html = client.get(f"/school/{world.home.pk}/lesbezoeken/ritme/").content.decode()
        held = r'<td class="num" data-label="[^"]*" data-rhythm="held">(\d)</td>'
        return re.search(rf">{name}</a></th>\s*" + held, html)[1]

    assert count("Jan de Vries") == "1", "a past visit counts until someone says it did not go on"
    mark("not_held", by=fatma, visit=due)
    assert count("Jan de Vries") == "0"


def test_a_visit_not_held_no_longer_blocks_the_slot(world, coach, fatma, jan, piet):
    """A visit in progress that did not go on frees its people for the rest of the slot."""
    now = timezone.now()
    running = LessonVisit.objects.create(
        school=world.home,
        visitor=fatma,
        visited=jan,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(minutes=120),
    )
    with pytest.raises(ValidationError):
        schedule(by=coach, visitor=piet, visited=jan, starts_at=now + dt.timedelta(minutes=30))
    mark("not_held", by=fatma, visit=running)
    assert schedule(by=coach, visitor=piet, visited=jan, starts_at=now + dt.timedelta(minutes=30)).pk


def test_the_calendar_feed_marks_a_visit_not_held_cancelled(client, due, fatma):
    feed = services.calendar_feed_create(user=fatma)
    mark("not_held", by=fatma, visit=due)
    calendar = icalendar.Calendar.from_ical(client.get(f"/agenda/{feed.token}.ics").content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    event = events[f"lesbezoek-{due.pk}@leerkracht.nl"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_the_visit_pages_with_the_question_carry_no_inline_code(client, world, due, fatma):
    from leerkracht.tests.test_security import inline_code

    client.force_login(fatma)
    for response in (client.get(url(due)), client.post(url(due, "niet-doorgegaan/"), **HTMX)):
        assert response.status_code == 200 and inline_code(response.content.decode()) == []
