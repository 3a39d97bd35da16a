"""The two-region world every access test runs in (STYLE.md "Tenancy and access").

Two regions × two besturen × two schools, each school with two teams. In the *home* school
(region 1, bestuur 1, school 1) there is one person per school role; the expertcoach guides two
schools of region 1; the verandercoach and bestuurder belong to bestuur 1. Everything in region 2
is *foreign* to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leerkracht.roles import Role
from schools.models import Phase, Sector
from schools.services import team_membership_add
from schools.tests.factories import (
    RegionFactory,
    RegionMembershipFactory,
    SchoolFactory,
    SchoolGroupFactory,
    SchoolGroupMembershipFactory,
    SchoolMembershipFactory,
    TeamFactory,
    UserFactory,
)


@dataclass
class World:
    regions: list = field(default_factory=list)
    school_groups: list = field(default_factory=list)
    schools: list = field(default_factory=list)  # 8 schools: [r1g1s1, r1g1s2, r1g2s1, …, r2g2s2]
    teams: dict = field(default_factory=dict)  # school.pk -> [team, team]
    users: dict = field(default_factory=dict)  # role -> user
    boards: dict = field(default_factory=dict)  # school.pk -> BoardContents (home and foreign school)
    instruments: dict = field(default_factory=dict)  # school.pk -> InstrumentContents (home and foreign)

    @property
    def home(self):
        return self.schools[0]

    @property
    def home_team(self):
        return self.teams[self.home.pk][0]

    @property
    def other_home_team(self):
        return self.teams[self.home.pk][1]

    @property
    def foreign(self):
        """A school of the other region and bestuur that nobody in the home school can see."""
        return self.schools[7]

    def ids(self, *indexes: int) -> frozenset[int]:
        return frozenset(self.schools[i].pk for i in indexes)


def build_world() -> World:
    world = World()
    sectors = [Sector.PO, Sector.VO, Sector.MBO, Sector.PO]
    for r in range(2):
        region = RegionFactory(name=f"Wereldregio {r + 1}", slug=f"wereldregio-{r + 1}")
        world.regions.append(region)
        for g in range(2):
            school_group = SchoolGroupFactory(name=f"Bestuur {r + 1}.{g + 1}")
            world.school_groups.append(school_group)
            for s in range(2):
                school = SchoolFactory(
                    name=f"School {r + 1}.{g + 1}.{s + 1}",
                    region=region,
                    school_group=school_group,
                    sector=sectors[g * 2 + s],
                    phase=Phase.YEAR_1,
                )
                world.schools.append(school)
                world.teams[school.pk] = [TeamFactory(school=school, name=f"Team {n}") for n in ("A", "B")]

    home = world.home
    users = world.users
    users[Role.LERAAR] = team_membership_add(user=UserFactory(), team=world.home_team).user
    users[Role.SCHOOLCOACH] = SchoolMembershipFactory(school=home, role=Role.SCHOOLCOACH).user
    team_membership_add(user=users[Role.SCHOOLCOACH], team=world.other_home_team)
    users[Role.SCHOOLLEIDER] = SchoolMembershipFactory(school=home, role=Role.SCHOOLLEIDER).user

    expertcoach = RegionMembershipFactory(region=world.regions[0]).user
    for guided in (world.schools[0], world.schools[2]):
        guided.expertcoach = expertcoach
        guided.save(update_fields=["expertcoach"])
    users[Role.EXPERTCOACH] = expertcoach

    users[Role.VERANDERCOACH] = SchoolGroupMembershipFactory(
        school_group=world.school_groups[0], role=Role.VERANDERCOACH
    ).user
    users[Role.BESTUURDER] = SchoolGroupMembershipFactory(
        school_group=world.school_groups[0], role=Role.BESTUURDER
    ).user
    users[Role.ADMIN] = UserFactory(is_superuser=True)

    # A team board with one of everything in the home school and in the foreign school, so every
    # board route has an id to be asked for from the wrong side.
    foreign_teacher = team_membership_add(user=UserFactory(), team=world.teams[world.foreign.pk][0]).user
    world.boards[home.pk] = fill_board(world.home_team, users[Role.LERAAR])
    world.boards[world.foreign.pk] = fill_board(world.teams[world.foreign.pk][0], foreign_teacher)

    # A lesson design, a lesson visit (with notes), a pupil group with a criterion, a feedback
    # round and a pupil input in both schools, for the same reason. In the home school the
    # teacher designs with the schoolcoach, and the schoolcoach visits the teacher.
    foreign_colleague = team_membership_add(user=UserFactory(), team=world.teams[world.foreign.pk][0]).user
    world.instruments[home.pk] = fill_instruments(
        world.boards[home.pk], teacher=users[Role.LERAAR], colleague=users[Role.SCHOOLCOACH]
    )
    world.instruments[world.foreign.pk] = fill_instruments(
        world.boards[world.foreign.pk], teacher=foreign_teacher, colleague=foreign_colleague
    )
    return world


@dataclass
class BoardContents:
    board: object
    goal: object
    action: object
    obstacle: object
    success: object
    session: object

    def ids(self) -> dict[str, int]:
        return {
            "board_id": self.board.pk,
            "goal_id": self.goal.pk,
            "action_id": self.action.pk,
            "obstacle_id": self.obstacle.pk,
            "success_id": self.success.pk,
            "session_id": self.session.pk,
        }


def fill_board(team, member) -> BoardContents:
    """A team board with a goal (measured once), an action, a knelpunt, a success and this week's
    session, built through the services."""
    from instruments.services import board as services
    from leerkracht import clock

    board = services.team_board_get_or_create(team=team, user=member)
    goal = services.goal_create(board=board, user=member, big_goal="Meer leesplezier", measure_what="lezers", target=60)
    services.measurement_add(board=board, goal=goal, user=member, week=clock.this_week(), value=35)
    action = services.action_create(board=board, user=member, title="Leeshoek inrichten", owners=[member], goal=goal)
    obstacle = services.obstacle_create(board=board, user=member, title="Te weinig boeken")
    success = services.success_create(board=board, user=member, title="Voorleesweek was een feest")
    session = services.session_start(board=board, user=member)
    board.refresh_from_db()
    return BoardContents(board, goal, action, obstacle, success, session)


@dataclass
class InstrumentContents:
    group: object
    criterion: object
    design: object
    visit: object
    feedback_round: object
    pupil_input: object
    theme: object

    def ids(self) -> dict[str, int]:
        return {
            "group_id": self.group.pk,
            "criterion_id": self.criterion.pk,
            "design_id": self.design.pk,
            "visit_id": self.visit.pk,
            "round_id": self.feedback_round.pk,
            "input_id": self.pupil_input.pk,
            "theme_id": self.theme.pk,
        }


def fill_instruments(board_contents: BoardContents, *, teacher, colleague) -> InstrumentContents:
    """One of each of the other three instruments' objects in the board's school: a design by the
    teacher and a colleague, a visit of the colleague to the teacher's lesson, a feedback round of
    the teacher's group, and a pupil group's input on the board's goal; and a theme of the school
    for this school year."""
    import datetime as dt
    import secrets

    from django.utils import timezone

    from instruments import models as m
    from leerkracht import clock

    board = board_contents.board
    school = board.school
    group = m.PupilGroup.objects.create(school=school, name="Groep 7", team=board.team)
    criterion = m.FeedbackCriterion.objects.create(school=school, group=group, text="De uitleg was duidelijk")
    design = m.LessonDesign.objects.create(
        school=school,
        team=board.team,
        title="Breuken vergelijken",
        subject="Rekenen",
        group=group,
        lesson_goal="Leerlingen vergelijken twee breuken met verschillende noemers",
        created_by=teacher,
    )
    for author in (teacher, colleague):
        m.LessonDesignAuthor.objects.create(school=school, design=design, user=author)
    # Wednesday of next week, 10:00 in Amsterdam: never in this week's calendar, and never
    # "tomorrow" for the day-before reminder, even when a run crosses midnight (a time relative
    # to now, two days ahead, became tomorrow after midnight and the reminder tests counted it).
    starts_at = clock.instant(clock.monday_of(clock.today()) + dt.timedelta(days=9), dt.time(10, 0))
    visit = m.LessonVisit.objects.create(
        school=school,
        visitor=colleague,
        visited=teacher,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        group=group,
        lesson_design=design,
        scheduled_by=colleague,
    )
    m.LessonVisitNotes.objects.create(
        school=school, visit=visit, observations="Geheim: drie leerlingen haakten af bij de uitleg"
    )
    now = timezone.now()
    feedback_round = m.FeedbackRound.objects.create(
        school=school,
        teacher=teacher,
        group=group,
        title="Breuken",
        code=secrets.token_hex(3).upper(),
        opened_at=now,
        closes_at=now + dt.timedelta(hours=1),
        device_key=secrets.token_hex(32),
    )
    m.RoundStatement.objects.create(school=school, round=feedback_round, criterion=criterion, text=criterion.text)
    pupil_input = m.PupilInput.objects.create(
        school=school,
        board=board,
        goal=board_contents.goal,
        group=group,
        week=clock.this_week(),
        pupils=4,
        suggestions="Meer tijd om samen te lezen",
        recorded_by=teacher,
    )
    # The school's theme of this school year (its direction, which the boards show).
    from instruments.services.direction import theme_add

    first_day, last_day = clock.school_year_days(clock.school_year())
    theme = theme_add(
        school_id=school.pk,
        user=None,
        name="Begrijpend lezen",
        school_year=clock.school_year(),
        starts_on=first_day,
        ends_on=last_day,
    )
    return InstrumentContents(group, criterion, design, visit, feedback_round, pupil_input, theme)


# What each role of the home school sees: DESIGN.md §5, written out school by school.
EXPECTED_VISIBLE = {
    Role.LERAAR: (0,),
    Role.SCHOOLCOACH: (0,),
    Role.SCHOOLLEIDER: (0,),
    Role.EXPERTCOACH: (0, 2),
    Role.VERANDERCOACH: (0, 1),
    Role.BESTUURDER: (0, 1),
}


# --- Built once, restored per test ----------------------------------------------------------------


@dataclass
class WorldSnapshot:
    """The rows `build_world` writes, taken once per test process, and the `World` that names
    them. Building the world through the services costs about a second; writing its rows back
    costs one INSERT per table, so each test gets the same world for a fraction of that.

    The rows are written back raw (as `loaddata` does: no `save()`, no signals, no `auto_now`), with
    their own keys, inside the test's transaction; the sequences stay ahead of those keys, because
    the snapshot was built (and rolled back) on the same database before any test ran."""

    world: World
    rows: list[tuple[type, list]]  # (model, instances) in the order the models are registered

    @classmethod
    def take(cls) -> WorldSnapshot:
        """Build the world in a transaction, copy the rows it wrote, roll it back."""
        from django.db import transaction

        from leerkracht.tenancy import scopes_disabled

        with scopes_disabled(), transaction.atomic():
            before = rows_take()
            world = build_world()
            after = rows_take()
            rows = []
            for model, found in after.items():
                changed = [pk for pk, values in before[model].items() if found.get(pk) != values]
                if changed:
                    # A row that existed before (a migration's) and was changed would not be
                    # changed back by writing the new rows: the snapshot would lie.
                    raise AssertionError(f"build_world changed existing {model.__name__} rows {changed[:5]}")
                new = [pk for pk in found if pk not in before[model]]
                if new:
                    rows.append((model, list(model._base_manager.filter(pk__in=new).order_by("pk"))))
            transaction.set_rollback(True)
        return cls(world=world, rows=rows)

    def restore(self) -> World:
        """Write the world's rows into the current test's database; a fresh copy of the `World`
        (tests change their instances)."""
        import copy

        rows_insert(self.rows)
        return copy.deepcopy(self.world)


def concrete_models(*, own_only: bool = False) -> list[type]:
    """Every table Django manages (or only those of the platform's own apps, the repository's
    top-level packages)."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and (not own_only or Path(model._meta.app_config.path).parent == Path(settings.BASE_DIR))
    ]


def rows_take(*, own_only: bool = False) -> dict[type, dict]:
    """Every row of every table, as {model: {pk: values}}."""
    found = {}
    for model in concrete_models(own_only=own_only):
        fields = [field.attname for field in model._meta.concrete_fields]
        found[model] = {values[0]: values for values in model._base_manager.values_list("pk", *fields)}
    return found


def rows_insert(rows: list[tuple[type, list]]) -> None:
    """Write model instances back raw, with their keys, in one transaction (foreign keys are
    checked at its end, so the order of the tables does not matter)."""
    import copy

    from django.db import transaction

    from leerkracht.tenancy import scopes_disabled

    with scopes_disabled(), transaction.atomic():
        for model, instances in rows:
            model._base_manager._insert(
                copy.deepcopy(instances),
                fields=list(model._meta.concrete_fields),
                raw=True,
            )


@dataclass
class MigrationRows:
    """The rows the platform's data migrations load (the regions, the shipped questionnaires).
    The flush that ends a transactional test (a browser test, a race between threads) empties
    every table, these included; they are written back after it, so the next test on that
    process finds the database as migrated, whatever ran before it."""

    rows: list[tuple[type, list]]

    @classmethod
    def take(cls) -> MigrationRows:
        from leerkracht.tenancy import scopes_disabled

        with scopes_disabled():
            taken = rows_take(own_only=True)
            return cls(
                rows=[
                    (model, list(model._base_manager.filter(pk__in=list(found)).order_by("pk")))
                    for model, found in taken.items()
                    if found
                ]
            )

    def restore(self) -> None:
        """Write back the rows of every table the flush left empty (a test's own fixture may
        have put some back already, under other keys)."""
        from leerkracht.tenancy import scopes_disabled

        with scopes_disabled():
            empty = [(model, instances) for model, instances in self.rows if not model._base_manager.exists()]
        rows_insert(empty)
