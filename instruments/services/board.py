"""Writes on improvement boards. Each service validates, writes, records the change in the board's
history and bumps the board's revision (which the presentation screen watches).

Concurrency: a card edit names the version it started from and the values it started from
(`base`). Only the fields this person changed are written. If the card moved on meanwhile and
someone else changed one of those same fields to something else, nothing is written and the
core's `EditConflict` names the fields with both values; edits to different fields both survive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.models import (
    Action,
    ActionOwner,
    ActionStatus,
    Attendance,
    BoardEvent,
    BoardKind,
    BoardSession,
    Entity,
    Goal,
    GoalCycle,
    GoalStatus,
    ImprovementBoard,
    Measurement,
    Mood,
    Obstacle,
    ObstacleStatus,
    Success,
    Theme,
    Verb,
)
from instruments.selectors.board import board_snapshot, with_owner_names
from leerkracht import clock
from leerkracht.conflicts import EditConflict, FieldConflict
from schools.models import Team, TeamMembership, User
from schools.selectors import school_staff

# --- History ----------------------------------------------------------------------------------


def display(value: Any) -> str:
    """A value as people read it in the history and in conflict messages."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return date_format(value, "j F Y")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}".replace(".", ",")
    if isinstance(value, User):
        return value.full_name
    if isinstance(value, Iterable) and not isinstance(value, str):
        return ", ".join(sorted(display(v) for v in value)) or "—"
    return str(value)


def people_ref(user_ids: Iterable[int]) -> str:
    """People as the history records them: by reference ("#12,#15"), never by name. The
    history is append-only, so a name copied into it could never be erased; the page names them
    when it is read, by the school's rule ("oud-collega" for a leaver). See
    instruments.selectors.board.board_history."""
    ids = sorted(set(user_ids))
    return ",".join(f"#{pk}" for pk in ids) if ids else "—"


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    old: str
    new: str


def _record(
    *, board: ImprovementBoard, user: User | None, entity: Entity, entity_id: int, verb: Verb, changes=()
) -> None:
    """Append to the board's history and bump its revision (one insert, one update)."""
    now = timezone.now()
    rows = [
        BoardEvent(
            school_id=board.school_id,
            board=board,
            at=now,
            user=user,
            entity=entity,
            entity_id=entity_id,
            verb=verb,
            field=change.field,
            field_label=change.label,
            old=change.old,
            new=change.new,
        )
        for change in changes
    ] or [
        BoardEvent(
            school_id=board.school_id, board=board, at=now, user=user, entity=entity, entity_id=entity_id, verb=verb
        )
    ]
    BoardEvent.objects.bulk_create(rows)
    ImprovementBoard.objects.filter(pk=board.pk).update(revision=F("revision") + 1)


# --- Boards and cycles ------------------------------------------------------------------------


@transaction.atomic
def board_create(
    *, school_id: int, kind: BoardKind, title: str, user: User | None, team: Team | None = None
) -> ImprovementBoard:
    """Start a board from the programme's template: an empty board in its first goal cycle,
    starting this week."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Geef het bord een naam.")})
    if kind != BoardKind.ORGANISATIONAL and team is None:
        raise ValidationError(_("Een team- of klassenbord hoort bij een team."))
    if team is not None and team.school_id != school_id:
        raise ValidationError(_("Dit team hoort niet bij deze school."))
    if kind == BoardKind.TEAM and ImprovementBoard.objects.filter(team=team, kind=BoardKind.TEAM).exists():
        raise ValidationError(_("Dit team heeft al een verbeterbord."))
    board = ImprovementBoard.objects.create(
        school_id=school_id,
        team=team if kind != BoardKind.ORGANISATIONAL else None,
        kind=kind,
        title=title,
        owner=user if kind == BoardKind.CLASS else None,
    )
    cycle = GoalCycle.objects.create(school_id=school_id, board=board, number=1, starts_on=clock.this_week(), weeks=6)
    _record(board=board, user=user, entity=Entity.BOARD, entity_id=board.pk, verb=Verb.CREATED)
    _record(board=board, user=user, entity=Entity.CYCLE, entity_id=cycle.pk, verb=Verb.CREATED)
    return board


def team_board_get_or_create(*, team: Team, user: User | None) -> ImprovementBoard:
    """The team's board, made from the template the first time someone who may edit opens it."""
    board = ImprovementBoard.objects.filter(team=team, kind=BoardKind.TEAM).first()
    if board is not None:
        return board
    try:
        return board_create(school_id=team.school_id, kind=BoardKind.TEAM, title=team.name, user=user, team=team)
    except (IntegrityError, ValidationError):
        # A colleague made it a moment ago; any other refusal stands.
        existing = ImprovementBoard.objects.filter(team=team, kind=BoardKind.TEAM).first()
        if existing is None:
            raise
        return existing


def open_cycle(board: ImprovementBoard) -> GoalCycle:
    return GoalCycle.objects.get(board=board, closed_at__isnull=True)


@transaction.atomic
def cycle_close(
    *,
    board: ImprovementBoard,
    user: User,
    went_well: str,
    to_change: str,
    goals_reached: str,
    next_weeks: int,
    carry_over_action_ids: Iterable[int] = (),
) -> GoalCycle:
    """Close the open cycle with its retrospective and open the next one, starting this week.
    Open actions carry over when the team chose so; the others stay behind in the closed cycle.
    Active goals go on into the next cycle."""
    cycle = GoalCycle.objects.select_for_update().get(board=board, closed_at__isnull=True)
    if not (GoalCycle.MIN_WEEKS <= next_weeks <= GoalCycle.MAX_WEEKS):
        raise ValidationError({"next_weeks": _("Een cyclus duurt 4 tot 8 weken.")})
    if not (went_well.strip() or to_change.strip() or goals_reached.strip()):
        raise ValidationError(_("Schrijf in een paar woorden terug hoe de cyclus ging."))
    cycle.went_well, cycle.to_change, cycle.goals_reached = went_well.strip(), to_change.strip(), goals_reached.strip()
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["went_well", "to_change", "goals_reached", "closed_at"])
    following = GoalCycle.objects.create(
        school_id=board.school_id, board=board, number=cycle.number + 1, starts_on=clock.this_week(), weeks=next_weeks
    )
    Goal.objects.filter(cycle=cycle, status=GoalStatus.ACTIVE).update(cycle=following)
    carry = set(carry_over_action_ids)
    Action.objects.filter(cycle=cycle, pk__in=carry).exclude(status=ActionStatus.DONE).update(cycle=following)
    _record(
        board=board,
        user=user,
        entity=Entity.CYCLE,
        entity_id=cycle.pk,
        verb=Verb.CHANGED,
        changes=[Change("closed_at", _("afgesloten"), "—", display(timezone.localdate()))],
    )
    _record(board=board, user=user, entity=Entity.CYCLE, entity_id=following.pk, verb=Verb.CREATED)
    return following


# --- Cards: shared edit with optimistic concurrency -------------------------------------------


ENTITY_OF = {Goal: Entity.GOAL, Action: Entity.ACTION, Obstacle: Entity.OBSTACLE, Success: Entity.SUCCESS}


def _current_value(card, field: str):
    if field == "owners":
        return frozenset(card.owners.values_list("pk", flat=True))
    return getattr(card, field)


def _comparable(field: str, value):
    if field == "owners":
        return frozenset(getattr(v, "pk", v) for v in (value or ()))
    if isinstance(value, str):
        return value.strip()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _history_value(card, field: str, value) -> str:
    """A value as the history records it: people by reference, anything else as people read it."""
    if field == "owners":
        return people_ref(value)
    return _field_display(card, field, value)


def _field_display(card, field: str, value) -> str:
    model_field = card._meta.get_field(field)
    if field == "owners":
        users = User.objects.filter(pk__in=value).order_by("first_name")
        return display(list(users))
    if getattr(model_field, "choices", None) and value not in (None, ""):
        return str(dict(model_field.choices).get(value, value))
    if model_field.is_relation and value is not None:
        # The base manager: the card's own related row, already inside the board's school.
        return display(model_field.related_model._base_manager.filter(pk=value).first())
    if field in ("due_week",) and value:
        return clock.week_label(value)
    return display(value)


def _label(card, field: str) -> str:
    return str(card._meta.get_field(field).verbose_name)


@transaction.atomic
def card_update(
    *,
    card_model,
    board: ImprovementBoard,
    card_id: int,
    user: User,
    version: int,
    base: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    validate=None,
    queryset=None,
):
    """Write the fields of a card this person changed (those where `values` differs from `base`)
    and return the saved card. Raises `EditConflict` when another save changed one of those fields
    to something else since `version`. `base=None` takes the saved values as the base: the
    change is simply applied (a move). `queryset` may add what the caller shows afterwards (only
    the card's own row is locked)."""
    queryset = card_model.objects.all() if queryset is None else queryset
    card = queryset.select_for_update(of=("self",)).get(pk=card_id, board=board)
    if base is None:
        base = {field: _current_value(card, field) for field in values}
    mine = {
        field: value
        for field, value in values.items()
        if _comparable(field, value) != _comparable(field, base.get(field))
    }
    if card.version != version:
        conflicts = []
        for field, value in mine.items():
            theirs = _comparable(field, _current_value(card, field))
            if theirs != _comparable(field, base.get(field)) and theirs != _comparable(field, value):
                conflicts.append(field)
        if conflicts:
            raise _conflict(card, board=board, fields=conflicts, values=mine)
    if validate is not None:
        # Only what this person changes is checked: a title fix must not fail on an owner who has
        # since left the team or a due week of a cycle the action was carried over from.
        validate(card, mine)
    changes = []
    for field, value in mine.items():
        old = _current_value(card, field)
        if _comparable(field, old) == _comparable(field, value):
            continue  # someone else already saved exactly this
        changes.append(
            Change(
                field,
                _label(card, field),
                _history_value(card, field, _comparable(field, old)),
                _history_value(card, field, _comparable(field, value)),
            )
        )
        if field == "owners":
            _owners_set(card, value)
        else:
            setattr(card, field, value)
    if not changes:
        return card
    if isinstance(card, Action) and any(change.field == "status" for change in changes):
        card.done_at = timezone.now() if card.status == ActionStatus.DONE else None
    card.version += 1
    card.save()
    _record(board=board, user=user, entity=ENTITY_OF[card_model], entity_id=card.pk, verb=Verb.CHANGED, changes=changes)
    return card


def _conflict(card, *, board, fields: list[str], values: Mapping[str, Any]) -> EditConflict:
    """The conflict in `fields`: both values of each, and who saved the stored one and when,
    per field and for the card, as the card's history records them."""
    last = {}
    events = (
        BoardEvent.objects.filter(board=board, entity=ENTITY_OF[type(card)], entity_id=card.pk)
        .select_related("user")
        .order_by("at", "id")
    )
    for event in events:
        last[event.field] = last[None] = (event.user.full_name if event.user else "", event.at)
    saved_by, saved_at = last.get(None, ("", None))
    return EditConflict(
        version=card.version,
        saved_by=saved_by,
        saved_at=saved_at,
        fields=[
            FieldConflict(
                field=field,
                label=_label(card, field),
                yours=_field_display(card, field, _comparable(field, values[field])),
                theirs=_field_display(card, field, _comparable(field, _current_value(card, field))),
                by=last.get(field, ("", None))[0],
                at=last.get(field, ("", None))[1],
            )
            for field in fields
        ],
    )


def _owners_set(action: Action, users) -> None:
    ids = {getattr(u, "pk", u) for u in users}
    ActionOwner.objects.filter(action=action).exclude(user_id__in=ids).delete()
    existing = set(ActionOwner.objects.filter(action=action).values_list("user_id", flat=True))
    ActionOwner.objects.bulk_create(
        [ActionOwner(school_id=action.school_id, action=action, user_id=uid) for uid in ids - existing]
    )


def _created(board: ImprovementBoard, user: User, card, fields: Iterable[str]) -> None:
    changes = []
    for field in fields:
        value = _current_value(card, field) if field == "owners" else getattr(card, field)
        if value in (None, "", frozenset()):
            continue
        changes.append(Change(field, _label(card, field), "—", _history_value(card, field, _comparable(field, value))))
    _record(board=board, user=user, entity=ENTITY_OF[type(card)], entity_id=card.pk, verb=Verb.CREATED, changes=changes)


# --- Team members (owners, attendance, roles) -------------------------------------------------


def board_member_ids(board: ImprovementBoard) -> set[int]:
    """Who belongs to the board: the team's members (an organisational board: nobody in
    particular, so anyone who works in the school may be named)."""
    if board.team_id is None:
        return set(school_staff(school_id=board.school_id).values_list("pk", flat=True))
    return set(
        TeamMembership.objects.filter(school_id=board.school_id, team_id=board.team_id).values_list(
            "user_id", flat=True
        )
    )


def _check_owners(board: ImprovementBoard, owners) -> None:
    outside = {getattr(o, "pk", o) for o in owners} - board_member_ids(board)
    if outside:
        raise ValidationError({"owners": _("Kies alleen mensen uit het team.")})


def _check_due_week(cycle: GoalCycle, due_week: dt.date | None) -> None:
    if due_week is None:
        return
    if not (cycle.starts_on <= due_week <= cycle.last_week):
        raise ValidationError(
            {
                "due_week": _("Kies een week in deze cyclus: %(first)s tot en met %(last)s.")
                % {"first": clock.week_label(cycle.starts_on), "last": clock.week_label(cycle.last_week)}
            }
        )


def _check_goal(board: ImprovementBoard, goal: Goal | None) -> None:
    if goal is not None and goal.board_id != board.pk:
        raise ValidationError({"goal": _("Dit doel hoort niet bij dit bord.")})


def _next_position(model, board: ImprovementBoard) -> int:
    return (model.objects.filter(board=board).aggregate(m=Max("position"))["m"] or 0) + 1


# --- Goals and measurements -------------------------------------------------------------------

GOAL_FIELDS = ("big_goal", "concrete", "measure_what", "measure_how", "baseline", "target", "unit", "theme", "status")


def _check_theme(board: ImprovementBoard, theme: Theme | None) -> None:
    if theme is not None and theme.school_id != board.school_id:
        raise ValidationError({"theme": _("Dit thema hoort niet bij deze school.")})


@transaction.atomic
def goal_create(*, board: ImprovementBoard, user: User, **values) -> Goal:
    """Add a goal to the open cycle. Only the big goal is needed to begin; the other steps follow."""
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items() if k in GOAL_FIELDS}
    values["status"] = values.get("status") or GoalStatus.ACTIVE  # the add form does not ask
    if not (values.get("big_goal") or "").strip():
        raise ValidationError({"big_goal": _("Schrijf op wat jullie willen bereiken.")})
    _check_theme(board, values.get("theme"))
    goal = Goal.objects.create(
        school_id=board.school_id,
        board=board,
        cycle=open_cycle(board),
        created_by=user,
        position=_next_position(Goal, board),
        **values,
    )
    _created(board, user, goal, GOAL_FIELDS)
    return goal


def goal_update(*, board: ImprovementBoard, goal_id: int, user: User, version: int, base, values) -> Goal:
    """Edit a goal's steps (see `card_update`)."""

    def validate(goal, merged):
        if "big_goal" in merged and not (merged["big_goal"] or "").strip():
            raise ValidationError({"big_goal": _("Schrijf op wat jullie willen bereiken.")})
        _check_theme(board, merged.get("theme"))

    return card_update(
        card_model=Goal,
        board=board,
        card_id=goal_id,
        user=user,
        version=version,
        base=base,
        values=values,
        validate=validate,
    )


@transaction.atomic
def measurement_add(
    *, board: ImprovementBoard, goal: Goal, user: User, week: dt.date, value: Decimal, note: str = ""
) -> Measurement:
    """Record a goal's value for one week (one per week: a second one for the same week is refused
    so nobody overwrites a colleague's number by accident)."""
    if goal.board_id != board.pk:
        raise ValidationError(_("Dit doel hoort niet bij dit bord."))
    week = clock.monday_of(week)
    if week > clock.this_week():
        raise ValidationError({"week": _("Een meting gaat over deze week of een week die voorbij is.")})
    if Measurement.objects.filter(goal=goal, week=week).exists():
        raise ValidationError(
            {"week": _("Voor %(week)s is al een meting ingevuld.") % {"week": clock.week_label(week)}}
        )
    measurement = Measurement.objects.create(
        school_id=board.school_id, goal=goal, week=week, value=value, note=note.strip(), created_by=user
    )
    _record(
        board=board,
        user=user,
        entity=Entity.MEASUREMENT,
        entity_id=goal.pk,  # a measurement's history is its goal's history
        verb=Verb.CREATED,
        changes=[
            Change(
                "value",
                f"{_('meting')} {clock.week_label(week)}",
                "—",
                display(value) + (f" {goal.unit}" if goal.unit else ""),
            )
        ],
    )
    return measurement


# --- Actions ----------------------------------------------------------------------------------

ACTION_FIELDS = ("title", "owners", "due_week", "status", "goal")


@transaction.atomic
def action_create(
    *,
    board: ImprovementBoard,
    user: User,
    title: str,
    owners=(),
    due_week: dt.date | None = None,
    goal: Goal | None = None,
    status: str = ActionStatus.TODO,
) -> Action:
    """Agree an action: what, who, by which week. Made during an open session, it becomes part of
    that session's record."""
    title = title.strip()
    cycle = open_cycle(board)
    errors = {}
    if not title:
        errors["title"] = _("Schrijf op wat er gedaan wordt.")
    for check, value in ((_check_owners, owners), (_check_goal, goal)):
        try:
            check(board, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    try:
        _check_due_week(cycle, due_week)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    session = BoardSession.objects.filter(board=board, closed_at__isnull=True).order_by("-week").first()
    action = Action.objects.create(
        school_id=board.school_id,
        board=board,
        cycle=cycle,
        goal=goal,
        title=title,
        due_week=due_week,
        status=status,
        done_at=timezone.now() if status == ActionStatus.DONE else None,
        session=session,
        created_by=user,
        position=_next_position(Action, board),
    )
    _owners_set(action, owners)
    _created(board, user, action, ACTION_FIELDS)
    return action


def action_update(*, board: ImprovementBoard, action_id: int, user: User, version: int, base, values) -> Action:
    """Edit an action (see `card_update`); owners must be team members, the due week in the cycle."""

    def validate(action, merged):
        errors = {}
        if "title" in merged and not (merged["title"] or "").strip():
            errors["title"] = _("Schrijf op wat er gedaan wordt.")
        checks = [
            (lambda: _check_owners(board, merged.get("owners", ()))),  # empty when unchanged
            (lambda: _check_due_week(action.cycle, merged.get("due_week"))),
            (lambda: _check_goal(board, merged.get("goal"))),
        ]
        for check in checks:
            try:
                check()
            except ValidationError as error:
                errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)

    return card_update(
        card_model=Action,
        board=board,
        card_id=action_id,
        user=user,
        version=version,
        base=base,
        values=values,
        validate=validate,
    )


def action_move(
    *,
    board: ImprovementBoard,
    action_id: int,
    user: User,
    status: str,
    version: int,
    seen_status: str | None = None,
) -> Action:
    """Move an action to to do / doing / done. A move only touches the status, so it never
    conflicts with a colleague's edit of the text. With `seen_status` (the status this person
    saw, where the action is shown away from its board, as on "Mijn week") a colleague's move
    since `version` to yet another status is an `EditConflict`: nobody moves blindly what they
    no longer see."""
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Kies te doen, bezig of klaar.")})
    return card_update(
        card_model=Action,
        board=board,
        card_id=action_id,
        user=user,
        version=version,
        base=None if seen_status is None else {"status": seen_status},
        values={"status": status},
        # The moved card is shown right away: read its goal and owners while locking it.
        queryset=with_owner_names(Action.objects.select_related("goal")),
    )


# --- Obstacles and successes ------------------------------------------------------------------

OBSTACLE_FIELDS = ("title", "description", "status", "resolution")
SUCCESS_FIELDS = ("title", "who", "happened_on")


@transaction.atomic
def obstacle_create(*, board: ImprovementBoard, user: User, title: str, description: str = "") -> Obstacle:
    """Park a knelpunt on the board."""
    if not title.strip():
        raise ValidationError({"title": _("Schrijf op wat jullie tegenhoudt.")})
    obstacle = Obstacle.objects.create(
        school_id=board.school_id, board=board, title=title.strip(), description=description.strip(), created_by=user
    )
    _created(board, user, obstacle, OBSTACLE_FIELDS[:2])
    return obstacle


def obstacle_update(*, board: ImprovementBoard, obstacle_id: int, user: User, version: int, base, values) -> Obstacle:
    """Edit a knelpunt (see `card_update`)."""

    def validate(obstacle, merged):
        if "title" in merged and not (merged["title"] or "").strip():
            raise ValidationError({"title": _("Schrijf op wat jullie tegenhoudt.")})

    return card_update(
        card_model=Obstacle,
        board=board,
        card_id=obstacle_id,
        user=user,
        version=version,
        base=base,
        values=values,
        validate=validate,
    )


@transaction.atomic
def obstacle_resolve(
    *, board: ImprovementBoard, obstacle_id: int, user: User, version: int, resolution: str
) -> Obstacle:
    """Mark a knelpunt resolved, saying how."""
    if not resolution.strip():
        raise ValidationError({"resolution": _("Schrijf in een paar woorden hoe het is opgelost.")})
    obstacle = card_update(
        card_model=Obstacle,
        board=board,
        card_id=obstacle_id,
        user=user,
        version=version,
        base={"status": ObstacleStatus.PARKED, "resolution": ""},
        values={"status": ObstacleStatus.RESOLVED, "resolution": resolution.strip()},
    )
    Obstacle.objects.filter(pk=obstacle.pk).update(resolved_at=timezone.now())
    return obstacle


@transaction.atomic
def obstacle_to_action(
    *, board: ImprovementBoard, obstacle_id: int, user: User, owners=(), due_week: dt.date | None = None
) -> Action:
    """Turn a knelpunt into an action: the action carries its text, the knelpunt is resolved by it."""
    obstacle = Obstacle.objects.select_for_update().get(pk=obstacle_id, board=board)
    if obstacle.status == ObstacleStatus.RESOLVED:
        raise ValidationError(_("Dit knelpunt is al opgelost."))
    action = action_create(board=board, user=user, title=obstacle.title, owners=owners, due_week=due_week)
    obstacle.action = action
    obstacle.status = ObstacleStatus.RESOLVED
    obstacle.resolution = _("Actie geworden: %(title)s") % {"title": action.title}
    obstacle.resolved_at = timezone.now()
    obstacle.version += 1
    obstacle.save()
    _record(
        board=board,
        user=user,
        entity=Entity.OBSTACLE,
        entity_id=obstacle.pk,
        verb=Verb.CHANGED,
        changes=[Change("status", _label(obstacle, "status"), str(ObstacleStatus.PARKED.label), _("Actie geworden"))],
    )
    return action


@transaction.atomic
def success_create(
    *, board: ImprovementBoard, user: User, title: str, who: str = "", happened_on: dt.date | None = None
) -> Success:
    """Put a success on the board to celebrate."""
    if not title.strip():
        raise ValidationError({"title": _("Schrijf op wat er te vieren is.")})
    happened_on = happened_on or timezone.localdate()
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": _("Een succes vier je als het gebeurd is: kies vandaag of eerder.")})
    success = Success.objects.create(
        school_id=board.school_id,
        board=board,
        title=title.strip(),
        who=who.strip(),
        happened_on=happened_on,
        created_by=user,
    )
    _created(board, user, success, SUCCESS_FIELDS)
    return success


def success_update(*, board: ImprovementBoard, success_id: int, user: User, version: int, base, values) -> Success:
    """Edit a success (see `card_update`)."""

    def validate(success, merged):
        if "title" in merged and not (merged["title"] or "").strip():
            raise ValidationError({"title": _("Schrijf op wat er te vieren is.")})
        if merged.get("happened_on") and merged["happened_on"] > timezone.localdate():
            raise ValidationError({"happened_on": _("Kies vandaag of eerder.")})

    return card_update(
        card_model=Success,
        board=board,
        card_id=success_id,
        user=user,
        version=version,
        base=base,
        values=values,
        validate=validate,
    )


# --- Board sessions ---------------------------------------------------------------------------


def session_roles_for(*, board: ImprovementBoard, members: list[User]) -> dict[str, User | None]:
    """Who leads, takes notes and keeps time at the next session: the roles rotate through the
    team in a fixed order (by name), one step per session held."""
    if board.is_class_board:
        owner = board.owner
        return {"lead": owner, "note_taker": owner, "timekeeper": owner}
    if not members:
        return {"lead": None, "note_taker": None, "timekeeper": None}
    held = BoardSession.objects.filter(board=board).count()
    ordered = sorted(members, key=lambda u: (u.first_name, u.last_name, u.pk))
    pick = lambda offset: ordered[(held + offset) % len(ordered)]  # noqa: E731
    return {"lead": pick(0), "note_taker": pick(1), "timekeeper": pick(2)}


@transaction.atomic
def session_start(*, board: ImprovementBoard, user: User, week: dt.date | None = None) -> BoardSession:
    """Start this week's board session, with this week's rotating roles."""
    week = clock.monday_of(week or timezone.localdate())
    if week > clock.this_week():
        raise ValidationError({"week": _("Een bordsessie begint in de week zelf, niet vooruit.")})
    if BoardSession.objects.filter(board=board, week=week, closed_at__isnull=True).exists():
        raise ValidationError(
            {"week": _("Er loopt al een bordsessie voor %(week)s.") % {"week": clock.week_label(week)}}
        )
    members = list(User.objects.filter(pk__in=board_member_ids(board))) if board.team_id else []
    roles = session_roles_for(board=board, members=members)
    try:
        with transaction.atomic():
            session = BoardSession.objects.create(
                school_id=board.school_id,
                board=board,
                cycle=open_cycle(board),
                week=week,
                started_at=timezone.now(),
                lead=roles["lead"],
                note_taker=roles["note_taker"],
                timekeeper=roles["timekeeper"],
            )
    except IntegrityError:  # a colleague's phone started it in the same instant
        raise ValidationError(
            {"week": _("Er loopt al een bordsessie voor %(week)s.") % {"week": clock.week_label(week)}}
        ) from None
    if user.pk in board_member_ids(board):
        Attendance.objects.create(school_id=board.school_id, session=session, user=user)
    _record(board=board, user=user, entity=Entity.SESSION, entity_id=session.pk, verb=Verb.CREATED)
    return session


def _open_session(board: ImprovementBoard, session_id: int) -> BoardSession:
    session = BoardSession.objects.select_for_update().get(pk=session_id, board=board)
    if not session.is_open:
        raise ValidationError(_("Deze bordsessie is al afgesloten; wat er toen gebeurde blijft zoals het was."))
    return session


@transaction.atomic
def attendance_set(*, board: ImprovementBoard, session_id: int, user: User, member_id: int, present: bool) -> None:
    """Tick a team member present (or not) at an open session."""
    session = _open_session(board, session_id)
    if member_id not in board_member_ids(board):
        raise ValidationError(_("Alleen teamleden kunnen aanwezig zijn."))
    if present:
        Attendance.objects.get_or_create(school_id=board.school_id, session=session, user_id=member_id)
    else:
        Attendance.objects.filter(session=session, user_id=member_id).delete()
    ImprovementBoard.objects.filter(pk=board.pk).update(revision=F("revision") + 1)


@transaction.atomic
def attendance_set_all(*, board: ImprovementBoard, session_id: int, user: User) -> int:
    """Tick every team member present at an open session at once ("iedereen aanwezig"); who was
    already ticked keeps their check-in. Returns how many were newly ticked."""
    if board.is_class_board:  # pupils check in anonymously, one mood at a time: there is no "everyone"
        raise ValidationError(_("Op een klassenbord tel je de check-ins, niet wie er is."))
    session = _open_session(board, session_id)
    present = set(Attendance.objects.filter(session=session, user__isnull=False).values_list("user_id", flat=True))
    missing = sorted(board_member_ids(board) - present)
    Attendance.objects.bulk_create(
        [Attendance(school_id=board.school_id, session=session, user_id=member_id) for member_id in missing]
    )
    if missing:
        ImprovementBoard.objects.filter(pk=board.pk).update(revision=F("revision") + 1)
    return len(missing)


@transaction.atomic
def mood_check_in(*, board: ImprovementBoard, session_id: int, user: User, mood: str) -> None:
    """Check in with a mood. A team member's own mood (changeable, and it marks them present); on a
    class board the teacher's device taps one anonymous pupil mood at a time. Moods are only ever
    shown as counts."""
    if mood not in Mood.values:
        raise ValidationError({"mood": _("Kies een van de stemmingen.")})
    session = _open_session(board, session_id)
    if board.is_class_board:
        Attendance.objects.create(school_id=board.school_id, session=session, user=None, mood=mood)
    else:
        if user.pk not in board_member_ids(board):
            raise ValidationError(_("Alleen teamleden checken in."))
        Attendance.objects.update_or_create(
            session=session, user=user, defaults={"mood": mood, "school_id": board.school_id}
        )
    ImprovementBoard.objects.filter(pk=board.pk).update(revision=F("revision") + 1)


SESSION_ROLE_FIELDS = ("lead", "note_taker", "timekeeper")


@transaction.atomic
def session_roles_set(
    *, board: ImprovementBoard, session_id: int, user: User, roles: Mapping[str, User | None]
) -> None:
    """Swap who leads, takes notes or keeps time this week (someone is ill, say)."""
    session = _open_session(board, session_id)
    members = board_member_ids(board)
    changes = []
    for field in SESSION_ROLE_FIELDS:
        person = roles.get(field)
        if person is not None and person.pk not in members:
            raise ValidationError({field: _("Kies iemand uit het team.")})
        if getattr(session, f"{field}_id") != (person.pk if person else None):
            changes.append(
                Change(
                    field,
                    str(BoardSession._meta.get_field(field).verbose_name or field),
                    people_ref([getattr(session, f"{field}_id")] if getattr(session, f"{field}_id") else []),
                    people_ref([person.pk] if person else []),
                )
            )
            setattr(session, field, person)
    if changes:
        session.save(update_fields=list(SESSION_ROLE_FIELDS))
        _record(board=board, user=user, entity=Entity.SESSION, entity_id=session.pk, verb=Verb.CHANGED, changes=changes)


@transaction.atomic
def session_close(*, board: ImprovementBoard, session_id: int, user: User, decisions: str = "") -> BoardSession:
    """Close the session: its record keeps the date, who was there, how long it took, the
    decisions, the actions made, and a snapshot of the board as it stood."""
    session = _open_session(board, session_id)
    session.decisions = decisions.strip()
    session.closed_at = timezone.now()
    session.snapshot = board_snapshot(board=board, session=session)
    session.version += 1
    session.save()
    _record(
        board=board,
        user=user,
        entity=Entity.SESSION,
        entity_id=session.pk,
        verb=Verb.CHANGED,
        changes=[
            Change("closed_at", _("afgesloten"), "—", date_format(timezone.localtime(session.closed_at), "j F H:i"))
        ],
    )
    return session
