"""Writes about a school's teams, made by who runs the school's people: make a team, rename it,
archive it (and restore it), delete it while it has no history, and put people in it, take them
out, or move them to another team.

Each service validates, writes and appends to the people log, in one transaction. The team's row
is locked first (FOR UPDATE), so two people changing the same team are served one after the
other: a member added to a team being archived, or a board made for a team being deleted, waits
and then meets the team as it is.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leerkracht.roles import Role
from schools.models import PeopleLogAction, School, SchoolMembership, Team, TeamMembership, User
from schools.selectors import school_staff, team_has_history
from schools.services import team_membership_add
from schools.services.people import people_log_entry, people_log_write

NAME_MAX_LENGTH = Team._meta.get_field("name").max_length


# --- Rules -------------------------------------------------------------------------------------


def team_name_clean(name: str) -> str:
    """A team's name as stored: trimmed, inner white space as single spaces."""
    return " ".join((name or "").split())


def _name_taken(name: str, *, archived: bool) -> ValidationError:
    if archived:
        message = _(
            "Er is al een gearchiveerd team ‘%(name)s’ in deze school. Zet dat team terug, of kies een andere naam."
        )
    else:
        message = _("Deze school heeft al een team ‘%(name)s’. Kies een andere naam.")
    return ValidationError({"name": message % {"name": name}})


def team_name_check(*, school: School, name: str, team: Team | None = None) -> str:
    """The cleaned name, or a ValidationError: empty, too long, or already a team's name in this
    school (case aside, archived teams too: their names stay theirs)."""
    name = team_name_clean(name)
    if not name:
        raise ValidationError({"name": _("Vul een naam voor het team in.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Een teamnaam is hoogstens %(max)s tekens lang.") % {"max": NAME_MAX_LENGTH}})
    clash = Team.unscoped.filter(school_id=school.pk, name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    clash = clash.only("id", "archived_at").first()
    if clash is not None:
        raise _name_taken(name, archived=clash.archived_at is not None)
    return name


def _locked(team: Team) -> Team:
    """The team's row, locked until the transaction ends, with its school."""
    return Team.unscoped.select_for_update(of=("self",)).select_related("school").get(pk=team.pk)


def _member_in_school_check(*, team: Team, user: User) -> None:
    # The one rule of who works in a school (schools.selectors.school_staff): a person of another
    # school, or one who left this one, is not put in its teams.
    if not school_staff(school_id=team.school_id).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("%(name)s werkt niet in deze school.") % {"name": user.full_name}})


def _open_check(team: Team, field: str = "user") -> None:
    if team.archived_at is not None:
        raise ValidationError(
            {field: _("Team ‘%(team)s’ is gearchiveerd: er kunnen geen leden bij.") % {"team": team.name}}
        )


# --- The team ----------------------------------------------------------------------------------


def team_create(*, school: School, name: str, created_by: User | None) -> Team:
    """Make a team in the school. Refused when the name is empty or already a team's here; two
    people making the same name at once meet the database's unique constraint, refused alike."""
    name = team_name_check(school=school, name=name)
    try:
        with transaction.atomic():
            team = Team.unscoped.create(school=school, name=name)
            people_log_write(
                [
                    people_log_entry(
                        school=school, actor=created_by, action=PeopleLogAction.TEAM_CREATED, team=team, detail=name
                    )
                ]
            )
    except IntegrityError:
        raise _name_taken(name, archived=False) from None
    return team


def team_rename(*, team: Team, name: str, renamed_by: User | None) -> Team:
    """Give a team another name. Last write wins: a name is one short field, two people renaming
    the same team at the same moment is rare, and the people log keeps every old and new name,
    so nothing is lost that the conflict protocol would save (and Team has no version to compare).
    The same name again changes nothing and logs nothing."""
    name = team_name_check(school=team.school, name=name, team=team)
    try:
        with transaction.atomic():
            locked = _locked(team)
            old = locked.name
            if old == name:
                return locked
            locked.name = name
            locked.save(update_fields=["name"])
            people_log_write(
                [
                    people_log_entry(
                        school=locked.school,
                        actor=renamed_by,
                        action=PeopleLogAction.TEAM_RENAMED,
                        team=locked,
                        detail=_("%(old)s → %(new)s") % {"old": old, "new": name},
                    )
                ]
            )
    except IntegrityError:
        raise _name_taken(name, archived=False) from None
    return locked


def team_archive(*, team: Team, archived_by: User | None, now: dt.datetime | None = None) -> Team:
    """Archive a team: its board and history stay, readable; it takes no new members and leaves
    the lists to choose a team from. Its members stay in it (who was in the team is history)."""
    with transaction.atomic():
        locked = _locked(team)
        if locked.archived_at is not None:
            raise ValidationError(_("Team ‘%(team)s’ is al gearchiveerd.") % {"team": locked.name})
        locked.archived_at = now or timezone.now()
        locked.save(update_fields=["archived_at"])
        people_log_write(
            [
                people_log_entry(
                    school=locked.school,
                    actor=archived_by,
                    action=PeopleLogAction.TEAM_ARCHIVED,
                    team=locked,
                    detail=locked.name,
                )
            ]
        )
    return locked


def team_restore(*, team: Team, restored_by: User | None) -> Team:
    """Take a team out of the archive: it is chosen from and takes members again."""
    with transaction.atomic():
        locked = _locked(team)
        if locked.archived_at is None:
            raise ValidationError(_("Team ‘%(team)s’ is niet gearchiveerd.") % {"team": locked.name})
        locked.archived_at = None
        locked.save(update_fields=["archived_at"])
        people_log_write(
            [
                people_log_entry(
                    school=locked.school,
                    actor=restored_by,
                    action=PeopleLogAction.TEAM_RESTORED,
                    team=locked,
                    detail=locked.name,
                )
            ]
        )
    return locked


def team_delete(*, team: Team, deleted_by: User | None) -> None:
    """Delete a team that has no history: no board, nothing recorded in any app (see
    `team_has_history`); a team with history is archived instead, never deleted. Its members
    leave it (logged), and the people log keeps the team's name in each entry's detail.

    The team's row is locked before the check: on PostgreSQL a board being made for it at that
    moment (an insert referring to the team) waits for this transaction and then fails, so a
    delete never takes a board with it."""
    with transaction.atomic():
        locked = _locked(team)
        if team_has_history(team=locked):
            raise ValidationError(
                _(
                    "Team ‘%(team)s’ heeft een verbeterbord of andere geschiedenis en kan niet worden verwijderd. "
                    "Archiveer het: het bord en de geschiedenis blijven dan te lezen."
                )
                % {"team": locked.name}
            )
        school = locked.school
        members = list(TeamMembership.unscoped.filter(team=locked).select_related("user"))
        log = [
            people_log_entry(
                school=school,
                actor=deleted_by,
                action=PeopleLogAction.TEAM_LEFT,
                subject=membership.user,
                team=locked,
                detail=locked.name,
            )
            for membership in members
        ]
        log.append(
            people_log_entry(
                school=school,
                actor=deleted_by,
                action=PeopleLogAction.TEAM_DELETED,
                team=locked,
                detail=locked.name,
            )
        )
        people_log_write(log)
        TeamMembership.unscoped.filter(team=locked).delete()
        # The log's entries keep their detail; their link to the team becomes empty (SET_NULL,
        # the one change the log's trigger allows).
        locked.delete()


# --- Its members -------------------------------------------------------------------------------


def team_member_add(*, team: Team, user: User, added_by: User | None) -> TeamMembership:
    """Put a person of the school in a team (not archived). A team member is a teacher of the
    school: someone without the leraar role gets it, logged too. A person may be in several
    teams."""
    with transaction.atomic():
        locked = _locked(team)
        _open_check(locked)
        _member_in_school_check(team=locked, user=user)
        if TeamMembership.unscoped.filter(team=locked, user=user).exists():
            raise ValidationError(
                {"user": _("%(name)s zit al in team ‘%(team)s’.") % {"name": user.full_name, "team": locked.name}}
            )
        was_teacher = SchoolMembership.unscoped.filter(school_id=locked.school_id, user=user, role=Role.LERAAR).exists()
        membership = team_membership_add(user=user, team=locked)
        log = []
        if not was_teacher:
            log.append(
                people_log_entry(
                    school=locked.school,
                    actor=added_by,
                    action=PeopleLogAction.ROLE_GIVEN,
                    subject=user,
                    detail=str(Role.LERAAR.label),
                )
            )
        log.append(
            people_log_entry(
                school=locked.school,
                actor=added_by,
                action=PeopleLogAction.TEAM_JOINED,
                subject=user,
                team=locked,
                detail=locked.name,
            )
        )
        people_log_write(log)
    return membership


def team_member_remove(*, team: Team, user: User, removed_by: User | None) -> None:
    """Take a person out of a team (archived or not). They stay in the school with their roles:
    leaving the school is another action."""
    with transaction.atomic():
        locked = _locked(team)
        deleted, _counts = TeamMembership.unscoped.filter(team=locked, user=user).delete()
        if not deleted:
            raise ValidationError(
                {"user": _("%(name)s zit niet in team ‘%(team)s’.") % {"name": user.full_name, "team": locked.name}}
            )
        people_log_write(
            [
                people_log_entry(
                    school=locked.school,
                    actor=removed_by,
                    action=PeopleLogAction.TEAM_LEFT,
                    subject=user,
                    team=locked,
                    detail=locked.name,
                )
            ]
        )


def team_member_move(*, from_team: Team, to_team: Team, user: User, moved_by: User | None) -> TeamMembership:
    """Move a person from one team to another of the same school, as one action: they leave the
    first and join the second, or, refused, stay where they were."""
    if from_team.pk == to_team.pk:
        raise ValidationError({"to_team": _("Kies een ander team dan ‘%(team)s’.") % {"team": from_team.name}})
    if from_team.school_id != to_team.school_id:
        raise ValidationError({"to_team": _("Kies een team van deze school.")})
    with transaction.atomic():
        # Both rows locked, the lower id first: two moves in opposite directions cannot deadlock.
        first, second = sorted((from_team, to_team), key=lambda t: t.pk)
        locked = {first.pk: _locked(first), second.pk: _locked(second)}
        source, target = locked[from_team.pk], locked[to_team.pk]
        _open_check(target, field="to_team")
        if not TeamMembership.unscoped.filter(team=source, user=user).exists():
            raise ValidationError(
                {"user": _("%(name)s zit niet in team ‘%(team)s’.") % {"name": user.full_name, "team": source.name}}
            )
        if TeamMembership.unscoped.filter(team=target, user=user).exists():
            raise ValidationError(
                {
                    "to_team": _("%(name)s zit al in team ‘%(team)s’; haal %(name)s dan alleen uit dit team.")
                    % {"name": user.full_name, "team": target.name}
                }
            )
        TeamMembership.unscoped.filter(team=source, user=user).delete()
        membership = team_membership_add(user=user, team=target)
        school = source.school
        people_log_write(
            [
                people_log_entry(
                    school=school,
                    actor=moved_by,
                    action=PeopleLogAction.TEAM_LEFT,
                    subject=user,
                    team=source,
                    detail=_("%(team)s (verplaatst naar %(other)s)") % {"team": source.name, "other": target.name},
                ),
                people_log_entry(
                    school=school,
                    actor=moved_by,
                    action=PeopleLogAction.TEAM_JOINED,
                    subject=user,
                    team=target,
                    detail=_("%(team)s (verplaatst uit %(other)s)") % {"team": target.name, "other": source.name},
                ),
            ]
        )
    return membership
