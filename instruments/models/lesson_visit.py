"""Lesbezoek en feedback: a colleague visits a lesson to watch its effect on pupils, and a debrief
(nagesprek) follows.

Privacy (DESIGN.md §5): what was observed and said is developmental, not appraisal. It lives in
its own table, `LessonVisitNotes`, which is read only through the access rule that admits the
visitor and the visited teacher; the schoolcoach's and leader's pages read `LessonVisit` alone
and learn only *that* the visit and debrief took place.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class VisitStatus(models.TextChoices):
    """A visit's course: planned; once its time has come, held (it took place, the debrief is to
    follow) or not held; done once the debrief is recorded. Cancelled is said beforehand."""

    PLANNED = "planned", _("Gepland")
    HELD = "held", _("Plaatsgevonden")
    DONE = "done", _("Geweest")
    NOT_HELD = "not_held", _("Niet doorgegaan")
    CANCELLED = "cancelled", _("Afgezegd")


# A visit in one of these did not take place: no rhythm, no double booking, no report counts it.
VISIT_DID_NOT_HAPPEN = (VisitStatus.CANCELLED, VisitStatus.NOT_HELD)


class LessonVisit(TenantModel):
    """A scheduled lesson visit: who visits whom, when, where and with what focus."""

    MIN_MINUTES, MAX_MINUTES = 10, 240

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visited = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("begint om"))
    ends_at = models.DateTimeField(_("eindigt om"))  # starts_at + duration, kept for overlap queries
    group = models.ForeignKey(
        "instruments.PupilGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="lesson_visits"
    )
    room = models.CharField(_("lokaal"), max_length=40, blank=True)
    focus = models.TextField(_("kijkvraag"), max_length=1000, blank=True)
    lesson_design = models.ForeignKey(
        "instruments.LessonDesign", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    # That (not what): visible to the schoolcoach and leader.
    observed_at = models.DateTimeField(null=True, blank=True)
    debriefed_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # Who made the stored version and when (none yet: who scheduled it, when): an edit conflict says so.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["starts_at"]
        verbose_name = _("lesbezoek")
        verbose_name_plural = _("lesbezoeken")
        indexes = [
            models.Index(fields=["school", "starts_at"]),
            models.Index(fields=["visitor", "starts_at"]),
            models.Index(fields=["visited", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(visitor=F("visited")), name="visit_visitor_is_not_visited"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after_start"),
        ]

    def __str__(self):
        return gettext("Lesbezoek %(starts_at)s") % {"starts_at": f"{self.starts_at:%Y-%m-%d %H:%M}"}

    @property
    def duration_minutes(self) -> int:
        return round((self.ends_at - self.starts_at).total_seconds() / 60)

    @property
    def has_begun(self) -> bool:
        """Its time has come: from now on it is no longer moved or cancelled, but held or not."""
        return self.starts_at <= timezone.now()

    @property
    def awaits_outcome(self) -> bool:
        """Still "planned" although its time has come: someone has to say whether it took place."""
        return self.status == VisitStatus.PLANNED and self.has_begun

    @property
    def tone(self) -> str:
        """Its colour in the calendar and badges: planned, due (say whether it took place), done
        (it took place) or cancelled (it did not)."""
        if self.awaits_outcome:
            return "due"
        if self.status in VISIT_DID_NOT_HAPPEN:
            return "cancelled"
        return "done" if self.status in (VisitStatus.HELD, VisitStatus.DONE) else "planned"

    @property
    def status_label(self) -> str:
        """The status as people read it: a planned visit whose time has passed is not "Gepland"."""
        return str(_("Plaatsgevonden?")) if self.awaits_outcome else self.get_status_display()


class LessonVisitNotes(TenantModel):
    """What the visitor observed and what the debrief brought. Visible to the visitor and the
    visited teacher only (see the module docstring)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    visit = models.OneToOneField(LessonVisit, on_delete=models.CASCADE, related_name="notes")
    observations = models.TextField(_("observaties"), max_length=4000, blank=True)
    went_well = models.TextField(_("wat ging goed"), max_length=2000, blank=True)
    learned = models.TextField(_("wat hebben we geleerd"), max_length=2000, blank=True)
    next_step = models.TextField(_("volgende stap"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta(TenantModel.Meta):
        verbose_name = _("verslag van een lesbezoek")
        verbose_name_plural = _("verslagen van lesbezoeken")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Wordt verstuurd")
    SENT = "sent", _("Verstuurd")


class LessonVisitReminder(TenantModel):
    """The e-mail reminder the day before, one per visit and person: the unique constraint plus
    the status make a second run of the task send nothing twice. SENT means written to the mail
    outbox (`message`, in the same transaction); the outbox's relay sends it."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    visit = models.ForeignKey(LessonVisit, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The outbox keeps a sent message for its retention only: then this is emptied.
    message = models.OneToOneField(
        "leerkracht.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["visit", "user"], name="visit_reminder_once_per_person")]


def calendar_feed_digest(token: str) -> str:
    """The SHA-256 digest a feed's secret token is stored and looked up as."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's private iCalendar feed: a secret URL a calendar app subscribes to without a
    session. Not tenant-owned: one feed covers a person's visits in every school they work in.
    Revoking it sets `revoked_at`; the URL then answers exactly like an unknown one.

    Only the token's SHA-256 digest is stored (as the barometer stores its links' digests): the
    database, a backup or a replica holds no working feed address. `token` is set when a feed is
    made (`CalendarFeed(token=…)`), which stores its digest, and is known only to that instance:
    the owner sees the address once, when it is made or renewed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feed_one_live_per_user"
            ),
        ]

    def __str__(self):
        return gettext("Agenda-feed van %(user_id)s") % {"user_id": self.user_id}

    @property
    def token(self) -> str | None:
        """The secret token, on the instance that was made with it only; None once read back."""
        return self.__dict__.get("_token")

    @token.setter
    def token(self, value: str) -> None:
        self._token = value
        self.token_digest = calendar_feed_digest(value)
