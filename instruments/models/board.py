"""The improvement board (verbeterbord) and what is on it: goals with their measurements, actions,
obstacles and successes; goal cycles and weekly board sessions.

Every row carries `school` (DESIGN.md §5) and every card carries a `version` for optimistic
concurrency: an edit names the version it started from, see `instruments.services.board`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leerkracht import clock
from leerkracht.tenancy import TenantModel


class Ambition(TenantModel):
    """The school's direction; teams derive their goals from it. One per school, set by its leader
    (`instruments.services.direction.ambition_set`); an edit names the `version` it started from."""

    MAX_LENGTH = 1000

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="ambition")
    text = models.TextField(_("ambitie"), max_length=MAX_LENGTH)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("ambitie")
        verbose_name_plural = _("ambities")

    def __str__(self):
        return self.text[:60]


class Theme(TenantModel):
    """A theme the school works on for part of a school year (at most two per school year)."""

    MAX_PER_SCHOOL_YEAR = 2

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("thema"), max_length=120)
    school_year = models.PositiveSmallIntegerField(_("schooljaar (beginjaar)"))  # 2026 = 2026–2027
    starts_on = models.DateField(_("vanaf"))
    ends_on = models.DateField(_("tot en met"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(TenantModel.Meta):
        ordering = ["starts_on"]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="theme_ends_after_start"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """A theme's rules, written once: the Django admin's form and the services
        (`instruments.services.direction`) both ask them. It ends on or after the day it starts,
        both days in its school year, and a school year holds at most two themes (the
        programme's rule: focus beats breadth)."""
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("De laatste dag ligt vóór de eerste dag. Kies een einddatum op of na de begindatum.")
        if self.school_year is not None:
            first, last = clock.school_year_days(self.school_year)
            for name in ("starts_on", "ends_on"):
                day = getattr(self, name)
                if day and not first <= day <= last and name not in errors:
                    errors[name] = _("Kies een dag in schooljaar %(year)s: van %(first)s tot en met %(last)s.") % {
                        "year": clock.school_year_label(self.school_year),
                        "first": date_format(first, "j F Y"),
                        "last": date_format(last, "j F Y"),
                    }
        if self.school_id is not None and self.school_year is not None:
            others = Theme.unscoped.filter(school_id=self.school_id, school_year=self.school_year).exclude(pk=self.pk)
            if others.count() >= self.MAX_PER_SCHOOL_YEAR:
                errors["school_year"] = _(
                    "Schooljaar %(year)s heeft al twee thema's: een school werkt aan hoogstens twee thema's per "
                    "schooljaar. Verwijder er eerst een, of kies een ander schooljaar."
                ) % {"year": clock.school_year_label(self.school_year)}
        if errors:
            raise ValidationError(errors)


class BoardKind(models.TextChoices):
    TEAM = "team", _("Teambord")
    ORGANISATIONAL = "organisational", _("Organisatorisch bord")
    CLASS = "class", _("Klassenbord")


class ImprovementBoard(TenantModel):
    """A board. A team board belongs to a team (one each); an organisational board to the school;
    a class board to a teacher's class, run by that teacher (pupils have no accounts)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="boards")
    team = models.ForeignKey("schools.Team", on_delete=models.CASCADE, related_name="boards", null=True, blank=True)
    kind = models.CharField(_("soort bord"), max_length=16, choices=BoardKind.choices, default=BoardKind.TEAM)
    title = models.CharField(_("naam"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="class_boards"
    )
    # Bumped by every change to anything on the board: the presentation screen's ETag.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["kind", "title"]
        verbose_name = _("verbeterbord")
        verbose_name_plural = _("verbeterborden")
        constraints = [
            models.UniqueConstraint(fields=["team"], condition=Q(kind="team"), name="board_one_team_board_per_team"),
            models.CheckConstraint(
                condition=Q(kind="organisational", team__isnull=True)
                | Q(~Q(kind="organisational"), team__isnull=False),
                name="board_team_matches_kind",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_class_board(self) -> bool:
        return self.kind == BoardKind.CLASS


class GoalCycle(TenantModel):
    """4–8 weeks on the same goals, closed by a short retrospective. One open cycle per board."""

    MIN_WEEKS, MAX_WEEKS = 4, 8

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(ImprovementBoard, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("cyclus"))
    starts_on = models.DateField(_("eerste week"))  # a Monday
    weeks = models.PositiveSmallIntegerField(_("aantal weken"), default=6)
    closed_at = models.DateTimeField(null=True, blank=True)
    went_well = models.TextField(_("wat ging goed"), blank=True, max_length=2000)
    to_change = models.TextField(_("wat doen we anders"), blank=True, max_length=2000)
    goals_reached = models.TextField(_("zijn de doelen gehaald"), blank=True, max_length=2000)

    class Meta(TenantModel.Meta):
        ordering = ["-number"]
        verbose_name = _("cyclus")
        verbose_name_plural = _("cycli")
        constraints = [
            models.UniqueConstraint(fields=["board", "number"], name="cycle_number_unique"),
            models.UniqueConstraint(
                fields=["board"], condition=Q(closed_at__isnull=True), name="cycle_one_open_per_board"
            ),
            models.CheckConstraint(condition=Q(weeks__gte=4, weeks__lte=8), name="cycle_weeks_4_to_8"),
        ]

    def __str__(self):
        return gettext("Cyclus %(number)s") % {"number": self.number}

    @property
    def last_week(self):
        import datetime as dt

        return self.starts_on + dt.timedelta(weeks=self.weeks - 1)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Card(TenantModel):
    """What goals, actions, obstacles and successes share: a place on a board and a version."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(ImprovementBoard, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta(TenantModel.Meta):
        abstract = True


class GoalStatus(models.TextChoices):
    ACTIVE = "active", _("Loopt")
    REACHED = "reached", _("Gehaald")
    STOPPED = "stopped", _("Gestopt")


class Goal(Card):
    """A team goal about pupils, made in four steps: big → small and concrete → measurable →
    actions (the actions point at their goal)."""

    cycle = models.ForeignKey(GoalCycle, on_delete=models.PROTECT, related_name="goals")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="goals")
    big_goal = models.CharField(_("groot doel"), max_length=200)
    concrete = models.TextField(_("klein en concreet"), max_length=1000, blank=True)
    measure_what = models.CharField(_("wat meten we"), max_length=200, blank=True)
    measure_how = models.CharField(_("hoe meten we"), max_length=200, blank=True)
    baseline = models.DecimalField(_("beginwaarde"), max_digits=9, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("streefwaarde"), max_digits=9, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("eenheid"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    position = models.PositiveIntegerField(default=0)

    class Meta(Card.Meta):
        ordering = ["position", "id"]
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        indexes = [models.Index(fields=["board", "cycle"])]

    def __str__(self):
        return self.big_goal


class Measurement(TenantModel):
    """One week's measured value of a goal."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measurements")
    week = models.DateField(_("week"))  # a Monday
    value = models.DecimalField(_("waarde"), max_digits=9, decimal_places=2)
    note = models.CharField(_("toelichting"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta(TenantModel.Meta):
        ordering = ["week"]
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        constraints = [models.UniqueConstraint(fields=["goal", "week"], name="measurement_one_per_goal_week")]


class ActionStatus(models.TextChoices):
    TODO = "todo", _("Te doen")
    DOING = "doing", _("Bezig")
    DONE = "done", _("Klaar")


class Action(Card):
    """Who does what by when; linked to a goal or not."""

    cycle = models.ForeignKey(GoalCycle, on_delete=models.PROTECT, related_name="actions")
    goal = models.ForeignKey(Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    title = models.CharField(_("wat"), max_length=200)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ActionOwner", related_name="+")
    due_week = models.DateField(_("klaar in week"), null=True, blank=True)  # a Monday
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.TODO)
    done_at = models.DateTimeField(null=True, blank=True)
    # The session in which it was agreed: part of that session's record.
    session = models.ForeignKey(
        "BoardSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="actions_made"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta(Card.Meta):
        ordering = ["position", "id"]
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        indexes = [models.Index(fields=["board", "status"])]

    def __str__(self):
        return self.title


class ActionOwner(TenantModel):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="ownerships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["action", "user"], name="action_owner_unique")]


class ObstacleStatus(models.TextChoices):
    PARKED = "parked", _("Geparkeerd")
    RESOLVED = "resolved", _("Opgelost")


class Obstacle(Card):
    """A knelpunt: parked on the board until it is resolved, possibly by becoming an action."""

    title = models.CharField(_("knelpunt"), max_length=200)
    description = models.TextField(_("toelichting"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ObstacleStatus.choices, default=ObstacleStatus.PARKED)
    resolution = models.CharField(_("hoe opgelost"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(Card.Meta):
        ordering = ["created_at", "id"]
        verbose_name = _("knelpunt")
        verbose_name_plural = _("knelpunten")

    def __str__(self):
        return self.title


class Success(Card):
    """Something to celebrate: what, who, when."""

    title = models.CharField(_("wat"), max_length=200)
    who = models.CharField(_("wie"), max_length=120, blank=True)
    happened_on = models.DateField(_("wanneer"))

    class Meta(Card.Meta):
        ordering = ["-happened_on", "-id"]
        verbose_name = _("succes")
        verbose_name_plural = _("successen")

    def __str__(self):
        return self.title


class Mood(models.TextChoices):
    GREAT = "great", _("Top")
    GOOD = "good", _("Goed")
    OKAY = "okay", _("Gaat wel")
    TIRED = "tired", _("Moe")
    LOW = "low", _("Zwaar")


class BoardSession(TenantModel):
    """A weekly board session and its record. Closing it freezes a snapshot of the board, so a
    past week stays readable as it was."""

    TIMEBOX_MINUTES = 15

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(ImprovementBoard, on_delete=models.CASCADE, related_name="sessions")
    cycle = models.ForeignKey(GoalCycle, on_delete=models.PROTECT, related_name="sessions")
    week = models.DateField(_("week"))  # a Monday
    started_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note_taker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    timekeeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decisions = models.TextField(_("besluiten"), max_length=4000, blank=True)
    snapshot = models.JSONField(null=True, blank=True)  # the board as it was at closing
    version = models.PositiveIntegerField(default=1)

    class Meta(TenantModel.Meta):
        ordering = ["-week", "-started_at"]
        verbose_name = _("bordsessie")
        verbose_name_plural = _("bordsessies")
        constraints = [
            models.UniqueConstraint(
                fields=["board", "week"], condition=Q(closed_at__isnull=True), name="session_one_open_per_week"
            ),
        ]
        indexes = [models.Index(fields=["board", "week"])]

    def __str__(self):
        return gettext("Bordsessie %(week)s") % {"week": f"{self.week:%Y-%m-%d}"}

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def duration_minutes(self) -> int | None:
        if self.closed_at is None:
            return None
        return max(round((self.closed_at - self.started_at).total_seconds() / 60), 1)


class Attendance(TenantModel):
    """Someone present at a session, with the mood they checked in with (shown only as counts:
    nobody sees whose mood is whose). On a class board pupils check in without an account: their
    rows carry a mood and no user."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(BoardSession, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    mood = models.CharField(_("stemming"), max_length=8, choices=Mood.choices, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=Q(user__isnull=False), name="attendance_unique"
            ),
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(mood=""), name="attendance_pupil_has_mood"),
        ]
