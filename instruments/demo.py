"""A board in use for the demo teacher's team, so that trying the platform shows what a team's
week looks like, and the other instruments in use around it: lesson designs, lesson visits and
feedback rounds (instruments/demo_*.py). Built through the services (history and all), deterministic
and idempotent: a team that already has a board, designs, visits or rounds keeps them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from instruments.demo_direction import seed_direction
from instruments.demo_feedback import seed_feedback, seed_pupil_input
from instruments.demo_lesson_design import seed_lesson_designs
from instruments.demo_lesson_visit import seed_lesson_visits
from instruments.models import (
    ActionStatus,
    BoardKind,
    BoardSession,
    FeedbackRound,
    ImprovementBoard,
    LessonDesign,
    LessonVisit,
    Mood,
    PupilInput,
)
from instruments.services import board as services
from leerkracht import clock
from schools.demo import DEMO_LERAAR, DEMO_SCHOOLCOACH
from schools.models import TeamMembership, User

GOALS = [
    {
        "big_goal": "Onze leerlingen lezen met meer plezier",
        "concrete": "Groep 5 tot en met 8 leest elke dag twintig minuten vrij, in een boek dat ze zelf kozen.",
        "measure_what": "leerlingen die zeggen graag te lezen",
        "measure_how": "handopsteken bij de check-out op vrijdag",
        "baseline": Decimal("40"),
        "target": Decimal("70"),
        "unit": "%",
        "values": ["42", "45", "51", "55"],
    },
    {
        "big_goal": "Leerlingen weten wat het doel van de les is",
        "concrete": "Elke les begint met het lesdoel op het bord en eindigt met een exit-ticket.",
        "measure_what": "leerlingen die het lesdoel in eigen woorden kunnen zeggen",
        "measure_how": "drie leerlingen per les, steekproef",
        "baseline": Decimal("5"),
        "target": Decimal("12"),
        "unit": "van de 15",
        "values": ["6", "8", "9"],
    },
]

ACTIONS = [
    ("Leeshoek inrichten met de bibliotheekkist", ActionStatus.DONE, 0),
    ("Ouders mailen over het leesuur thuis", ActionStatus.DOING, 0),
    ("Exit-tickets maken voor rekenen", ActionStatus.TODO, 1),
    ("Lesdoelen op een vaste plek op het bord", ActionStatus.DOING, 1),
    ("Boekenkring voorbereiden voor groep 7", ActionStatus.TODO, 0),
]


def seed_demo_board() -> ImprovementBoard | None:
    """The demo teacher's team board with two goals, measurements, actions, a knelpunt, successes
    and the three past weeks' sessions; None when the demo data is not there."""
    teacher = User.objects.filter(email=DEMO_LERAAR.email).first()
    membership = TeamMembership.objects.filter(user=teacher).select_related("team").order_by("team_id").first()
    if teacher is None or membership is None:
        return None
    team = membership.team
    existing = ImprovementBoard.objects.filter(team=team, kind=BoardKind.TEAM).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return _build(team, teacher)


@dataclass(frozen=True)
class DemoInstruments:
    board: ImprovementBoard
    lesson_designs: list[LessonDesign]
    lesson_visits: list[LessonVisit]
    feedback_rounds: list[FeedbackRound]
    pupil_input: PupilInput | None


def seed_demo_instruments() -> DemoInstruments | None:
    """The demo teacher's team board (`seed_demo_board`), then the school's ambition and themes,
    its lesson designs, the school's lesson visits among the demo teacher, the demo schoolcoach and
    their colleagues, and the demo teacher's feedback rounds; None when the demo data is not there.
    Each part is left alone when it is already there."""
    board = seed_demo_board()
    if board is None:
        return None
    team, school = board.team, board.school
    seed_direction(school=school)
    teacher = User.objects.get(email=DEMO_LERAAR.email)
    coach = User.objects.filter(email=DEMO_SCHOOLCOACH.email, school_memberships__school=school).first()
    colleagues = [
        m.user
        for m in TeamMembership.objects.filter(team=team)
        .exclude(user__in=[u for u in (teacher, coach) if u is not None])
        .select_related("user")
        .order_by("user_id")
    ]
    designs = seed_lesson_designs(school=school, team=team, users=[teacher, *colleagues[:1]])
    visits = (
        seed_lesson_visits(school=school, teacher=teacher, coach=coach, colleagues=colleagues)
        if coach is not None
        else []
    )
    rounds = seed_feedback(school=school, team=team, teacher=teacher)
    pupil_input = seed_pupil_input(board=board, teacher=teacher)
    return DemoInstruments(
        board=board, lesson_designs=designs, lesson_visits=visits, feedback_rounds=rounds, pupil_input=pupil_input
    )


def _build(team, teacher: User) -> ImprovementBoard:
    members = [m.user for m in TeamMembership.objects.filter(team=team).select_related("user").order_by("user_id")]
    board = services.board_create(
        school_id=team.school_id, kind=BoardKind.TEAM, title=team.name, user=teacher, team=team
    )
    # The board has been in use for a few weeks.
    started = timezone.now() - dt.timedelta(weeks=4)
    ImprovementBoard.objects.filter(pk=board.pk).update(created_at=started)
    cycle = services.open_cycle(board)
    type(cycle).objects.filter(pk=cycle.pk).update(starts_on=clock.this_week() - dt.timedelta(weeks=3))
    board.refresh_from_db()

    goals = []
    for spec in GOALS:
        values = spec["values"]
        fields = {k: v for k, v in spec.items() if k != "values"}
        goal = services.goal_create(board=board, user=teacher, **fields)
        for back, value in enumerate(reversed(values), start=0):
            services.measurement_add(
                board=board,
                goal=goal,
                user=teacher,
                week=clock.this_week() - dt.timedelta(weeks=back + 1),
                value=Decimal(value),
            )
        goals.append(goal)

    for number, (title, status, goal_index) in enumerate(ACTIONS):
        owners = [members[number % len(members)]] if members else []
        due = clock.this_week() + dt.timedelta(weeks=number % 3)
        services.action_create(
            board=board,
            user=teacher,
            title=title,
            owners=owners,
            goal=goals[goal_index],
            status=status,
            due_week=due,
        )
    services.obstacle_create(
        board=board,
        user=teacher,
        title="Te weinig nieuwe boeken voor groep 8",
        description="De bibliotheekkist heeft vooral boeken voor de middenbouw.",
    )
    services.success_create(board=board, user=teacher, title="Voorleeswedstrijd: de hele klas deed mee", who="groep 6")
    services.success_create(
        board=board, user=teacher, title="Eerste exit-tickets: 11 van de 15 wisten het lesdoel", who="Tim"
    )

    moods = [Mood.GREAT, Mood.GOOD, Mood.GOOD, Mood.OKAY, Mood.TIRED]
    for back in (3, 2, 1):
        session = services.session_start(board=board, user=teacher, week=clock.this_week() - dt.timedelta(weeks=back))
        for index, member in enumerate(members[:5]):
            services.mood_check_in(board=board, session_id=session.pk, user=member, mood=moods[(index + back) % 5])
        services.session_close(
            board=board, session_id=session.pk, user=teacher, decisions="Volgende week meten we op vrijdag."
        )
        closed_at = timezone.now() - dt.timedelta(weeks=back) + dt.timedelta(minutes=16)
        BoardSession.objects.filter(pk=session.pk).update(
            started_at=closed_at - dt.timedelta(minutes=16), closed_at=closed_at
        )
    return board
