"""Who: regions, besturen, schools (the tenant), teams, people and the roles they hold."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerkracht.roles import Role
from leerkracht.tenancy import TenantModel


class Region(models.Model):
    """One of the foundation's five regional teams."""

    name = models.CharField(_("naam"), max_length=60, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")

    def __str__(self):
        return self.name


class SchoolGroup(models.Model):
    """A bestuur: the legal body that governs one to sixty schools."""

    name = models.CharField(_("naam"), max_length=200)
    # Official-style "bevoegd gezag" number: five digits.
    code = models.CharField(
        _("bestuursnummer"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Een bestuursnummer bestaat uit vijf cijfers."))],
    )
    city = models.CharField(_("plaats"), max_length=80, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("bestuur")
        verbose_name_plural = _("besturen")

    def __str__(self):
        return self.name


class Sector(models.TextChoices):
    PO = "po", _("Primair onderwijs")
    VO = "vo", _("Voortgezet onderwijs")
    MBO = "mbo", _("Middelbaar beroepsonderwijs")
    OTHER = "other", _("Overig (pabo, lerarenopleiding)")


class Phase(models.TextChoices):
    """Where a school is in the programme pipeline (DESIGN.md §3)."""

    INTEREST = "interest", _("Interesse")
    INTRODUCTION = "introduction", _("Kennismaking")
    SUPPORT = "support", _("Draagvlak")
    INTAKE = "intake", _("Intake")
    AGREEMENT = "agreement", _("Overeenkomst getekend")
    YEAR_1 = "year_1", _("Jaar 1")
    YEAR_2 = "year_2", _("Jaar 2")
    SENIOR = "senior", _("Senior school")

    @classmethod
    def guided(cls) -> list[str]:
        """Phases in which an expertcoach of the foundation guides the school."""
        return [cls.YEAR_1, cls.YEAR_2]


class Province(models.TextChoices):
    GRONINGEN = "GR", _("Groningen")
    FRIESLAND = "FR", _("Friesland")
    DRENTHE = "DR", _("Drenthe")
    OVERIJSSEL = "OV", _("Overijssel")
    FLEVOLAND = "FL", _("Flevoland")
    GELDERLAND = "GE", _("Gelderland")
    UTRECHT = "UT", _("Utrecht")
    NOORD_HOLLAND = "NH", _("Noord-Holland")
    ZUID_HOLLAND = "ZH", _("Zuid-Holland")
    ZEELAND = "ZE", _("Zeeland")
    NOORD_BRABANT = "NB", _("Noord-Brabant")
    LIMBURG = "LI", _("Limburg")


class HolidayRegion(models.TextChoices):
    """The three regions in which the Dutch school holidays fall at different times."""

    NOORD = "noord", _("regio noord")
    MIDDEN = "midden", _("regio midden")
    ZUID = "zuid", _("regio zuid")


# The holiday region most schools of a province are in. The official division follows
# municipalities (Urk, Hattem, Eemnes, Altena and parts of Gelderland differ from their province),
# so a school can be given its own (`School.holiday_region`).
PROVINCE_HOLIDAY_REGION = {
    Province.GRONINGEN: HolidayRegion.NOORD,
    Province.FRIESLAND: HolidayRegion.NOORD,
    Province.DRENTHE: HolidayRegion.NOORD,
    Province.OVERIJSSEL: HolidayRegion.NOORD,
    Province.NOORD_HOLLAND: HolidayRegion.NOORD,
    Province.FLEVOLAND: HolidayRegion.MIDDEN,
    Province.UTRECHT: HolidayRegion.MIDDEN,
    Province.ZUID_HOLLAND: HolidayRegion.MIDDEN,
    Province.GELDERLAND: HolidayRegion.ZUID,
    Province.ZEELAND: HolidayRegion.ZUID,
    Province.NOORD_BRABANT: HolidayRegion.ZUID,
    Province.LIMBURG: HolidayRegion.ZUID,
}


class SchoolHoliday(models.Model):
    """A school holiday of one holiday region: national data the foundation's admins keep up to
    date (the dates are published per school year). Not tenant-owned: every school of the region
    shares it."""

    name = models.CharField(_("vakantie"), max_length=60)
    holiday_region = models.CharField(_("vakantieregio"), max_length=8, choices=HolidayRegion.choices)
    starts_on = models.DateField(_("eerste dag"))
    ends_on = models.DateField(_("laatste dag"))

    class Meta:
        ordering = ["starts_on", "holiday_region"]
        verbose_name = _("schoolvakantie")
        verbose_name_plural = _("schoolvakanties")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="holiday_ends_after_start"),
            models.UniqueConstraint(fields=["holiday_region", "starts_on"], name="holiday_region_start_unique"),
        ]
        indexes = [models.Index(fields=["holiday_region", "ends_on"])]

    def __str__(self):
        return f"{self.name} ({self.get_holiday_region_display()})"


# How a person who left is named to the school they left (and to everyone once their data is
# erased): what they wrote keeps an author, never a name.
FORMER_COLLEAGUE = _("oud-collega")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Pupils never do (DESIGN.md §5)."""

    email = models.EmailField(_("e-mailadres"), unique=True)
    first_name = models.CharField(_("voornaam"), max_length=80)
    last_name = models.CharField(_("achternaam"), max_length=120)
    is_active = models.BooleanField(_("actief"), default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # When a leaver's personal data was erased (schools.services.leavers): name and address are
    # gone, the row stays so that what they wrote keeps its author, shown as "oud-collega".
    erased_at = models.DateTimeField(_("gegevens gewist op"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self):
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(FORMER_COLLEAGUE)
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        """An admin of the foundation's central team: the platform node of the hierarchy."""
        return self.is_active and self.is_superuser

    @property
    def is_staff(self) -> bool:
        # Django's admin site asks for is_staff; only platform admins get in.
        return self.is_admin


class School(TenantModel):
    """The tenant. Every school-owned row carries this school's id."""

    tenant_field = "id__in"

    name = models.CharField(_("naam"), max_length=200)
    # Official-style BRIN code: two digits and two letters, e.g. 12AB.
    code = models.CharField(
        _("schoolcode (BRIN)"),
        max_length=4,
        unique=True,
        validators=[
            RegexValidator(r"^\d{2}[A-Z]{2}$", _("Een schoolcode is twee cijfers en twee hoofdletters, zoals 12AB."))
        ],
    )
    sector = models.CharField(_("sector"), max_length=8, choices=Sector.choices)
    province = models.CharField(_("provincie"), max_length=2, choices=Province.choices)
    city = models.CharField(_("plaats"), max_length=80)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="schools", verbose_name=_("regio"))
    school_group = models.ForeignKey(
        SchoolGroup, on_delete=models.PROTECT, related_name="schools", verbose_name=_("bestuur")
    )
    pupil_count = models.PositiveIntegerField(_("aantal leerlingen"), default=0)
    teacher_count = models.PositiveIntegerField(_("aantal leraren"), default=0)
    phase = models.CharField(_("fase"), max_length=16, choices=Phase.choices, default=Phase.INTEREST)
    start_date = models.DateField(_("startdag"), null=True, blank=True)
    expertcoach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guided_schools",
        verbose_name=_("expertcoach"),
    )
    holiday_region = models.CharField(
        _("vakantieregio"),
        max_length=8,
        choices=HolidayRegion.choices,
        blank=True,
        help_text=_("Leeg: de regio van de provincie."),
    )

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("scholen")
        indexes = [
            models.Index(fields=["region", "sector"]),
            models.Index(fields=["school_group"]),
            models.Index(fields=["expertcoach"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(phase__in=["year_1", "year_2", "senior"]) | Q(start_date__isnull=False),
                name="school_started_has_start_date",
            ),
        ]

    @property
    def holiday_region_in_effect(self) -> str:
        """The school's own holiday region, or its province's."""
        return self.holiday_region or PROVINCE_HOLIDAY_REGION[self.province]

    def __str__(self):
        return self.name


class Team(TenantModel):
    """A team of 6–10 teachers working on shared goals (in MBO also the billing unit)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("naam"), max_length=120)
    # An archived team keeps its board and history, readable, but takes no new members and is
    # left out of the lists to choose from. A team with a board is never deleted.
    archived_at = models.DateTimeField(_("gearchiveerd op"), null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="team_name_unique_per_school"),
        ]

    def __str__(self):
        return self.name


class SchoolMembership(TenantModel):
    """A person's role in one school: leraar, schoolcoach or schoolleider."""

    SCHOOL_ROLES = [Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=16, choices=[(r.value, r.label) for r in SCHOOL_ROLES])

    class Meta(TenantModel.Meta):
        verbose_name = _("schoolrol")
        verbose_name_plural = _("schoolrollen")
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="school_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["leraar", "schoolcoach", "schoolleider"]), name="school_membership_role"
            ),
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.school})"


class TeamMembership(TenantModel):
    """A teacher's place in a team. Carries `school` so the tenant filter needs no join."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="team_memberships")

    class Meta(TenantModel.Meta):
        verbose_name = _("teamlidmaatschap")
        verbose_name_plural = _("teamlidmaatschappen")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="team_membership_unique"),
        ]
        indexes = [models.Index(fields=["school", "team"])]

    def __str__(self):
        return f"{self.user} — {self.team}"


class FormerStaff(TenantModel):
    """A person who left a school (removed by who runs its people): their memberships there are
    gone, this row remembers that they were here, so that what they wrote on boards, designs and
    visits shows "oud-collega" to the school from then on. Coming back (a new invitation) removes
    the row. Their personal data is erased once they have no place anywhere, after
    LEAVER_RETENTION_DAYS (schools.services.leavers)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="former_staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="former_schools")
    left_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(TenantModel.Meta):
        verbose_name = _("oud-collega")
        verbose_name_plural = _("oud-collega's")
        constraints = [models.UniqueConstraint(fields=["school", "user"], name="former_staff_unique")]
        indexes = [models.Index(fields=["left_at"])]

    def __str__(self):
        return f"{self.user_id} ({self.school})"


class RegionMembership(models.Model):
    """An expertcoach's place in a regional team."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_memberships")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("rol"), max_length=16, choices=[(Role.EXPERTCOACH.value, Role.EXPERTCOACH.label)], default=Role.EXPERTCOACH
    )

    class Meta:
        verbose_name = _("regiorol")
        verbose_name_plural = _("regiorollen")
        constraints = [
            models.UniqueConstraint(fields=["user", "region", "role"], name="region_membership_unique"),
            models.CheckConstraint(condition=Q(role="expertcoach"), name="region_membership_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.region})"


class SchoolGroupMembership(models.Model):
    """A verandercoach's or bestuurder's place in a bestuur."""

    GROUP_ROLES = [Role.VERANDERCOACH, Role.BESTUURDER]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_group_memberships"
    )
    school_group = models.ForeignKey(SchoolGroup, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=16, choices=[(r.value, r.label) for r in GROUP_ROLES])

    class Meta:
        verbose_name = _("bestuursrol")
        verbose_name_plural = _("bestuursrollen")
        constraints = [
            models.UniqueConstraint(fields=["user", "school_group", "role"], name="school_group_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["verandercoach", "bestuurder"]), name="school_group_membership_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.school_group})"


class InvitationStatus(models.TextChoices):
    """Where a staff invitation stands. Expired is not stored: a pending invitation past its
    `expires_at` is expired, whatever the beat has or has not done."""

    PENDING = "pending", _("Uitgenodigd")
    ACCEPTED = "accepted", _("Geaccepteerd")
    WITHDRAWN = "withdrawn", _("Ingetrokken")


class StaffInvitation(TenantModel):
    """A person invited into a school (by hand or by an import), with the roles and teams they
    were given. The person's account and memberships are written with it, in one transaction, so
    that teams are complete on the day of the import; the e-mail's link lets a new person set a
    password. Only the digest of the link's token is stored: the database alone holds no working
    link. Someone who already had an account is accepted at once and told so by e-mail."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff_invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitations")
    email = models.EmailField(_("e-mailadres"))  # as invited (lower case); the account's may change later
    roles = models.JSONField(_("rollen"), default=list)
    team_ids = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    # The link's token is derived from `nonce` with the server's secret; only its digest is stored
    # for the lookup. A resend draws a new nonce: the old link stops working.
    nonce = models.CharField(max_length=64, blank=True)
    token_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The latest e-mail in the core's outbox: its finisher puts the link in just before the send.
    message = models.OneToOneField(
        "leerkracht.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="staff_invitation"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    people_import = models.ForeignKey(
        "PeopleImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("uitnodiging voor de school")
        verbose_name_plural = _("uitnodigingen voor de school")
        constraints = [
            # One open invitation per person per school: inviting twice (a double click, a file
            # imported twice, a worker that ran a row again) finds the first.
            models.UniqueConstraint(
                fields=["school", "user"], condition=Q(status="pending"), name="staff_invitation_one_pending"
            ),
        ]
        indexes = [models.Index(fields=["school", "status", "created_at"])]

    def __str__(self):
        return f"{self.email} ({self.school})"

    def is_expired(self, now) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at is not None and self.expires_at <= now


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Voorbeeld")
    QUEUED = "queued", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class PeopleImport(TenantModel):
    """One uploaded people file: its rows as read (never the file itself), what the preview said
    of each, and the run's progress. The run writes row by row, each row in its own transaction,
    and advances `rows_done` in the same transaction, so a worker killed mid-import resumes at the
    first row not written; each row's writes are idempotent too (a person is found by e-mail, a
    membership is unique, an invitation is unique while pending)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="people_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(_("bestand"), max_length=200)
    rows = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)  # len(rows), so the progress never loads them
    # The roles the person who uploaded it may give (schools.access.roles_grantable), fixed at the
    # upload: the run, in a worker, has no request to ask.
    roles_allowed = models.JSONField(default=list)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    rows_done = models.PositiveIntegerField(default=0)
    outcome = models.JSONField(default=dict)  # what the run did, by kind of change
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        verbose_name = _("import van mensen")
        verbose_name_plural = _("imports van mensen")
        indexes = [models.Index(fields=["school", "created_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.school})"


class PeopleLogAction(models.TextChoices):
    INVITED = "invited", _("uitgenodigd")
    ADDED = "added", _("toegevoegd")
    RESENT = "resent", _("uitnodiging opnieuw verstuurd")
    WITHDRAWN = "withdrawn", _("uitnodiging ingetrokken")
    ACCEPTED = "accepted", _("uitnodiging geaccepteerd")
    IMPORTED = "imported", _("bestand geïmporteerd")
    ROLE_GIVEN = "role_given", _("rol gegeven")
    ROLE_TAKEN = "role_taken", _("rol afgenomen")
    TEAM_JOINED = "team_joined", _("in team gezet")
    TEAM_LEFT = "team_left", _("uit team gehaald")
    TEAM_CREATED = "team_created", _("team gemaakt")
    TEAM_RENAMED = "team_renamed", _("team hernoemd")
    TEAM_ARCHIVED = "team_archived", _("team gearchiveerd")
    TEAM_RESTORED = "team_restored", _("team teruggezet")
    TEAM_DELETED = "team_deleted", _("team verwijderd")
    REMOVED = "removed", _("uit de school uitgeschreven")


class PeopleLogEntry(TenantModel):
    """Who did what to whom in a school's people and teams, and when: appended, never changed
    (a trigger refuses UPDATE and DELETE on PostgreSQL, as for the board history). People are
    referred to, not copied: when a leaver's personal data is erased, the log shows "oud-collega"
    instead of a name it would otherwise have kept."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="people_log")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=16, choices=PeopleLogAction.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    detail = models.CharField(max_length=300, blank=True)  # roles, a team's old name, a file name

    class Meta(TenantModel.Meta):
        ordering = ["-at", "-id"]
        verbose_name = _("logregel mensen")
        verbose_name_plural = _("logboek mensen")
        indexes = [models.Index(fields=["school", "-at"])]
