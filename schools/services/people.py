"""Writes about a school's people: inviting one person, the invitation's life (resend, withdraw,
accept) and the people log.

A person is placed in the school when they are invited: their account (new: without a password),
their roles and their teams are written in the same transaction as the invitation and its e-mail
in the outbox, so teams are complete on the day of an import and nothing is half written. A new
person sets a password through the e-mail's link; someone who already has an account (another
school) is told by e-mail and needs nothing more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from leerkracht import clock
from leerkracht.mail import message_id_new, outbox_finisher, outbox_write
from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from schools.models import (
    FormerStaff,
    InvitationStatus,
    PeopleImport,
    PeopleLogAction,
    PeopleLogEntry,
    School,
    SchoolMembership,
    StaffInvitation,
    Team,
    TeamMembership,
    User,
)
from schools.signals import staff_left

SCHOOL_ROLE_ORDER = list(SchoolMembership.SCHOOL_ROLES)
OUTBOX_KIND = "staff_invitation"
OUTBOX_KIND_ADDED = "staff_added"
LINK_PLACEHOLDER = "[[uitnodigingslink]]"
TOKEN_SALT = "staff-invitation"  # noqa: S105 - an HMAC key salt, not a secret
# SHA-256 HMAC gives 64 hex digits; anything else is not a token of ours and is turned away
# without a query.
_TOKEN = re.compile(r"^[0-9a-f]{64}$")


# --- The token ---------------------------------------------------------------------------------


def invitation_token(invitation: StaffInvitation) -> str:
    """The secret token of the invitation's link, derived from its nonce."""
    return salted_hmac(TOKEN_SALT, invitation.nonce, algorithm="sha256").hexdigest()


def token_digest(token: str) -> str:
    """What the database stores of a token: its SHA-256, so the table alone opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute address of an invitation's page (workers have no request to ask)."""
    return settings.SITE_URL + reverse("staff_invitation_accept", kwargs={"token": token})


def invitation_by_token(token: str, *, now: dt.datetime | None = None) -> StaffInvitation | None:
    """The pending, unexpired invitation a link's token belongs to; None for anything else (an
    unknown, used, withdrawn or expired link all look the same: nothing is revealed)."""
    if not _TOKEN.match(token or ""):
        return None
    # The token is the whole credential: nobody is logged in, so there is no tenant scope yet. The
    # one unscoped read, by the digest (unique); the caller opens the school's scope after it.
    invitation = (
        StaffInvitation.unscoped.select_related("school", "user").filter(token_digest=token_digest(token)).first()
    )
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        return None
    if invitation.is_expired(now or timezone.now()):
        return None
    return invitation


# --- Rules -------------------------------------------------------------------------------------


def email_normalise(email: str) -> str:
    """An address as we store it: trimmed and in lower case (one person, one address)."""
    return (email or "").strip().lower()


def email_check(email: str) -> str:
    """The normalised address, or a ValidationError saying what is wrong with it."""
    normalised = email_normalise(email)
    if not normalised:
        raise ValidationError(_("Vul een e-mailadres in."))
    try:
        validate_email(normalised)
    except ValidationError:
        raise ValidationError(_("‘%(email)s’ is geen geldig e-mailadres.") % {"email": email.strip()[:254]}) from None
    return normalised


def roles_with_teams(roles: Iterable[Role], *, in_a_team: bool) -> list[Role]:
    """The roles a person ends up with, in the matrix's order: a member of a team is a teacher of
    the school too (the same rule as `team_membership_add`)."""
    result = [Role(role) for role in roles]
    if in_a_team and Role.LERAAR not in result:
        result.append(Role.LERAAR)
    order = {role: index for index, role in enumerate(SchoolMembership.SCHOOL_ROLES)}
    return sorted(set(result), key=order.__getitem__)


@dataclass
class Held:
    """What a person already has in a school, when the caller read it already (an import reads it
    for a batch of rows at once); `user` None: the caller found no account for the address."""

    user: User | None
    roles: set[str]
    team_ids: set[int]


@dataclass
class Placement:
    """What placing a person in a school changed."""

    user: User
    new_account: bool = False
    roles_added: list[Role] = field(default_factory=list)
    teams_added: list[Team] = field(default_factory=list)
    invitation: StaffInvitation | None = None

    @property
    def changed(self) -> bool:
        return self.new_account or bool(self.roles_added or self.teams_added)


def people_log_entry(
    *, school: School, actor: User | None, action: str, subject: User | None = None, team=None, detail: str = ""
) -> PeopleLogEntry:
    """One entry of the people log, to append with `people_log_write`."""
    return PeopleLogEntry(school=school, actor=actor, action=action, subject=subject, team=team, detail=detail[:300])


def people_log_write(entries: Sequence[PeopleLogEntry]) -> None:
    """Append entries to the people log (each names its school: an acceptance writes to every
    school the person was invited into, outside any one school's scope)."""
    PeopleLogEntry.unscoped.bulk_create(entries)


def _roles_label(roles: Iterable[Role]) -> str:
    return ", ".join(str(Role(role).label) for role in roles)


# --- Placing a person --------------------------------------------------------------------------


def staff_place(
    *,
    school: School,
    email: str,
    first_name: str,
    last_name: str,
    roles: Sequence[Role],
    teams: Sequence[Team],
    placed_by: User | None,
    people_import: PeopleImport | None = None,
    now: dt.datetime | None = None,
    held: Held | None = None,
) -> Placement:
    """Give a person (found by e-mail, or made) these roles and teams in the school, and write the
    invitation and its e-mail where something changed: a link to set a password for someone
    without one, a notice for someone who already logs in. Idempotent: placing the same person
    again changes nothing and sends nothing. Runs in the caller's transaction (one per person).
    `held`: the person's roles and teams here as the caller read them in this transaction."""
    now = now or timezone.now()
    email = email_check(email)
    for team in teams:
        if team.school_id != school.pk:
            raise ValidationError(_("Kies teams van deze school."))
    roles = roles_with_teams(roles, in_a_team=bool(teams))
    if not roles:
        raise ValidationError(_("Kies minstens één rol."))

    user = held.user if held is not None else User.objects.filter(email__iexact=email).first()
    placement = Placement(user=user)
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, first_name=first_name.strip()[:80], last_name=last_name.strip()[:120]
        )
        placement = Placement(user=user, new_account=True)
    elif not user.is_active:
        raise ValidationError(
            _("Het account van %(email)s is uitgeschakeld; de stichting kan het weer aanzetten.") % {"email": email}
        )

    if placement.new_account:
        held_roles: set[str] = set()
        held_team_ids: set[int] = set()
    elif held is not None:
        held_roles, held_team_ids = held.roles, held.team_ids
    else:
        held_roles = set(SchoolMembership.unscoped.filter(user=user, school=school).values_list("role", flat=True))
        held_team_ids = set(TeamMembership.unscoped.filter(user=user, school=school).values_list("team_id", flat=True))
    placement.roles_added = [role for role in roles if role not in held_roles]
    SchoolMembership.unscoped.bulk_create(
        [SchoolMembership(user=user, school=school, role=role) for role in placement.roles_added],
        ignore_conflicts=True,
    )
    placement.teams_added = [team for team in teams if team.pk not in held_team_ids]
    if placement.roles_added and not held_roles and not placement.new_account:
        # Back in the school (or here for the first time): no longer a former colleague.
        FormerStaff.unscoped.filter(school=school, user=user).delete()
    TeamMembership.unscoped.bulk_create(
        [TeamMembership(user=user, team=team, school=school) for team in placement.teams_added],
        ignore_conflicts=True,
    )

    pending = StaffInvitation.unscoped.filter(school=school, user=user, status=InvitationStatus.PENDING).first()
    if not placement.changed:
        placement.invitation = pending
        return placement

    log: list[PeopleLogEntry] = []
    if user.has_usable_password():
        # Someone who already logs in: their new place is theirs at once; the e-mail tells them.
        invitation = StaffInvitation.unscoped.create(
            school=school,
            user=user,
            email=email,
            roles=[str(r) for r in roles],
            team_ids=[team.pk for team in teams],
            status=InvitationStatus.ACCEPTED,
            invited_by=placed_by,
            people_import=people_import,
            created_at=now,
            accepted_at=now,
            sent_at=now,
            send_count=1,
        )
        _added_mail_write(invitation=invitation, teams=placement.teams_added, now=now)
        log.append(
            people_log_entry(
                school=school, actor=placed_by, action=PeopleLogAction.ADDED, subject=user, detail=_roles_label(roles)
            )
        )
    elif pending is not None:
        # Invited before and not yet in: the new roles and teams join the open invitation; its
        # link stays the same (no second e-mail with a second link to puzzle over).
        pending.roles = sorted(set(pending.roles) | {str(r) for r in roles})
        pending.team_ids = sorted(set(pending.team_ids) | {team.pk for team in teams})
        pending.save(update_fields=["roles", "team_ids"])
        invitation = pending
        if placement.roles_added:
            log.append(
                people_log_entry(
                    school=school,
                    actor=placed_by,
                    action=PeopleLogAction.ROLE_GIVEN,
                    subject=user,
                    detail=_roles_label(placement.roles_added),
                )
            )
    else:
        invitation = StaffInvitation.unscoped.create(
            school=school,
            user=user,
            email=email,
            roles=[str(r) for r in roles],
            team_ids=[team.pk for team in teams],
            invited_by=placed_by,
            people_import=people_import,
            created_at=now,
        )
        _invitation_mail_write(invitation=invitation, now=now)
        log.append(
            people_log_entry(
                school=school, actor=placed_by, action=PeopleLogAction.INVITED, subject=user, detail=_roles_label(roles)
            )
        )
    for team in placement.teams_added:
        log.append(
            people_log_entry(
                school=school,
                actor=placed_by,
                action=PeopleLogAction.TEAM_JOINED,
                subject=user,
                team=team,
                detail=team.name,
            )
        )
    people_log_write(log)
    placement.invitation = invitation
    return placement


def staff_invite(
    *,
    school: School,
    email: str,
    first_name: str,
    last_name: str,
    roles: Sequence[Role],
    teams: Sequence[Team],
    invited_by: User,
) -> Placement:
    """Invite one person (the form "Iemand uitnodigen"). Refused, with the reason, when the
    address is already invited or the person already has exactly these roles and teams here."""
    email = email_check(email)
    if not (first_name or "").strip():
        raise ValidationError({"first_name": _("Vul een voornaam in.")})
    if not (last_name or "").strip():
        raise ValidationError({"last_name": _("Vul een achternaam in.")})
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            # Serialise two invitations of the same person (a double click, two coaches at once).
            User.objects.select_for_update().filter(pk=existing.pk).first()
            if StaffInvitation.unscoped.filter(school=school, user=existing, status=InvitationStatus.PENDING).exists():
                raise ValidationError(
                    {
                        "email": _(
                            "%(email)s is al uitgenodigd voor deze school; je kunt de uitnodiging "
                            "opnieuw versturen in de lijst met uitnodigingen."
                        )
                        % {"email": email}
                    }
                )
        placement = staff_place(
            school=school,
            email=email,
            first_name=first_name,
            last_name=last_name,
            roles=roles,
            teams=teams,
            placed_by=invited_by,
        )
        if not placement.changed:
            raise ValidationError(
                {"email": _("%(email)s werkt al in deze school met deze rollen en teams.") % {"email": email}}
            )
    return placement


# --- The invitation's life -----------------------------------------------------------------------


def _expires(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.STAFF_INVITATION_DAYS)


def _invitation_mail_write(*, invitation: StaffInvitation, now: dt.datetime) -> None:
    """Draw a fresh nonce (a new link; an older one stops working), write the e-mail with a
    placeholder for the link, and point the invitation at it."""
    invitation.nonce = secrets.token_hex(32)
    invitation.token_digest = token_digest(invitation_token(invitation))
    invitation.expires_at = _expires(now)
    school = invitation.school
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "first_name": invitation.user.first_name,
            "school": school.name,
            "inviter": invitation.invited_by.full_name if invitation.invited_by else "",
            "roles": _roles_label(invitation.roles),
            "link": LINK_PLACEHOLDER,
            "expires": clock.local(invitation.expires_at).date(),
        }
        body = render_to_string("schools/email_staff_invitation.txt", context)
        subject = _("Uitnodiging voor %(school)s op het leerKRACHT-platform") % {"school": school.name}
    invitation.message = outbox_write(
        kind=OUTBOX_KIND, to=invitation.user.email, subject=subject, body=body, message_id=message_id_new(), now=now
    )
    invitation.sent_at = now
    invitation.send_count += 1
    invitation.save(update_fields=["nonce", "token_digest", "expires_at", "message", "sent_at", "send_count"])


def _added_mail_write(*, invitation: StaffInvitation, teams: Sequence[Team], now: dt.datetime) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "first_name": invitation.user.first_name,
            "school": invitation.school.name,
            "roles": _roles_label(invitation.roles),
            "teams": ", ".join(team.name for team in teams),
            "link": settings.SITE_URL + reverse("home"),
        }
        body = render_to_string("schools/email_staff_added.txt", context)
        subject = _("Je bent toegevoegd aan %(school)s") % {"school": invitation.school.name}
    invitation.message = outbox_write(
        kind=OUTBOX_KIND_ADDED, to=invitation.user.email, subject=subject, body=body, now=now
    )
    invitation.save(update_fields=["message"])


class InvitationGone(Exception):
    """The invitation is no longer pending (accepted or withdrawn in the meantime)."""


def _pending_locked(invitation: StaffInvitation) -> StaffInvitation:
    locked = (
        StaffInvitation.unscoped.select_for_update(of=("self",))
        .select_related("school", "user", "invited_by")
        .get(pk=invitation.pk)
    )
    if locked.status != InvitationStatus.PENDING:
        raise InvitationGone
    return locked


def staff_invitation_resend(*, invitation: StaffInvitation, resent_by: User, now: dt.datetime | None = None):
    """Send the invitation again with a new link (the old one stops working) and a new expiry."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _pending_locked(invitation)
        _invitation_mail_write(invitation=invitation, now=now)
        people_log_write(
            [
                people_log_entry(
                    school=invitation.school, actor=resent_by, action=PeopleLogAction.RESENT, subject=invitation.user
                )
            ]
        )
    return invitation


def staff_invitation_withdraw(*, invitation: StaffInvitation, withdrawn_by: User, now: dt.datetime | None = None):
    """Withdraw a pending invitation: its link stops working, and the person, who never came in,
    loses the roles and teams it gave them in this school."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _pending_locked(invitation)
        invitation.status = InvitationStatus.WITHDRAWN
        invitation.withdrawn_at = now
        invitation.token_digest = None
        invitation.save(update_fields=["status", "withdrawn_at", "token_digest"])
        school, user = invitation.school, invitation.user
        if not user.has_usable_password():
            TeamMembership.unscoped.filter(school=school, user=user).delete()
            SchoolMembership.unscoped.filter(school=school, user=user).delete()
        people_log_write(
            [
                people_log_entry(
                    school=school,
                    actor=withdrawn_by,
                    action=PeopleLogAction.WITHDRAWN,
                    subject=user,
                )
            ]
        )
    return invitation


def staff_invitation_accept(*, invitation: StaffInvitation, password: str, now: dt.datetime | None = None) -> User:
    """The invited person sets their password: the invitation is used (its link stops working),
    and so is every other open invitation of theirs (the password opens all their schools)."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = _pending_locked(invitation)
        user = invitation.user
        user.set_password(password)
        user.save(update_fields=["password"])
        opened = list(
            StaffInvitation.unscoped.select_for_update(of=("self",))
            .select_related("school")
            .filter(user=user, status=InvitationStatus.PENDING)
        )
        StaffInvitation.unscoped.filter(pk__in=[i.pk for i in opened]).update(
            status=InvitationStatus.ACCEPTED, accepted_at=now, token_digest=None
        )
        people_log_write(
            [
                people_log_entry(school=i.school, actor=user, action=PeopleLogAction.ACCEPTED, subject=user)
                for i in opened
            ]
        )
    return user


@outbox_finisher(OUTBOX_KIND)
def invitation_links_fill_in(messages: list[OutboxMessage]) -> None:
    """Put each invitation's link into its message, in memory, just before the relay sends it
    (one query per batch). The stored body keeps the placeholder. A message whose invitation has
    moved on (resent with a newer message, withdrawn, accepted) says so instead of a link."""
    # The relay serves every school at once: past the tenant scope on purpose, by message id.
    invitations = StaffInvitation.unscoped.filter(message__in=[m.pk for m in messages], status=InvitationStatus.PENDING)
    links = {invitation.message_id: invitation_url(invitation_token(invitation)) for invitation in invitations}
    with translation.override(settings.LANGUAGE_CODE):
        stale = _(
            "(deze link werkt niet meer: gebruik de nieuwste uitnodiging, of vraag je schoolleider om een nieuwe)"
        )
    for message in messages:
        message.body = message.body.replace(LINK_PLACEHOLDER, links.get(message.pk, stale))


# --- Roles and leaving -------------------------------------------------------------------------


def _leaders_locked(school: School) -> set[int]:
    """The school's leaders, their rows locked: two people each taking the other's leadership at
    the same moment are served one after the other, and the second finds one leader left."""
    return set(
        SchoolMembership.unscoped.select_for_update()
        .filter(school=school, role=Role.SCHOOLLEIDER)
        .values_list("user_id", flat=True)
    )


def _leader_named(
    *, school: School, user: User, new_leader: User | None, leaders: set[int], actor: User
) -> list[PeopleLogEntry]:
    """Check that the school keeps a leader when `user` stops being one, giving `new_leader` (a
    person of the school) the role where they are needed; the log entries of that."""
    if leaders - {user.pk}:
        return []
    if new_leader is None or new_leader.pk == user.pk:
        raise ValidationError(
            {
                "new_leader": _(
                    "%(name)s is de enige schoolleider. Kies wie de nieuwe schoolleider wordt; een school heeft er "
                    "altijd minstens één."
                )
                % {"name": user.full_name}
            }
        )
    if not SchoolMembership.unscoped.filter(school=school, user=new_leader).exists():
        raise ValidationError({"new_leader": _("Kies als nieuwe schoolleider iemand van deze school.")})
    SchoolMembership.unscoped.get_or_create(school=school, user=new_leader, role=Role.SCHOOLLEIDER)
    return [
        people_log_entry(
            school=school,
            actor=actor,
            action=PeopleLogAction.ROLE_GIVEN,
            subject=new_leader,
            detail=str(Role.SCHOOLLEIDER.label),
        )
    ]


def staff_roles_set(
    *,
    school: School,
    user: User,
    roles: Iterable[Role],
    grantable: Iterable[Role],
    changed_by: User,
    new_leader: User | None = None,
) -> tuple[list[Role], list[Role]]:
    """Give and take a person's roles in the school so that they hold `roles`; the roles given
    and taken. Only roles in `grantable` (schools.access.roles_grantable of who changes them)
    change: a role above one's own is neither given nor taken. A person keeps at least one role
    (leaving is `staff_remove`), a member of a team stays a teacher, and the school keeps a
    leader: taking the last leader's role names `new_leader` in the same transaction."""
    wanted = {Role(role) for role in roles}
    grantable = set(grantable)
    with transaction.atomic():
        leaders = _leaders_locked(school)
        held = {
            Role(role)
            for role in SchoolMembership.unscoped.filter(school=school, user=user).values_list("role", flat=True)
        }
        if not held:
            raise ValidationError(_("%(name)s werkt niet (meer) in deze school.") % {"name": user.full_name})
        beyond = (wanted ^ held) - grantable
        if beyond:
            raise ValidationError(
                {
                    "roles": _("Je kunt de rol %(role)s niet geven of afnemen.")
                    % {"role": ", ".join(str(role.label) for role in sorted(beyond, key=SCHOOL_ROLE_ORDER.index))}
                }
            )
        if not wanted:
            raise ValidationError(
                {"roles": _("Iemand houdt minstens één rol; wie vertrekt, schrijf je uit de school uit.")}
            )
        if Role.LERAAR not in wanted and TeamMembership.unscoped.filter(school=school, user=user).exists():
            raise ValidationError(
                {
                    "roles": _("Wie in een team zit, is leraar van de school. Haal %(name)s eerst uit de teams.")
                    % {"name": user.full_name}
                }
            )
        given = sorted(wanted - held, key=SCHOOL_ROLE_ORDER.index)
        taken = sorted(held - wanted, key=SCHOOL_ROLE_ORDER.index)
        log: list[PeopleLogEntry] = []
        if Role.SCHOOLLEIDER in taken:
            log += _leader_named(school=school, user=user, new_leader=new_leader, leaders=leaders, actor=changed_by)
        SchoolMembership.unscoped.filter(school=school, user=user, role__in=[str(r) for r in taken]).delete()
        SchoolMembership.unscoped.bulk_create(
            [SchoolMembership(school=school, user=user, role=role) for role in given], ignore_conflicts=True
        )
        log += [
            people_log_entry(school=school, actor=changed_by, action=action, subject=user, detail=str(role.label))
            for action, changed in ((PeopleLogAction.ROLE_GIVEN, given), (PeopleLogAction.ROLE_TAKEN, taken))
            for role in changed
        ]
        people_log_write(log)
    return given, taken


def staff_remove(
    *,
    school: School,
    user: User,
    grantable: Iterable[Role],
    removed_by: User,
    new_leader: User | None = None,
    now: dt.datetime | None = None,
) -> None:
    """A person leaves the school: their roles and teams here end, an open invitation is
    withdrawn, and the school remembers them as a former colleague (FormerStaff): what they wrote
    stays, named "oud-collega" to the school. Refused for oneself, for a person with a role above
    the remover's own, and for the last leader unless `new_leader` is named."""
    now = now or timezone.now()
    if user.pk == removed_by.pk:
        raise ValidationError(_("Je kunt jezelf niet uitschrijven; vraag dat aan een collega die de mensen beheert."))
    with transaction.atomic():
        leaders = _leaders_locked(school)
        held = {
            Role(role)
            for role in SchoolMembership.unscoped.filter(school=school, user=user).values_list("role", flat=True)
        }
        if not held:
            raise ValidationError(_("%(name)s werkt niet (meer) in deze school.") % {"name": user.full_name})
        beyond = held - set(grantable)
        if beyond:
            raise ValidationError(
                _("%(name)s is %(role)s; die rol kun jij niet afnemen, en dus kun je %(name)s niet uitschrijven.")
                % {"name": user.full_name, "role": ", ".join(str(r.label).lower() for r in beyond)}
            )
        log: list[PeopleLogEntry] = []
        if Role.SCHOOLLEIDER in held:
            log += _leader_named(school=school, user=user, new_leader=new_leader, leaders=leaders, actor=removed_by)
        teams = list(Team.unscoped.filter(memberships__user=user, school=school).order_by("name"))
        TeamMembership.unscoped.filter(school=school, user=user).delete()
        SchoolMembership.unscoped.filter(school=school, user=user).delete()
        StaffInvitation.unscoped.filter(school=school, user=user, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.WITHDRAWN, withdrawn_at=now, token_digest=None
        )
        FormerStaff.unscoped.update_or_create(
            school=school, user=user, defaults={"left_at": now, "removed_by": removed_by}
        )
        log.append(
            people_log_entry(
                school=school,
                actor=removed_by,
                action=PeopleLogAction.REMOVED,
                subject=user,
                detail=", ".join([_roles_label(sorted(held, key=SCHOOL_ROLE_ORDER.index))] + [t.name for t in teams]),
            )
        )
        people_log_write(log)
        staff_left.send(sender=FormerStaff, school=school, user=user, removed_by=removed_by, now=now)
