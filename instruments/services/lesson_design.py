"""Writes on lesson designs (gezamenlijk lesontwerp). Each service validates (a ValidationError
with a Dutch message per field), writes and bumps the design's `version`, which the edit form
carries: a save from a stale form is refused with the core's `EditConflict` (both values of each
field that differs) instead of overwriting a colleague's work.

Who may call them is decided before, by `access_lesson_design_by_id` and the route's capability;
these services check what the data must satisfy whoever asks (authors and teams of the same
school, a goal of the owning team's open cycle, the order of the statuses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from instruments.models import (
    BoardKind,
    DesignStatus,
    Goal,
    GoalReached,
    LessonDesign,
    LessonDesignAuthor,
    LessonDesignShare,
    LessonDesignTechnique,
)
from instruments.services.groups import pupil_group_get_or_create
from leerkracht.conflicts import EditConflict, differing
from schools.models import Team, User
from schools.selectors import school_staff

# The content fields an edit writes; also what a conflict compares.
CONTENT_FIELDS = (
    "title",
    "subject",
    "group",
    "planned_on",
    "lesson_goal",
    "success_criteria",
    "checks",
    "activities",
    "goal",
    "techniques",
    "authors",
)

# One step forward at a time; only "ready" may go back (to draft, to change it again). Reaching
# "evaluated" needs the evaluation itself: lesson_design_evaluate.
STATUS_STEPS: dict[str, set[str]] = {
    DesignStatus.DRAFT: {DesignStatus.READY},
    DesignStatus.READY: {DesignStatus.GIVEN, DesignStatus.DRAFT},
    DesignStatus.GIVEN: set(),
    DesignStatus.EVALUATED: set(),
}


# --- Checks -----------------------------------------------------------------------------------


def parse_techniques(text: str) -> list[str]:
    """Technique codes from what was typed ("Wisbordjes, beurtstokjes"): slugified, in order,
    without doubles. The academy's technique library will offer these as choices later."""
    codes: list[str] = []
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        code = slugify(part)[: LessonDesignTechnique._meta.get_field("technique_code").max_length]
        if code and code not in codes:
            codes.append(code)
    return codes


def _ids(people: Iterable) -> set[int]:
    return {getattr(person, "pk", person) for person in people}


def _check_authors(school_id: int, author_ids: set[int]) -> None:
    if author_ids - set(school_staff(school_id=school_id).values_list("pk", flat=True)):
        raise ValidationError({"authors": _("Kies alleen collega's van deze school als auteur.")})


def _check_goal(team: Team, goal: Goal | None) -> None:
    if goal is None:
        return
    if not (
        goal.school_id == team.school_id
        and goal.board.team_id == team.pk
        and goal.board.kind == BoardKind.TEAM
        and goal.cycle.closed_at is None
    ):
        raise ValidationError(
            {"goal": _("Kies een doel van het verbeterbord van %(team)s in de lopende cyclus.") % {"team": team.name}}
        )


def _check_text(errors: dict, *, title: str, subject: str, lesson_goal: str) -> None:
    if not title.strip():
        errors["title"] = _("Geef het lesontwerp een titel.")
    if not subject.strip():
        errors["subject"] = _("Vul het vak of leergebied in.")
    if not lesson_goal.strip():
        errors["lesson_goal"] = _("Schrijf op wat de leerlingen aan het eind van de les kunnen: het lesdoel.")


def _collect(errors: dict, check, *args) -> None:
    try:
        check(*args)
    except ValidationError as error:
        errors.update(error.message_dict)


def _set_authors(design: LessonDesign, author_ids: set[int], existing: set[int] | None = None) -> None:
    LessonDesignAuthor.objects.filter(design=design).exclude(user_id__in=author_ids).delete()
    if existing is None:
        existing = set(LessonDesignAuthor.objects.filter(design=design).values_list("user_id", flat=True))
    LessonDesignAuthor.objects.bulk_create(
        [LessonDesignAuthor(school_id=design.school_id, design=design, user_id=uid) for uid in author_ids - existing]
    )


def _set_techniques(design: LessonDesign, codes: list[str]) -> None:
    LessonDesignTechnique.objects.filter(design=design).exclude(technique_code__in=codes).delete()
    existing = set(LessonDesignTechnique.objects.filter(design=design).values_list("technique_code", flat=True))
    LessonDesignTechnique.objects.bulk_create(
        [
            LessonDesignTechnique(school_id=design.school_id, design=design, technique_code=code)
            for code in codes
            if code not in existing
        ]
    )


# --- Create and edit ------------------------------------------------------------------------------


@transaction.atomic
def lesson_design_create(
    *,
    team: Team,
    user: User,
    title: str,
    subject: str,
    group: str,
    lesson_goal: str,
    planned_on: dt.date | None = None,
    success_criteria: str = "",
    checks: str = "",
    activities: str = "",
    goal: Goal | None = None,
    techniques: str = "",
    authors: Iterable = (),
) -> LessonDesign:
    """Start a lesson design for `team` as a draft; `user` (its maker) is always an author."""
    school_id = team.school_id
    author_ids = _ids(authors) | {user.pk}
    errors: dict = {}
    _check_text(errors, title=title, subject=subject, lesson_goal=lesson_goal)
    _collect(errors, _check_authors, school_id, author_ids)
    _collect(errors, _check_goal, team, goal)
    pupil_group = None
    try:
        pupil_group = pupil_group_get_or_create(school_id=school_id, name=group, team_id=team.pk)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    design = LessonDesign.objects.create(
        school_id=school_id,
        team=team,
        title=title.strip(),
        subject=subject.strip(),
        group=pupil_group,
        planned_on=planned_on,
        lesson_goal=lesson_goal.strip(),
        success_criteria=success_criteria.strip(),
        checks=checks.strip(),
        activities=activities.strip(),
        goal=goal,
        created_by=user,
        updated_by=user,
    )
    _set_authors(design, author_ids)
    _set_techniques(design, parse_techniques(techniques))
    return design


@transaction.atomic
def lesson_design_update(
    *,
    design_id: int,
    school_id: int,
    user: User,
    version: int,
    title: str,
    subject: str,
    group: str,
    lesson_goal: str,
    planned_on: dt.date | None = None,
    success_criteria: str = "",
    checks: str = "",
    activities: str = "",
    goal: Goal | None = None,
    techniques: str = "",
    authors: Iterable = (),
) -> LessonDesign:
    """Save an edit made from `version`. Raises `EditConflict` when someone saved in between
    (nothing is written: both versions survive, the saved one here, the typed one in the form).
    Its maker stays an author; a design that is ready or further keeps at least two authors."""
    design = (
        LessonDesign.objects.select_for_update(of=("self",))
        .select_related("team", "group", "goal", "created_by", "updated_by")
        .get(pk=design_id, school_id=school_id)
    )
    if design.version != version:
        typed = {
            "title": title,
            "subject": subject,
            "group": group,
            "planned_on": planned_on,
            "lesson_goal": lesson_goal,
            "success_criteria": success_criteria,
            "checks": checks,
            "activities": activities,
            "goal": goal,
            "techniques": techniques,
            "authors": authors,
        }
        raise _conflict(design, typed)
    author_ids = _ids(authors) | ({design.created_by_id} if design.created_by_id else set())
    current_ids = set(LessonDesignAuthor.objects.filter(design=design).values_list("user_id", flat=True))
    errors: dict = {}
    _check_text(errors, title=title, subject=subject, lesson_goal=lesson_goal)
    # Only newly named authors must work here now: one who has since left the school stays an
    # author of what they made.
    _collect(errors, _check_authors, design.school_id, author_ids - current_ids)
    if getattr(goal, "pk", None) != design.goal_id:
        # Only a newly chosen goal is checked: an older design keeps the goal it was made for
        # after that cycle closed.
        _collect(errors, _check_goal, design.team, goal)
    if design.status != DesignStatus.DRAFT and len(author_ids) < LessonDesign.MIN_AUTHORS and "authors" not in errors:
        errors["authors"] = _(
            "Dit lesontwerp is al klaar: het houdt minstens %(min)s auteurs. Zet het eerst terug naar concept."
        ) % {"min": LessonDesign.MIN_AUTHORS}
    pupil_group = None
    try:
        pupil_group = pupil_group_get_or_create(school_id=design.school_id, name=group, team_id=design.team_id)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    design.title, design.subject, design.group = title.strip(), subject.strip(), pupil_group
    design.planned_on, design.lesson_goal = planned_on, lesson_goal.strip()
    design.success_criteria, design.checks = success_criteria.strip(), checks.strip()
    design.activities, design.goal = activities.strip(), goal
    design.version += 1
    design.updated_by = user
    design.save()
    _set_authors(design, author_ids, existing=current_ids & author_ids)
    _set_techniques(design, parse_techniques(techniques))
    return design


def _conflict(design: LessonDesign, typed: dict) -> EditConflict:
    """What differs between the stored design and what was typed, both as people read them. Its
    maker is an author whatever the form says, so is left out of both lists of co-authors."""
    # Both through indexed lookups (the design's rows, then ids): never a scan of all users.
    people = {
        a.user_id: a.user.full_name for a in LessonDesignAuthor.objects.filter(design=design).select_related("user")
    }
    author_ids = set(people) - {design.created_by_id}
    typed_ids = _ids(typed["authors"]) - {design.created_by_id}
    if typed_ids - set(people):
        people.update((u.pk, u.full_name) for u in User.objects.filter(pk__in=typed_ids - set(people)))

    def names(ids) -> str:
        return ", ".join(sorted(people[i] for i in ids if i in people))

    def day(value) -> str:
        return date_format(value, "j F Y") if value else ""

    goal = typed["goal"]
    stored = {
        "title": design.title,
        "subject": design.subject,
        "group": design.group.name,
        "planned_on": day(design.planned_on),
        "lesson_goal": design.lesson_goal,
        "success_criteria": design.success_criteria,
        "checks": design.checks,
        "activities": design.activities,
        "goal": design.goal.big_goal if design.goal else "",
        "techniques": ", ".join(
            LessonDesignTechnique.objects.filter(design=design).values_list("technique_code", flat=True)
        ),
        "authors": names(author_ids),
    }
    yours = {
        **typed,
        "planned_on": day(typed["planned_on"]),
        "goal": goal.big_goal if goal else "",
        "techniques": ", ".join(parse_techniques(typed["techniques"])),
        "authors": names(typed_ids),
    }
    labels = {
        **{name: LessonDesign._meta.get_field(name).verbose_name for name in CONTENT_FIELDS[:8]},
        "goal": _("teamdoel"),
        "techniques": _("technieken"),
        "authors": _("mede-auteurs"),
    }
    saver = design.updated_by or design.created_by
    return EditConflict(
        version=design.version,
        fields=differing(stored, yours, labels),
        saved_by=saver.full_name if saver else "",
        saved_at=design.updated_at,
    )


# --- Status and evaluation --------------------------------------------------------------------------


def _locked(design: LessonDesign) -> LessonDesign:
    return LessonDesign.objects.select_for_update(of=("self",)).get(pk=design.pk, school_id=design.school_id)


@transaction.atomic
def lesson_design_status_set(*, design: LessonDesign, user: User, status: str) -> LessonDesign:
    """Move a design one step: draft → ready (with at least two authors) → given; ready may go
    back to draft. "Evaluated" is reached by recording the evaluation (lesson_design_evaluate)."""
    if status not in DesignStatus.values:
        raise ValidationError({"status": _("Kies een status: concept, klaar, gegeven of geëvalueerd.")})
    locked = _locked(design)
    if status == DesignStatus.EVALUATED and locked.status == DesignStatus.GIVEN:
        raise ValidationError({"status": _("Vul eerst de evaluatie in: daarmee is de les geëvalueerd.")})
    if status not in STATUS_STEPS[locked.status]:
        raise ValidationError(
            {
                "status": _("Dit lesontwerp staat op ‘%(current)s’ en kan niet naar ‘%(wanted)s’.")
                % {"current": DesignStatus(locked.status).label, "wanted": DesignStatus(status).label}
            }
        )
    if status == DesignStatus.READY:
        authors = LessonDesignAuthor.objects.filter(design=locked).count()
        if authors < LessonDesign.MIN_AUTHORS:
            raise ValidationError(
                {
                    "status": _(
                        "Een lesontwerp maak je samen: het kan pas op ‘klaar’ met minstens %(min)s auteurs. "
                        "Voeg bij ‘Bewerken’ een collega toe als auteur."
                    )
                    % {"min": LessonDesign.MIN_AUTHORS}
                }
            )
    LessonDesign.objects.filter(pk=locked.pk).update(
        status=status, version=F("version") + 1, updated_at=timezone.now(), updated_by=user
    )
    design.status, design.version = status, locked.version + 1
    return design


@transaction.atomic
def lesson_design_evaluate(
    *, design: LessonDesign, user: User, goal_reached: str, evaluation: str = "", next_step: str
) -> LessonDesign:
    """Record how the lesson went (did the pupils reach the goal, what was seen, what the pair
    does next); a given lesson becomes evaluated. An evaluated one may be corrected."""
    locked = _locked(design)
    errors: dict = {}
    if locked.status not in (DesignStatus.GIVEN, DesignStatus.EVALUATED):
        errors["status"] = _("Een les evalueer je nadat je hem gegeven hebt: zet het ontwerp eerst op ‘gegeven’.")
    if goal_reached not in GoalReached.values:
        errors["goal_reached"] = _("Kies of de leerlingen het lesdoel bereikt hebben: ja, gedeeltelijk of nee.")
    if not (next_step or "").strip():
        errors["next_step"] = _("Schrijf op wat jullie nu gaan doen.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    fields = {
        "status": DesignStatus.EVALUATED,
        "goal_reached": goal_reached,
        "evaluation": (evaluation or "").strip(),
        "next_step": next_step.strip(),
        "evaluated_at": locked.evaluated_at or now,
    }
    LessonDesign.objects.filter(pk=locked.pk).update(
        **fields, version=F("version") + 1, updated_at=now, updated_by=user
    )
    for name, value in fields.items():
        setattr(design, name, value)
    design.version = locked.version + 1
    return design


# --- Reuse: copy and share ----------------------------------------------------------------------


@transaction.atomic
def lesson_design_copy(*, design: LessonDesign, user: User, team: Team) -> LessonDesign:
    """A new draft from `design` for `team` (the copier's): the same lesson, the copier as its
    only author, its own date and evaluation still to come."""
    if team.school_id != design.school_id:
        raise ValidationError({"team": _("Kies een team van deze school.")})
    # A team goal belongs to one team's board: it only comes along within the same team.
    goal = design.goal if design.team_id == team.pk and design.goal_id else None
    if goal is not None:
        try:
            _check_goal(team, goal)
        except ValidationError:
            goal = None  # the cycle has closed since: the copy starts without a goal
    copy = LessonDesign.objects.create(
        school_id=design.school_id,
        team=team,
        title=design.title,
        subject=design.subject,
        group_id=design.group_id,
        lesson_goal=design.lesson_goal,
        success_criteria=design.success_criteria,
        checks=design.checks,
        activities=design.activities,
        goal=goal,
        copied_from=design,
        created_by=user,
    )
    _set_authors(copy, {user.pk})
    codes = list(LessonDesignTechnique.objects.filter(design=design).values_list("technique_code", flat=True))
    _set_techniques(copy, codes)
    return copy


def lesson_design_share(*, design: LessonDesign, user: User, team: Team) -> LessonDesignShare | None:
    """Share the design with another team of the school: its teachers may read and copy it.
    Sharing again changes nothing. The design's content is untouched, so its version is too: a
    colleague editing it meanwhile is not sent into a conflict."""
    if team.school_id != design.school_id:
        raise ValidationError({"team": _("Kies een team van deze school.")})
    if team.pk == design.team_id:
        raise ValidationError({"team": _("Dit lesontwerp is al van %(team)s.") % {"team": team.name}})
    existing = LessonDesignShare.objects.filter(design=design, team=team).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return LessonDesignShare.objects.create(
                school_id=design.school_id, design=design, team=team, shared_by=user
            )
    except IntegrityError:  # a colleague shared it with the same team a moment ago
        return LessonDesignShare.objects.get(design=design, team=team)


def lesson_design_unshare(*, design: LessonDesign, user: User, team: Team) -> None:
    """Stop sharing the design with `team` (nothing happens if it was not shared)."""
    if team.school_id != design.school_id:
        raise ValidationError({"team": _("Kies een team van deze school.")})
    LessonDesignShare.objects.filter(design=design, team=team).delete()
