"""Lesson visits in use for the demo: the demo teacher, the demo schoolcoach and their team
colleagues visiting each other's lessons over the last eight weeks (most with observations and a
debrief), three visits planned in the coming two weeks (one to see a lesson the team designed) and
one cancelled. Built through the services, deterministic and idempotent: when the demo teacher
already has visits in the school, nothing is added."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from instruments.models import LessonDesign, LessonVisit
from instruments.services import lesson_visit as services
from leerkracht import clock
from schools.access import compute_access
from schools.models import School, User

# The service plans visits in the future only. A visit that already took place is planned this
# far ahead (the same weekday and hour, so the double-booking check still compares the past
# visits with each other) and then moved back to its real day; see `_move_to_the_past`.
PLACEHOLDER_AHEAD = dt.timedelta(weeks=52)

# People by the part they play: "teacher" is the demo teacher, "coach" the demo schoolcoach,
# "colleague N" the Nth other member of the team (by id).


@dataclass(frozen=True)
class Notes:
    observations: str
    went_well: str = ""
    learned: str = ""
    next_step: str = ""


@dataclass(frozen=True)
class PastVisit:
    weeks_back: int
    weekday: int  # 0 = Monday
    time: dt.time
    minutes: int
    visitor: str
    visited: str
    group: str
    room: str
    focus: str
    notes: Notes | None = None
    debrief: bool = False  # the visited teacher wrote the debrief: the visit is done


@dataclass(frozen=True)
class PlannedVisit:
    days_ahead: int  # moved on to a school day
    time: dt.time
    minutes: int
    visitor: str
    visited: str
    group: str
    room: str
    focus: str
    design_title: str = ""  # the lesson the visitor comes to see, designed together
    cancelled: bool = False


PAST = [
    PastVisit(
        weeks_back=7,
        weekday=1,
        time=dt.time(10, 30),
        minutes=45,
        visitor="coach",
        visited="teacher",
        group="Groep 7",
        room="Lokaal 12",
        focus="Hoe check je tijdens de instructie of iedereen het begrijpt?",
        notes=Notes(
            observations="Lesdoel stond op het bord en werd aan het begin voorgelezen. Na de instructie vroeg je "
            "‘Is het duidelijk?’; vier leerlingen knikten, de rest zei niets. Bij het zelfstandig werken "
            "bleken zes leerlingen de eerste opdracht niet te kunnen starten.",
            went_well="Rustige, heldere instructie met een goed voorbeeld op het bord.",
            learned="‘Is het duidelijk?’ vertelt weinig: wie het niet snapt, zegt dat zelden hardop.",
            next_step="Volgende instructie eindigen met wisbordjes: iedereen schrijft het antwoord op één vraag.",
        ),
        debrief=True,
    ),
    PastVisit(
        weeks_back=6,
        weekday=3,
        time=dt.time(9, 0),
        minutes=50,
        visitor="teacher",
        visited="colleague 1",
        group="Groep 6",
        room="Lokaal 9",
        focus="Komen met de beurtstokjes alle leerlingen aan de beurt, ook de stille?",
        notes=Notes(
            observations="Twaalf beurten in twintig minuten, allemaal via de stokjes. Twee leerlingen die anders "
            "nooit iets zeggen, gaven een goed antwoord. Na een fout antwoord ging het stokje snel door.",
            went_well="De stokjes zorgen dat iedereen oplet: niemand weet wie de volgende is.",
            learned="Na een fout antwoord kan dezelfde leerling het nog een keer proberen met hulp.",
            next_step="Wachttijd van drie tellen na de vraag, en een tweede kans na een fout antwoord.",
        ),
        debrief=True,
    ),
    PastVisit(
        weeks_back=5,
        weekday=0,
        time=dt.time(11, 0),
        minutes=40,
        visitor="colleague 2",
        visited="teacher",
        group="Groep 7",
        room="Lokaal 12",
        focus="Wat zeggen de exit-tickets over het lesdoel?",
        notes=Notes(
            observations="Exit-ticket met twee vragen over het lesdoel. 19 van de 26 leerlingen hadden beide goed. "
            "De zeven anderen maakten allemaal dezelfde fout bij de tweede vraag.",
            went_well="De exit-tickets laten meteen zien wie morgen aan de instructietafel moet.",
            learned="Dezelfde fout bij zeven leerlingen zegt iets over de uitleg, niet over de leerlingen.",
            next_step="Morgen de tweede vraag opnieuw uitleggen met een ander voorbeeld.",
        ),
        debrief=True,
    ),
    PastVisit(
        weeks_back=3,
        weekday=2,
        time=dt.time(8, 45),
        minutes=45,
        visitor="coach",
        visited="colleague 3",
        group="Groep 8",
        room="Lokaal 14",
        focus="Hoe ziet het vrij lezen eruit: lezen alle leerlingen echt?",
        notes=Notes(
            observations="Na drie minuten las iedereen. Vier leerlingen wisselden in twintig minuten twee keer van "
            "boek; zij hadden een boek gekozen dat te moeilijk was.",
            went_well="Een rustige start: de boeken lagen al op tafel.",
            learned="Wie steeds wisselt, heeft hulp nodig bij het kiezen van een boek.",
            next_step="Op maandag samen met die vier leerlingen een boek kiezen in de leeshoek.",
        ),
        debrief=True,
    ),
    PastVisit(
        weeks_back=2,
        weekday=1,
        time=dt.time(13, 15),
        minutes=45,
        visitor="teacher",
        visited="coach",
        group="Groep 5",
        room="Lokaal 7",
        focus="Wat doen de leerlingen die klaar zijn met de verwerking?",
        # Observed; the debrief is still to come.
        notes=Notes(
            observations="Na vijftien minuten waren acht leerlingen klaar. Vijf pakten zelf de uitdagingskaart, "
            "drie wachtten tot de juf langskwam.",
        ),
    ),
    PastVisit(
        weeks_back=1,
        weekday=4,
        time=dt.time(10, 0),
        minutes=45,
        visitor="colleague 1",
        visited="teacher",
        group="Groep 7",
        room="Lokaal 12",
        focus="Weten de leerlingen aan het eind wat het lesdoel was?",
        # Took place last week; neither has written anything yet.
    ),
]

PLANNED = [
    PlannedVisit(
        days_ahead=2,
        time=dt.time(9, 15),
        minutes=45,
        visitor="teacher",
        visited="colleague 2",
        group="Groep 6",
        room="Lokaal 10",
        focus="Hoe werkt de instructietafel: wie komt erbij en wie mag weer weg?",
    ),
    PlannedVisit(
        days_ahead=5,
        time=dt.time(10, 45),
        minutes=45,
        visitor="teacher",
        visited="colleague 1",
        group="Groep 6",
        room="Lokaal 9",
        focus="Begrijpen de leerlingen waarom 1/3 groter is dan 1/5?",
        design_title="Breuken vergelijken met gelijke tellers",
    ),
    PlannedVisit(
        days_ahead=7,
        time=dt.time(11, 30),
        minutes=30,
        visitor="coach",
        visited="colleague 2",
        group="Groep 6",
        room="Lokaal 10",
        focus="Het leesuur: lezen alle leerlingen in een boek dat ze zelf kozen?",
        cancelled=True,  # the colleague was ill that week
    ),
    PlannedVisit(
        days_ahead=10,
        time=dt.time(13, 0),
        minutes=45,
        visitor="colleague 3",
        visited="teacher",
        group="Groep 7",
        room="Lokaal 12",
        focus="Beurtstokjes en wisbordjes: hoeveel leerlingen laten zien wat ze weten?",
    ),
]


def seed_lesson_visits(*, school: School, teacher: User, coach: User, colleagues: list[User]) -> list[LessonVisit]:
    """Ten visits of `school` among `teacher`, `coach` and `colleagues` (three or more of their
    team): six past (four done, one observed, one not yet written up), three planned, one
    cancelled. Returns the school's visits among these people; adds nothing when the teacher
    already has visits in the school."""
    people = {"teacher": teacher, "coach": coach} | {
        f"colleague {n}": colleague for n, colleague in enumerate(colleagues, start=1)
    }
    ids = [person.pk for person in people.values()]
    if LessonVisit.objects.filter(school=school).filter(Q(visitor=teacher) | Q(visited=teacher)).exists():
        theirs = LessonVisit.objects.filter(school=school, visitor_id__in=ids, visited_id__in=ids)
        return list(theirs.order_by("starts_at", "id"))
    if len(colleagues) < 3:
        return []
    with transaction.atomic():
        made = [_past(school=school, spec=spec, people=people) for spec in PAST]
        made += [_planned(school=school, spec=spec, people=people) for spec in PLANNED]
    return made


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return clock.instant(day, time)


def _school_day(day: dt.date) -> dt.date:
    """The day itself, or the Monday after when it falls in a weekend."""
    return day + dt.timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day


def _schedule(*, school: School, people: dict[str, User], spec, starts_at: dt.datetime, design_id=None):
    visitor, visited = people[spec.visitor], people[spec.visited]
    # Whoever visits plans it, as teachers do.
    return services.lesson_visit_schedule(
        access=compute_access(visitor),
        school_id=school.pk,
        user=visitor,
        visitor_id=visitor.pk,
        visited_id=visited.pk,
        starts_at=starts_at,
        minutes=spec.minutes,
        group_name=spec.group,
        room=spec.room,
        focus=spec.focus,
        lesson_design_id=design_id,
    )


def _move_to_the_past(visit: LessonVisit, *, starts_at: dt.datetime) -> LessonVisit:
    # Demo only: the service refuses to plan in the past (rightly), so a visit that "took place"
    # is planned a year ahead and moved back here, straight on the row (no reminder is involved
    # and the version stays as the service left it). The past visits were checked against each
    # other for double bookings at their placeholder times, which keep the weekday and hour.
    ends_at = starts_at + (visit.ends_at - visit.starts_at)
    LessonVisit.objects.filter(pk=visit.pk).update(
        starts_at=starts_at, ends_at=ends_at, created_at=starts_at - dt.timedelta(days=7)
    )
    visit.refresh_from_db()
    return visit


def _past(*, school: School, spec: PastVisit, people: dict[str, User]) -> LessonVisit:
    day = clock.this_week() - dt.timedelta(weeks=spec.weeks_back) + dt.timedelta(days=spec.weekday)
    starts_at = _at(day, spec.time)
    visit = _schedule(school=school, people=people, spec=spec, starts_at=starts_at + PLACEHOLDER_AHEAD)
    visit = _move_to_the_past(visit, starts_at=starts_at)
    if spec.notes is None:
        return visit
    visitor, visited = people[spec.visitor], people[spec.visited]
    # The visitor writes down what they saw; after the debrief the visited teacher adds what it
    # brought (the service marks the visit observed, then done).
    notes = services.lesson_visit_notes_save(
        access=compute_access(visitor),
        visit=visit,
        user=visitor,
        version=0,
        observations=spec.notes.observations,
        went_well="",
        learned="",
        next_step="",
    )
    if spec.debrief:
        services.lesson_visit_notes_save(
            access=compute_access(visited),
            visit=visit,
            user=visited,
            version=notes.version,
            observations=spec.notes.observations,
            went_well=spec.notes.went_well,
            learned=spec.notes.learned,
            next_step=spec.notes.next_step,
        )
    # Demo only, as above: the service stamps "now"; the observation was at the lesson and the
    # debrief after school the same day.
    LessonVisit.objects.filter(pk=visit.pk, observed_at__isnull=False).update(observed_at=visit.ends_at)
    LessonVisit.objects.filter(pk=visit.pk, debriefed_at__isnull=False).update(debriefed_at=_at(day, dt.time(15, 30)))
    visit.refresh_from_db()
    return visit


def _planned(*, school: School, spec: PlannedVisit, people: dict[str, User]) -> LessonVisit:
    day = _school_day(timezone.localdate() + dt.timedelta(days=spec.days_ahead))
    design = None
    if spec.design_title:
        design = LessonDesign.objects.filter(school=school, title=spec.design_title).order_by("id").first()
        if design is not None and design.planned_on and design.planned_on > timezone.localdate():
            # The visit is on the day the lesson is planned.
            day = _school_day(design.planned_on)
    visit = _schedule(
        school=school,
        people=people,
        spec=spec,
        starts_at=_at(day, spec.time),
        design_id=design.pk if design else None,
    )
    if spec.cancelled:
        visitor = people[spec.visitor]
        visit = services.lesson_visit_cancel(access=compute_access(visitor), visit=visit, user=visitor)
    return visit
