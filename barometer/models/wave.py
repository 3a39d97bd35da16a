"""Waves: one measurement moment of a questionnaire for a set of schools, and the invitations
and e-mails it sends.

Exactly once where it matters, by constraint and status rather than by luck:
- a school's moment in a wave (`WaveSchool`) opens by a conditional update from PLANNED, so a
  beat tick delivered twice opens it once; a cancelled wave's moments are CANCELLED, which no
  step of the tick ever selects;
- one `Invitation` per teacher per wave (unique), inserted set-based with `ON CONFLICT DO NOTHING`;
- one `InvitationEmail` per invitation and kind (unique), claimed and marked SENT in the same
  transaction that writes the message to the core's mail outbox (leerkracht/mail.py); a reminder an admin sends by hand
  ("Herinnering nu versturen") is kind MANUAL and unique per invitation and Amsterdam day instead.

Times: people think in Europe/Amsterdam dates and hours; the database holds UTC. A wave school's
`opens_at` is computed from its Amsterdam date and hour with zoneinfo, so a moment during a
daylight-saving change is one well-defined instant.

"Has answered" (`Invitation.answered_at`, the Amsterdam day only) lives here, apart from the
answers (`barometer.models.response`), which carry no person, no time and no sequence. Submitting
marks the invitation and puts the answers, sealed, in a pool in one transaction; they reach the
answer tables only when the school's moment closes, written by one transaction for the whole
moment, so the transaction id and the physical order do not join them to an invitation either.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class WaveTiming(models.TextChoices):
    RELATIVE = "relative", _("Na de startdag van elke school")
    FIXED = "fixed", _("Op één datum voor alle deelnemende scholen")


class Wave(models.Model):
    """A measurement moment: which version is asked, of which schools, when, for how long.

    Which schools: either the explicit `selected_schools`, or every participating school that
    matches `sectors`, `regions` and `phases` (an empty one of those does not narrow). Resolved
    by `barometer.selectors.planning.wave_selection_school_ids`.
    A wave is changed or cancelled only until its first school's moment opens
    (`barometer.services.planning`)."""

    version = models.ForeignKey("barometer.QuestionnaireVersion", on_delete=models.PROTECT, related_name="waves")
    name = models.CharField(_("naam"), max_length=160)
    timing = models.CharField(_("moment"), max_length=10, choices=WaveTiming.choices)
    months_after_start = models.PositiveSmallIntegerField(_("maanden na de startdag"), null=True, blank=True)
    fixed_date = models.DateField(_("datum"), null=True, blank=True)  # an Amsterdam date
    open_time = models.TimeField(_("opent om"), default=dt.time(7, 30))  # Amsterdam time
    answer_days = models.PositiveSmallIntegerField(_("dagen om te antwoorden"), default=21)
    reminder_days = models.PositiveSmallIntegerField(_("herinnering na dagen"), default=7)
    # Which schools (see the docstring). Sector and phase values are schools.models' choices.
    sectors = models.JSONField(_("sectoren"), default=list, blank=True)
    phases = models.JSONField(_("fasen"), default=list, blank=True)
    regions = models.ManyToManyField("schools.Region", blank=True, related_name="+", verbose_name=_("regio's"))
    selected_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="+", verbose_name=_("losse scholen")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("geannuleerd op"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("meetmoment")
        verbose_name_plural = _("meetmomenten")
        constraints = [
            models.CheckConstraint(
                condition=Q(timing="relative", months_after_start__isnull=False, fixed_date__isnull=True)
                | Q(timing="fixed", fixed_date__isnull=False, months_after_start__isnull=True),
                name="wave_timing_has_its_moment",
            ),
            models.CheckConstraint(
                condition=Q(reminder_days__lt=models.F("answer_days")), name="wave_reminder_in_time"
            ),
        ]

    def __str__(self):
        return self.name


class WaveSchoolStatus(models.TextChoices):
    PLANNED = "planned", _("Gepland")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Gesloten")
    # A moment of a cancelled wave that never opened. Kept (not deleted) so that the unique
    # (wave, school) row stops the daily planning from planning that school again.
    CANCELLED = "cancelled", _("Geannuleerd")


class WaveSchool(TenantModel):
    """One school's moment in a wave: when it opens and closes, and where it stands."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="schools")
    opens_on = models.DateField()  # the Amsterdam date
    opens_at = models.DateTimeField()  # UTC
    closes_at = models.DateTimeField()  # UTC
    status = models.CharField(max_length=10, choices=WaveSchoolStatus.choices, default=WaveSchoolStatus.PLANNED)
    opened_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "school"], name="wave_school_unique"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="wave_school_closes_after"),
        ]
        indexes = [models.Index(fields=["status", "opens_at"]), models.Index(fields=["status", "closes_at"])]


class Invitation(TenantModel):
    """A teacher's invitation to answer a wave. The token in the e-mail is derived from `nonce`
    with the server's secret (see the services), and only its digest is stored: the database
    alone does not hold a working link."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    wave_school = models.ForeignKey(WaveSchool, on_delete=models.CASCADE, related_name="invitations")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("schools.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    nonce = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=64, unique=True)
    # Saving and continuing later: the answers so far, sealed with a key derived from the link's
    # token, which is not stored (only its digest is), so the database alone cannot read a draft
    # that sits next to the person. Empty when there is none; submitting and the moment's close
    # empty it. A database default too: the invite inserts its rows in raw SQL.
    draft_sealed = models.TextField(blank=True, default="", db_default="")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["wave", "user"], name="invitation_once_per_teacher_per_wave")]
        indexes = [models.Index(fields=["wave_school", "answered_at"])]


class EmailKind(models.TextChoices):
    INVITE = "invite", _("Uitnodiging")
    REMINDER = "reminder", _("Herinnering")
    MANUAL = "manual", _("Herinnering, met de hand verstuurd")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("Klaar om te versturen")
    SENT = "sent", _("Verstuurd")


class InvitationEmail(TenantModel):
    """One e-mail of one kind to one invited teacher: unique, with a status.

    The invitation and the scheduled reminder are unique per invitation and kind: one each, ever.
    A reminder sent by hand (kind MANUAL, "Herinnering nu versturen") may go out again on a later
    day, so it carries the Amsterdam `day` it was asked for and is unique per invitation and day:
    the row is the claim, so a double click or two admins at once send it once that day. `day`
    is set for MANUAL and only for MANUAL (a check constraint)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=8, choices=EmailKind.choices)
    day = models.DateField(null=True, blank=True)  # an Amsterdam date; MANUAL only
    status = models.CharField(max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The message in the core's mail outbox, written in the transaction that marks this SENT (a
    # worker killed before the commit leaves neither, so the retry writes exactly one). Emptied
    # when the outbox forgets a relayed message after its retention; the status stays.
    message = models.OneToOneField(
        "leerkracht.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="email"
    )

    class Meta(TenantModel.Meta):
        constraints = [
            # Partial: an ON CONFLICT that names its target must repeat the condition
            # (`ON CONFLICT (invitation_id, kind) WHERE kind <> 'manual'`); Django's
            # ignore_conflicts names none and covers both.
            models.UniqueConstraint(
                fields=["invitation", "kind"], condition=~Q(kind="manual"), name="invitation_email_once_per_kind"
            ),
            models.UniqueConstraint(
                fields=["invitation", "day"], condition=Q(kind="manual"), name="invitation_email_manual_once_per_day"
            ),
            models.CheckConstraint(
                condition=Q(kind="manual", day__isnull=False) | (~Q(kind="manual") & Q(day__isnull=True)),
                name="invitation_email_day_for_manual_only",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"])]
