"""One edit-conflict protocol for every instrument: a save from a stale version answers 409 with
the shared box (templates/includes/conflict.html) showing, per field, what is saved now, who saved
it, and what this person typed; the form keeps what was typed and carries the stored version, so
saving again wins. The same for a colleague's save and for the same person's second tab, as htmx
partial and as plain form post. The type itself (leerkracht/conflicts.py) is tested in
leerkracht/tests/test_conflicts.py."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from instruments.models import Action, FeedbackCriterion, LessonDesign, LessonVisit, LessonVisitNotes, VisitStatus
from instruments.services import feedback as feedback_services
from instruments.services import lesson_design as design_services
from instruments.services import lesson_visit as visit_services
from instruments.services.board import action_update
from leerkracht.conflicts import EditConflict
from leerkracht.roles import Role
from schools.access import compute_access

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def hidden_version(html: str) -> int:
    """The version the form carries (what its next save starts from)."""
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


@dataclass
class Instrument:
    """How one instrument's edit is made: its page, the form a browser posts, and a save by the
    service (the other person's, made first)."""

    title: str  # the box's heading for this instrument
    target: Any  # world -> the object both people edit
    path: Any  # object -> the URL the edit is posted to
    data: Any  # (object, version, typed) -> the posted form
    save: Any  # (world, object, user, version, text) -> a save through the service
    stored: Any  # object -> the value now in the database
    kept: Any  # (html, typed) -> whether the form still holds what was typed
    form_path: Any = None  # object -> the edit form's URL, where it is not `path`


def input_value(name: str):
    return lambda html, typed: re.search(rf'name="{name}"[^>]*value="{re.escape(typed)}"', html) is not None


def textarea(name: str):
    return lambda html, typed: re.search(rf'name="{name}"[^>]*>\s*{re.escape(typed)}</textarea>', html) is not None


def board_action(world):
    return world.boards[world.home.pk].action


def board_path(action) -> str:
    return f"/school/{action.school_id}/borden/{action.board_id}/acties/{action.pk}/bewerken/"


def board_data(action, version, typed) -> dict:
    owners = list(action.owners.values_list("pk", flat=True))
    return {
        "version": version,
        "base-title": "Leeshoek inrichten",
        "base-owners": owners,
        "base-status": "todo",
        "title": typed,
        "owners": owners,
        "status": "todo",
    }


def board_save(world, action, user, version, text):
    action_update(
        board=action.board,
        action_id=action.pk,
        user=user,
        version=version,
        base={"title": "Leeshoek inrichten"},
        values={"title": text},
    )


def design_data(design, version, typed) -> dict:
    return {
        "title": design.title,
        "subject": design.subject,
        "group": design.group.name,
        "lesson_goal": typed,
        "authors": [a for a in design.authors.values_list("pk", flat=True) if a != design.created_by_id],
        "version": version,
    }


def design_save(world, design, user, version, text):
    design_services.lesson_design_update(
        design_id=design.pk,
        school_id=design.school_id,
        user=user,
        version=version,
        title=design.title,
        subject=design.subject,
        group=design.group.name,
        lesson_goal=text,
        authors=list(design.authors.values_list("pk", flat=True)),
    )


def past_visit(world):
    """A visit of the schoolcoach to the teacher's lesson, three days ago: its notes are open."""
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    return LessonVisit.objects.create(
        school=world.home,
        visitor=world.users[Role.SCHOOLCOACH],
        visited=world.users[Role.LERAAR],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        status=VisitStatus.PLANNED,
        scheduled_by=world.users[Role.SCHOOLCOACH],
    )


def notes_data(visit, version, typed) -> dict:
    return {"observations": typed, "went_well": "", "learned": "", "next_step": "", "version": version}


def notes_save(world, visit, user, version, text):
    visit_services.lesson_visit_notes_save(
        access=compute_access(user),
        visit=visit,
        user=user,
        version=version,
        observations=text,
        went_well="",
        learned="",
        next_step="",
    )


def notes_stored(visit) -> str:
    return LessonVisitNotes.objects.get(visit=visit).observations


def criterion_path(criterion) -> str:
    return f"/school/{criterion.school_id}/stem/groepen/{criterion.group_id}/criteria/{criterion.pk}/"


def criterion_save(world, criterion, user, version, text):
    feedback_services.feedback_criterion_update(criterion=criterion, user=user, text=text, version=version)


INSTRUMENTS = {
    "board card": Instrument(
        title="Iemand anders heeft dit intussen ook veranderd",
        target=board_action,
        path=board_path,
        data=board_data,
        save=board_save,
        stored=lambda action: Action.objects.get(pk=action.pk).title,
        kept=input_value("title"),
    ),
    "lesson design": Instrument(
        title="Iemand anders heeft dit lesontwerp intussen opgeslagen",
        target=lambda world: world.instruments[world.home.pk].design,
        path=lambda design: f"/school/{design.school_id}/lesontwerpen/{design.pk}/bewerken/",
        data=design_data,
        save=design_save,
        stored=lambda design: LessonDesign.objects.get(pk=design.pk).lesson_goal,
        kept=textarea("lesson_goal"),
    ),
    "lesson visit notes": Instrument(
        title="Iemand anders heeft dit verslag intussen opgeslagen",
        target=past_visit,
        path=lambda visit: f"/school/{visit.school_id}/lesbezoeken/{visit.pk}/verslag/",
        data=notes_data,
        save=notes_save,
        stored=notes_stored,
        kept=textarea("observations"),
    ),
    "feedback criterion": Instrument(
        title="Iemand anders heeft deze uitspraak intussen veranderd",
        target=lambda world: world.instruments[world.home.pk].criterion,
        path=lambda criterion: criterion_path(criterion) + "opslaan/",
        form_path=criterion_path,
        data=lambda criterion, version, typed: {"text": typed, "version": version},
        save=criterion_save,
        stored=lambda criterion: FeedbackCriterion.objects.get(pk=criterion.pk).text,
        kept=input_value("text"),
    ),
}

THEIRS, YOURS = "Van de collega: samen lezen in de kring", "Van mij: lezen in tweetallen"


def the_box(html: str) -> str:
    """The one conflict box in an answer."""
    boxes = re.findall(r'<div class="alert alert--warning conflict"[^>]*>.*?</dl>', html, re.S)
    assert len(boxes) == 1, f"one conflict box, found {len(boxes)}"
    return boxes[0]


def assert_409_with_both_values(response, instrument: Instrument, *, saved_by, typed: str, theirs: str, version: int):
    html = response.content.decode()
    assert response.status_code == 409
    box = the_box(html)
    assert 'role="alert"' in box and 'tabindex="-1"' in box and "data-conflict" in box, "announced, takes focus"
    assert instrument.title in box
    assert f'<q class="conflict__theirs">{htmllib.escape(theirs)}</q>' in box, "what is saved now"
    assert f'<q class="conflict__yours">{htmllib.escape(typed)}</q>' in box, "what this person typed"
    assert f"Opgeslagen door {htmllib.escape(saved_by.full_name)}" in box, "who saved the stored version"
    assert instrument.kept(html, htmllib.escape(typed)), "the form keeps what was typed"
    assert hidden_version(html) == version, "saving again starts from the stored version"


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
@pytest.mark.parametrize("name", list(INSTRUMENTS))
def test_a_colleagues_save_meanwhile_answers_409_with_both_values_and_keeps_what_was_typed(world, name, htmx):
    """The schoolcoach saves first; the teacher's save from the older version writes nothing and
    gets the shared box (theirs, by whom, and what was typed) with the form as typed; saving that
    form again keeps the teacher's text."""
    instrument = INSTRUMENTS[name]
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    target = instrument.target(world)
    started_from = getattr(target, "version", 0) if name != "lesson visit notes" else 0
    instrument.save(world, target, coach, started_from, THEIRS)

    client = Client()
    client.force_login(teacher)
    headers = HTMX if htmx else {}
    response = client.post(instrument.path(target), instrument.data(target, started_from, YOURS), **headers)
    assert_409_with_both_values(
        response, instrument, saved_by=coach, typed=YOURS, theirs=THEIRS, version=started_from + 1
    )
    html = response.content.decode()
    assert ("<html" in html) is not htmx, "htmx gets the form's fragment, a plain post the whole page"
    assert instrument.stored(target) == THEIRS, "nothing was written"

    again = client.post(instrument.path(target), instrument.data(target, hidden_version(html), YOURS), **headers)
    assert again.status_code == (200 if htmx else 302), "htmx: the changed part or a client redirect"
    assert instrument.stored(target) == YOURS


@pytest.mark.parametrize("name", list(INSTRUMENTS))
def test_the_same_persons_second_tab_gets_the_conflict_too(world, name):
    """Two sessions of one teacher open the same edit; the first tab saves, the second tab's save
    from the form it opened earlier is a conflict naming the teacher as the one who saved."""
    instrument = INSTRUMENTS[name]
    teacher = world.users[Role.LERAAR]
    target = instrument.target(world)
    first, second = Client(), Client()
    for tab in (first, second):
        tab.force_login(teacher)
    form_path = instrument.form_path or instrument.path
    opened = [hidden_version(tab.get(form_path(target), **HTMX).content.decode()) for tab in (first, second)]
    assert opened[0] == opened[1]

    saved = first.post(instrument.path(target), instrument.data(target, opened[0], THEIRS), **HTMX)
    assert saved.status_code == 200
    response = second.post(instrument.path(target), instrument.data(target, opened[1], YOURS), **HTMX)
    assert_409_with_both_values(
        response, instrument, saved_by=teacher, typed=YOURS, theirs=THEIRS, version=opened[0] + 1
    )
    assert instrument.stored(target) == THEIRS


def test_a_field_in_conflict_links_to_its_field_in_the_form(client, world):
    """Keyboard users jump from the box to the field: the field's name is a link to its input."""
    instrument = INSTRUMENTS["board card"]
    action = board_action(world)
    board_save(world, action, world.users[Role.SCHOOLCOACH], 1, THEIRS)
    client.force_login(world.users[Role.LERAAR])
    html = client.post(board_path(action), board_data(action, 1, YOURS), **HTMX).content.decode()
    anchor = re.search(r'<dt><a href="#([^"]+)">', the_box(html)).group(1)
    assert anchor == f"action-{action.pk}-title" and f'id="{anchor}"' in html
    assert instrument.kept(html, YOURS)


def test_resolving_a_knelpunt_someone_else_resolved_meanwhile_answers_409_with_both_texts(client, world):
    """The knelpunt's resolve form is a board card edit too: the shared box, not a bare 422."""
    contents = world.boards[world.home.pk]
    obstacle = contents.obstacle
    coach, teacher = world.users[Role.SCHOOLCOACH], world.users[Role.LERAAR]
    from instruments.services.board import obstacle_resolve

    obstacle_resolve(board=contents.board, obstacle_id=obstacle.pk, user=coach, version=1, resolution="Boeken geleend")
    client.force_login(teacher)
    path = f"/school/{obstacle.school_id}/borden/{obstacle.board_id}/knelpunten/{obstacle.pk}/oplossen/"
    response = client.post(path, {"resolution": "Bibliotheek gebeld", "version": 1}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    box = the_box(html)
    assert '<q class="conflict__theirs">Boeken geleend</q>' in box
    assert '<q class="conflict__yours">Bibliotheek gebeld</q>' in box
    assert f"Opgeslagen door {escape(coach.full_name)}" in box
    assert "Onlangs opgelost" in html and "Boeken geleend" in html, "theirs, now among the resolved"


def test_a_stale_move_of_a_visit_is_an_edit_conflict_and_a_clash_is_not(client, world):
    """Moving a visit someone moved meanwhile answers the shared 409 naming both times; a move onto
    another visit of the same person is a clash, answered 422 without the conflict box."""
    coach, teacher = world.users[Role.SCHOOLCOACH], world.users[Role.LERAAR]
    visit = world.instruments[world.home.pk].visit
    day = timezone.localdate() + dt.timedelta(days=5)
    moved = timezone.make_aware(dt.datetime.combine(day, dt.time(11)))
    visit_services.lesson_visit_reschedule(
        access=compute_access(coach), visit=visit, user=coach, version=1, starts_at=moved, minutes=50
    )
    client.force_login(teacher)
    path = f"/school/{visit.school_id}/lesbezoeken/{visit.pk}/verzetten/"
    data = {"starts_on": day.isoformat(), "starts_time": "14:00", "minutes": 50, "room": "", "version": 1}
    response = client.post(path, data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    box = the_box(html)
    assert "11:00–11:50</q>" in box and "14:00–14:50</q>" in box
    assert f"Opgeslagen door {escape(coach.full_name)}" in box
    assert '<dt><a href="#id_starts_on">Wanneer</a></dt>' in box, "the time links to the date field"

    other = visit_services.lesson_visit_schedule(
        access=compute_access(coach),
        school_id=visit.school_id,
        user=coach,
        visitor_id=coach.pk,
        visited_id=teacher.pk,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))),
        minutes=50,
    )
    assert other.pk != visit.pk
    clash = client.post(path, {**data, "version": 2}, **HTMX)
    assert clash.status_code == 422 and "data-conflict" not in clash.content.decode()


def test_a_design_conflict_names_each_differing_field_as_people_read_it(world):
    """The service compares what was typed with what is stored, field by field as the form shows
    them (co-authors by name without the maker, dates the Dutch way), and leaves equal fields out."""
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    design = world.instruments[world.home.pk].design
    design_save(world, design, coach, 1, "Leerlingen ordenen drie breuken")
    with pytest.raises(EditConflict) as raised:
        design_services.lesson_design_update(
            design_id=design.pk,
            school_id=design.school_id,
            user=teacher,
            version=1,
            title=design.title,
            subject=design.subject,
            group=design.group.name,
            lesson_goal=design.lesson_goal,
            planned_on=dt.date(2026, 12, 1),
            authors=[],
        )
    conflict = raised.value
    assert [(f.field, f.theirs, f.yours) for f in conflict.fields] == [
        ("planned_on", "—", "1 december 2026"),
        ("lesson_goal", "Leerlingen ordenen drie breuken", design.lesson_goal),
        ("authors", coach.full_name, "—"),
    ]
    assert (conflict.version, conflict.saved_by) == (2, coach.full_name) and conflict.saved_at is not None
