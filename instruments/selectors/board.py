"""Reads of improvement boards. The board is fetched through `access_board_by_id`; what is on it
is read here, each piece in one query whatever the number of goals, actions, measurements and
past weeks (the page's query count is pinned in the tests)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, StringAgg, Subquery, TextField, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from instruments.models import (
    Action,
    ActionOwner,
    ActionStatus,
    Ambition,
    Attendance,
    BoardEvent,
    BoardSession,
    Goal,
    GoalCycle,
    ImprovementBoard,
    Measurement,
    Mood,
    Obstacle,
    ObstacleStatus,
    PupilInput,
    Success,
    Theme,
)
from leerkracht import clock
from leerkracht.access import Access
from schools.models import SchoolMembership, TeamMembership, User
from schools.selectors import display_name_sql

RECENT_SUCCESSES = 8
RECENT_RESOLVED = 5
RHYTHM_WEEKS = 12


def board_members(*, board: ImprovementBoard) -> list[User]:
    """The people of a board, by first name: the team's members (an organisational board: the
    school's schoolcoaches and leader)."""
    if board.team_id is not None:
        memberships = TeamMembership.objects.filter(school_id=board.school_id, team_id=board.team_id).select_related(
            "user"
        )
    else:
        memberships = (
            SchoolMembership.objects.filter(school_id=board.school_id, role__in=["schoolcoach", "schoolleider"])
            .select_related("user")
            .distinct()
        )
    people = {m.user.pk: m.user for m in memberships}
    return sorted(people.values(), key=lambda u: (u.first_name, u.last_name, u.pk))


def _measurements_of_outer_goal():
    """Measurements of the outer query's goal. The outer goal is already scoped to the user's
    schools; a tenant filter in here too makes PostgreSQL walk the school's index once per goal
    instead of the (goal, week) one."""
    return Measurement.unscoped.filter(goal=OuterRef("pk"))


def with_pupil_input(goals):
    """Annotate what pupil groups said about each goal (stem van de leerling): how many inputs,
    and the latest one's id, week and ideas, as subqueries of the goal query itself, so the board
    costs no extra query for it."""
    # Correlated to the outer (scoped) goal by its id, like the measurements above.
    inputs = PupilInput.unscoped.filter(goal=OuterRef("pk"))
    latest = inputs.order_by("-week", "-id")
    count = inputs.order_by().values("goal").annotate(n=Count("id")).values("n")[:1]
    return goals.annotate(
        pupil_input_count=Coalesce(Subquery(count), Value(0)),
        pupil_input_latest_id=Subquery(latest.values("id")[:1]),
        pupil_input_latest_week=Subquery(latest.values("week")[:1]),
        pupil_input_latest=Subquery(latest.values("suggestions")[:1]),
    )


def open_cycle(*, board: ImprovementBoard) -> GoalCycle:
    """The board's open cycle (there is always exactly one)."""
    return GoalCycle.objects.get(board=board, closed_at__isnull=True)


def goals_of_cycle(*, cycle: GoalCycle) -> list[Goal]:
    """The cycle's goals with their latest measurement and number of measurements, and their
    pupils' input (one query)."""
    latest = _measurements_of_outer_goal().order_by("-week")
    goals = list(
        with_pupil_input(Goal.objects.filter(cycle=cycle))
        .select_related("theme")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_week=Subquery(latest.values("week")[:1]),
            measurement_count=Count("measurements"),
        )
        .order_by("position", "id")
    )
    for goal in goals:
        goal.cycle = cycle  # the measurement form lists the cycle's weeks: no query per goal
    return goals


def with_owner_names(actions):
    """Annotate `owner_names` ("Anna de Vries, Bram Smit") with a subquery: the same number of
    queries whatever the number of actions or owners (a prefetch adds one only when there are
    actions), and no GROUP BY, so it also works under SELECT … FOR UPDATE. An owner who left the
    school is "oud-collega" (the school's one naming rule, inside the same subquery)."""
    name = display_name_sql("user", school="school_id")
    names = (
        # Correlated to the outer (scoped) action by its id: the tenant filter inside would only
        # tempt PostgreSQL into scanning the school's index for every row.
        ActionOwner.unscoped.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        # No ORDER BY inside the aggregate: SQLite (the zero-configuration database) lacks it.
        .annotate(names=StringAgg(name, delimiter=Value(", "), output_field=TextField()))
        .values("names")
    )
    return actions.annotate(
        owner_names=Coalesce(Subquery(names, output_field=TextField()), Value(""), output_field=TextField())
    )


def actions_of_cycle(*, cycle: GoalCycle) -> dict[str, list[Action]]:
    """The cycle's actions by status, each with its owners' names and its goal (one query)."""
    columns: dict[str, list[Action]] = {status: [] for status in ActionStatus.values}
    actions = with_owner_names(Action.objects.filter(cycle=cycle).select_related("goal")).order_by("position", "id")
    for action in actions:
        columns[action.status].append(action)
    return columns


@dataclass
class Rhythm:
    """Board sessions per week: the last weeks, the current streak and the weeks missed."""

    weeks: list[tuple[dt.date, int]]  # (monday, sessions held), oldest first
    streak: int
    missed: int
    held_this_week: bool


def board_rhythm(*, board: ImprovementBoard, today: dt.date | None = None) -> Rhythm:
    """Sessions held per week over the last RHYTHM_WEEKS weeks, counted from the board's start."""
    this_week = clock.monday_of(today or timezone.localdate())
    return _rhythm(board, _held([board], this_week)[board.pk], this_week)


def rhythms_of(*, boards: list[ImprovementBoard], today: dt.date | None = None) -> dict[int, Rhythm]:
    """The rhythm of several boards (a school's, for its schoolcoach) in one query."""
    this_week = clock.monday_of(today or timezone.localdate())
    held = _held(boards, this_week)
    return {board.pk: _rhythm(board, held[board.pk], this_week) for board in boards}


def _held(boards: list[ImprovementBoard], this_week: dt.date) -> dict[int, dict[dt.date, int]]:
    """Sessions per (board, week) over the last year."""
    held: dict[int, dict[dt.date, int]] = {board.pk: {} for board in boards}
    rows = (
        BoardSession.objects.filter(
            board__in=[b.pk for b in boards], week__gte=this_week - dt.timedelta(weeks=52), week__lte=this_week
        )
        .values("board_id", "week")
        .annotate(n=Count("id"))
        .values_list("board_id", "week", "n")
    )
    for board_id, week, n in rows:
        held[board_id][week] = n
    return held


def _rhythm(board: ImprovementBoard, held: dict[dt.date, int], this_week: dt.date) -> Rhythm:
    since = this_week - dt.timedelta(weeks=52)
    first = max(clock.monday_of(timezone.localtime(board.created_at).date()), since)
    shown = [w for w in clock.weeks_between(this_week - dt.timedelta(weeks=RHYTHM_WEEKS - 1), this_week) if w >= first]
    # The streak counts back from last week; this week still counts once a session was held.
    streak = 0
    cursor = this_week if held.get(this_week) else this_week - dt.timedelta(weeks=1)
    while held.get(cursor):
        streak += 1
        cursor -= dt.timedelta(weeks=1)
    missed = sum(1 for w in shown if w < this_week and not held.get(w))
    return Rhythm(
        weeks=[(w, held.get(w, 0)) for w in shown],
        streak=streak,
        missed=missed,
        held_this_week=bool(held.get(this_week)),
    )


@dataclass
class CheckIn:
    present_ids: set[int]
    moods: list[tuple[str, str, int]]  # (value, label, count), every mood, in order
    checked_in: int
    my_mood: str


def session_check_in(*, session: BoardSession, user_id: int | None) -> CheckIn:
    """Who is present and the moods as counts (one query); never whose mood is whose, except
    the viewer's own so they can change it."""
    rows = list(Attendance.objects.filter(session=session).values_list("user_id", "mood"))
    counts = Counter(mood for _, mood in rows if mood)
    return CheckIn(
        present_ids={uid for uid, _ in rows if uid is not None},
        moods=[(value, str(label), counts.get(value, 0)) for value, label in Mood.choices],
        checked_in=sum(counts.values()),
        my_mood=next((mood for uid, mood in rows if uid == user_id and uid is not None), ""),
    )


@dataclass
class BoardPage:
    board: ImprovementBoard
    cycle: GoalCycle
    goals: list[Goal]
    actions: dict[str, list[Action]]
    obstacles: list[Obstacle]
    resolved_obstacles: list[Obstacle]
    successes: list[Success]
    session: BoardSession | None
    check_in: CheckIn | None
    members: list[User]
    rhythm: Rhythm
    ambition: Ambition | None
    themes: list[Theme]

    @property
    def open_action_count(self) -> int:
        return len(self.actions[ActionStatus.TODO]) + len(self.actions[ActionStatus.DOING])


def board_page(*, access: Access, board: ImprovementBoard) -> BoardPage:
    """Everything the board page shows, in a fixed number of queries."""
    cycle = GoalCycle.objects.get(board=board, closed_at__isnull=True)
    # Parked knelpunten and the last few resolved ones, in one query.
    recent = Obstacle.objects.filter(board=board, status=ObstacleStatus.RESOLVED).order_by("-resolved_at", "-id")
    rows = list(
        Obstacle.objects.filter(board=board).filter(
            ~Q(status=ObstacleStatus.RESOLVED) | Q(pk__in=Subquery(recent.values("pk")[:RECENT_RESOLVED]))
        )
    )
    obstacles = sorted((o for o in rows if o.status != ObstacleStatus.RESOLVED), key=lambda o: (o.created_at, o.pk))
    resolved = sorted(
        (o for o in rows if o.status == ObstacleStatus.RESOLVED),
        key=lambda o: (o.resolved_at is not None, o.resolved_at, o.pk),
        reverse=True,
    )
    session = (
        BoardSession.objects.filter(board=board, closed_at__isnull=True)
        .select_related("lead", "note_taker", "timekeeper")
        .order_by("-week")
        .first()
    )
    return BoardPage(
        board=board,
        cycle=cycle,
        goals=goals_of_cycle(cycle=cycle),
        actions=actions_of_cycle(cycle=cycle),
        obstacles=obstacles,
        resolved_obstacles=resolved,
        successes=list(Success.objects.filter(board=board).order_by("-happened_on", "-id")[:RECENT_SUCCESSES]),
        session=session,
        check_in=session_check_in(session=session, user_id=access.user_id) if session else None,
        members=board_members(board=board),
        rhythm=board_rhythm(board=board),
        ambition=Ambition.objects.filter(school_id=board.school_id).first(),
        themes=board_themes(board=board),
    )


def team_board(*, team) -> ImprovementBoard | None:
    """The team's improvement board, if it has been started."""
    return ImprovementBoard.objects.filter(team=team, kind="team").first()


def open_goals(*, board: ImprovementBoard) -> list[Goal]:
    """The goals of the open cycle, for an action's goal choice."""
    return list(Goal.objects.filter(board=board, cycle__closed_at__isnull=True).order_by("position", "id"))


# How the team felt, as a number per mood: only to compare a session with the ones before it.
MOOD_SCORES = {Mood.GREAT: 2, Mood.GOOD: 1, Mood.OKAY: 0, Mood.TIRED: -1, Mood.LOW: -2}
TREND_SESSIONS = 3  # the last closed session and the two before it
TREND_MARGIN = 0.25  # a smaller change in the average mood is "gelijk"


@dataclass
class LastSession:
    """A board's last closed session: when, who was there, and how the mood moved."""

    week: dt.date
    closed_at: dt.datetime
    present: int
    moods: list[tuple[str, str, int]]  # (value, label, count), the moods checked in with, in order
    trend: str  # "up", "same", "down", or "" when there is nothing to compare with


def last_sessions_of(*, boards: list[ImprovementBoard]) -> dict[int, LastSession]:
    """For each of these boards that held one, its last closed session with its attendance and
    the mood trend over its last few sessions (one query whatever the number of boards or
    sessions); moods only as counts, never whose."""
    if not boards:
        return {}

    def attendances(**where):
        # Correlated to the outer (scoped) session by its id, as in `with_owner_names`.
        rows = Attendance.unscoped.filter(session=OuterRef("pk"), **where).order_by().values("session")
        return Coalesce(Subquery(rows.annotate(n=Count("id")).values("n")), 0)

    moods = {f"mood_{value}": attendances(mood=value) for value in Mood.values}
    sessions = (
        BoardSession.objects.filter(board__in=[b.pk for b in boards], closed_at__isnull=False)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("board_id")], order_by=[F("week").desc(), F("closed_at").desc()]),
            present=attendances(user__isnull=False),
            **moods,
        )
        .filter(rank__lte=TREND_SESSIONS)
        .values("board_id", "week", "closed_at", "rank", "present", *moods)
    )
    by_board: dict[int, list[dict]] = {}
    for session in sorted(sessions, key=lambda row: row["rank"]):
        by_board.setdefault(session["board_id"], []).append(session)
    result = {}
    for board_id, held in by_board.items():
        counts = [Counter({value: row[f"mood_{value}"] for value in Mood.values}) for row in held]
        last = held[0]
        result[board_id] = LastSession(
            week=last["week"],
            closed_at=last["closed_at"],
            present=last["present"],
            moods=[(value, str(label), counts[0][value]) for value, label in Mood.choices if counts[0][value]],
            trend=_mood_trend(counts),
        )
    return result


def _mood_trend(counts: list[Counter]) -> str:
    """The last session's average mood against the average of the sessions before it (newest
    first); "" when the last one or all before it have no check-in."""
    averages = [
        sum(MOOD_SCORES[Mood(mood)] * n for mood, n in c.items()) / c.total() if c.total() else None for c in counts
    ]
    earlier = [a for a in averages[1:] if a is not None]
    if not averages or averages[0] is None or not earlier:
        return ""
    change = averages[0] - sum(earlier) / len(earlier)
    if change > TREND_MARGIN:
        return "up"
    if change < -TREND_MARGIN:
        return "down"
    return "same"


def boards_for(*, access: Access, school_id: int) -> list[ImprovementBoard]:
    """The school's boards this user may read: every board for roles that reach the whole
    school, a teacher's own teams' boards otherwise (organisational boards: whole-school roles)."""
    from leerkracht.roles import Capability, Reach

    reach = access.team_reach(Capability.TEAM_VIEW, school_id)
    boards = ImprovementBoard.objects.filter(school_id=school_id).select_related("team", "owner")
    if reach is Reach.OWN_TEAMS:
        boards = boards.filter(team_id__in=access.team_ids)
    elif reach is None:
        boards = boards.none()
    return list(boards.order_by("kind", "title"))


def session_actions_made(*, session: BoardSession) -> list[Action]:
    """The actions agreed during a session (part of its record)."""
    return list(with_owner_names(Action.objects.filter(session=session)).order_by("id"))


def board_themes(*, board: ImprovementBoard) -> list[Theme]:
    """The school's themes of this school year, for a goal's theme choice."""
    return list(Theme.objects.filter(school_id=board.school_id, school_year=clock.school_year()))


def goal_get(*, board: ImprovementBoard, goal_id: int) -> Goal:
    """A goal of this board with its latest measurement (DoesNotExist → the view's 404)."""
    latest = _measurements_of_outer_goal().order_by("-week")
    return (
        with_pupil_input(Goal.objects.select_related("theme", "cycle"))
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_week=Subquery(latest.values("week")[:1]),
            measurement_count=Count("measurements"),
        )
        .get(pk=goal_id, board=board)
    )


def goal_measurements(*, goal: Goal) -> list[Measurement]:
    return list(Measurement.objects.filter(goal=goal).order_by("week"))


GOAL_CHART_SECONDS = 60 * 60 * 24


def goal_chart_version(goal: Goal) -> str:
    """What a goal's chart depends on: its version (target, baseline) and its measurements (the
    goal as `goal_get` annotates it). The page asks for the chart with it, so a browser's copy and
    the kept drawing are never stale."""
    latest = goal.latest_week.strftime("%Y%m%d") if goal.latest_week else "0"
    return f"{goal.version}-{goal.measurement_count}-{latest}"


def goal_chart_svg(*, goal: Goal) -> str:
    """The goal's progress chart as SVG, drawn once per version of what it shows and kept in the
    cache (drawing takes tens of milliseconds)."""
    key = f"goal-chart:{goal.pk}:{goal_chart_version(goal)}"
    svg = cache.get(key)
    if svg is None:
        from instruments import charts  # matplotlib: loaded when a chart is drawn, not with the URLconf

        svg = charts.goal_progress_svg(goal=goal, measurements=goal_measurements(goal=goal))
        cache.set(key, svg, GOAL_CHART_SECONDS)
    return svg


def action_get(*, board: ImprovementBoard, action_id: int) -> Action:
    return with_owner_names(Action.objects.select_related("goal", "cycle")).get(pk=action_id, board=board)


def obstacle_get(*, board: ImprovementBoard, obstacle_id: int) -> Obstacle:
    return Obstacle.objects.get(pk=obstacle_id, board=board)


def success_get(*, board: ImprovementBoard, success_id: int) -> Success:
    return Success.objects.get(pk=success_id, board=board)


def session_get(*, board: ImprovementBoard, session_id: int) -> BoardSession:
    return BoardSession.objects.select_related("lead", "note_taker", "timekeeper", "cycle").get(
        pk=session_id, board=board
    )


def session_list(*, board: ImprovementBoard, page: int = 1, per_page: int = 20) -> Page:
    """Past and current sessions, newest first, with how many were present (paged)."""
    sessions = (
        BoardSession.objects.filter(board=board)
        .select_related("lead")
        .annotate(present=Count("attendances"))
        .order_by("-week", "-started_at")
    )
    return Paginator(sessions, per_page).get_page(page)


def board_history(
    *, board: ImprovementBoard, entity: str | None = None, entity_id: int | None = None, page: int = 1
) -> Page:
    """The board's recorded changes, newest first, optionally of one card (paged). People the
    history refers to ("#12,#15": owners, session roles) come as `old_people`/`new_people`, read
    in one query for the page (none when it refers to nobody), for the page to name them by the
    school's rule."""
    events = BoardEvent.objects.filter(board=board).select_related("user").order_by("-at", "-id")
    if entity:
        events = events.filter(entity=entity)
        if entity_id is not None:
            events = events.filter(entity_id=entity_id)
    current = Paginator(events, 50).get_page(page)
    current.object_list = list(current.object_list)
    refs = {event.pk: (_people_refs(event.old), _people_refs(event.new)) for event in current.object_list}
    wanted = {pk for old, new in refs.values() for pk in (old or []) + (new or [])}
    found = User.objects.filter(pk__in=wanted).only("id", "first_name", "last_name", "erased_at").order_by()
    people = {user.pk: user for user in found} if wanted else {}
    for event in current.object_list:
        old, new = refs[event.pk]
        event.old_people = None if old is None else [people[pk] for pk in old if pk in people]
        event.new_people = None if new is None else [people[pk] for pk in new if pk in people]
    return current


PEOPLE_REF = re.compile(r"#\d+(?:,#\d+)*")


def _people_refs(value: str) -> list[int] | None:
    """The ids of a history value that refers to people ("#12,#15"); None for any other value
    (text, or people named in rows recorded before the history referred to them)."""
    if not PEOPLE_REF.fullmatch(value):
        return None
    return [int(part[1:]) for part in value.split(",")]


def session_record(*, session: BoardSession) -> dict | None:
    """A closed session's record (its snapshot) with the people it refers to ("#12") as User
    rows, one query (none when it refers to nobody), for the page to name them by the school's
    rule. Records made before they referred to people keep their names as text."""
    record = session.snapshot
    if not record:
        return record
    record = {**record, "roles": dict(record.get("roles") or {}), "actions": dict(record.get("actions") or {})}
    columns = {status: [dict(a) for a in column] for status, column in record["actions"].items()}
    record["actions"] = columns
    found = [*record.get("present", []), *record["roles"].values()]
    found += [ref for column in columns.values() for a in column for ref in a.get("owners", [])]
    ids = {int(ref[1:]) for ref in found if isinstance(ref, str) and PEOPLE_REF.fullmatch(ref)}
    people = (
        {u.pk: u for u in User.objects.filter(pk__in=ids).only("id", "first_name", "last_name", "erased_at").order_by()}
        if ids
        else {}
    )

    def person(ref):
        if isinstance(ref, str) and PEOPLE_REF.fullmatch(ref):
            return people.get(int(ref[1:]))
        return ref or None  # a name, in a record made before people were referred to

    present = [p for p in map(person, record.get("present", [])) if p is not None]
    named = sorted((p for p in present if not isinstance(p, str)), key=lambda u: (u.first_name, u.last_name, u.pk))
    record["present"] = [p for p in present if isinstance(p, str)] + named
    record["roles"] = {role: person(ref) for role, ref in record["roles"].items()}
    for column in columns.values():
        for a in column:
            a["owners"] = [p for p in map(person, a.get("owners", [])) if p is not None]
    return record


def board_snapshot(*, board: ImprovementBoard, session: BoardSession) -> dict:
    """The board as it stands, as plain data for a session's record (read back without joins)."""
    cycle = session.cycle
    goals = goals_of_cycle(cycle=cycle)
    actions = actions_of_cycle(cycle=cycle)
    check_in = session_check_in(session=session, user_id=None)
    owners: dict[int, list[int]] = {}
    for action_id, user_id in (
        ActionOwner.objects.filter(action__cycle=cycle, school_id=board.school_id)
        .order_by("user_id")
        .values_list("action_id", "user_id")
    ):
        owners.setdefault(action_id, []).append(user_id)
    since = (
        BoardSession.objects.filter(board=board, closed_at__isnull=False, week__lt=session.week)
        .order_by("-week")
        .values_list("week", flat=True)
        .first()
    )
    successes = Success.objects.filter(board=board)
    if since is not None:
        successes = successes.filter(happened_on__gte=since)
    # People are recorded by reference ("#12"), never by name: the record is kept for good, and
    # a name in it could not be erased when its person leaves. `session_record` names them when
    # the record is read, by the school's rule.
    return {
        "week": session.week.isoformat(),
        "cycle": cycle.number,
        "present": [f"#{pk}" for pk in sorted(check_in.present_ids)],
        "checked_in": check_in.checked_in,
        "moods": [[label, count] for _, label, count in check_in.moods],
        "roles": {
            "lead": f"#{session.lead_id}" if session.lead_id else "",
            "note_taker": f"#{session.note_taker_id}" if session.note_taker_id else "",
            "timekeeper": f"#{session.timekeeper_id}" if session.timekeeper_id else "",
        },
        "successes": [{"title": s.title, "who": s.who, "on": s.happened_on.isoformat()} for s in successes[:20]],
        "goals": [
            {
                "big_goal": g.big_goal,
                "concrete": g.concrete,
                "measure_what": g.measure_what,
                "target": _num(g.target),
                "baseline": _num(g.baseline),
                "unit": g.unit,
                "latest": _num(g.latest_value),
                "latest_week": g.latest_week.isoformat() if g.latest_week else None,
                "status": str(g.get_status_display()),
            }
            for g in goals
        ],
        "actions": {
            status: [
                {
                    "title": a.title,
                    "owners": [f"#{pk}" for pk in owners.get(a.pk, [])],
                    "due_week": a.due_week.isoformat() if a.due_week else None,
                    "goal": a.goal.big_goal if a.goal else "",
                    "made_here": a.session_id == session.pk,
                }
                for a in column
            ]
            for status, column in actions.items()
        },
        "obstacles": [
            {"title": o.title, "status": str(o.get_status_display())}
            for o in Obstacle.objects.filter(board=board).exclude(status=ObstacleStatus.RESOLVED)
        ],
    }


def _num(value):
    return None if value is None else f"{value.normalize():f}"
