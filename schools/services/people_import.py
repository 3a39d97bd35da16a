"""Importing a school's people from a file its administration system exported.

Three steps, each its own request or task:

1. `people_import_create` reads the upload (schools/people_file.py) and keeps its rows, never the
   file; a file refused as a whole (not CSV/XLSX, too large, no usable rows) is refused here with
   the reason.
2. `people_import_preview` says per row what the import would do (a new person, an existing
   person gets a membership, nothing to change, refused with the reason; the teams it would make)
   and writes nothing.
3. `people_import_start` queues the run; `people_import_run` (a task) writes row by row, a few
   rows per transaction, each row with its account, memberships, invitation and e-mail or not at
   all, and advances `rows_done` in the same transaction: a worker killed mid-import resumes at the
   first row not written. The rules per row are the same function in preview and run, with the
   database read again at run time, so a file imported twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leerkracht.roles import Role
from schools.models import (
    ImportStatus,
    PeopleImport,
    PeopleLogAction,
    School,
    SchoolMembership,
    Team,
    TeamMembership,
    User,
)
from schools.people_file import PeopleFileError, read_people_file
from schools.services.people import (
    Held,
    email_check,
    people_log_entry,
    people_log_write,
    roles_with_teams,
    staff_place,
)

# The words an administration system or a person typing a sheet uses for the three school roles.
ROLE_WORDS: dict[str, Role] = {
    "leraar": Role.LERAAR,
    "leraren": Role.LERAAR,
    "leerkracht": Role.LERAAR,
    "groepsleerkracht": Role.LERAAR,
    "docent": Role.LERAAR,
    "teacher": Role.LERAAR,
    "schoolcoach": Role.SCHOOLCOACH,
    "coach": Role.SCHOOLCOACH,
    "school coach": Role.SCHOOLCOACH,
    "schoolleider": Role.SCHOOLLEIDER,
    "directeur": Role.SCHOOLLEIDER,
    "directie": Role.SCHOOLLEIDER,
    "school leader": Role.SCHOOLLEIDER,
    "principal": Role.SCHOOLLEIDER,
}
ROWS_PER_TRANSACTION = 25
TEAM_NAME_MAX = Team._meta.get_field("name").max_length


class RowKind(StrEnum):
    NEW = "new"  # a new person: account, roles, teams, an invitation to set a password
    ADD = "add"  # someone with an account gets roles or teams here, and a notice
    SAME = "same"  # already so: nothing changes
    REFUSED = "refused"


@dataclass
class RowPlan:
    """What the import does with one row of the file."""

    line: int
    email: str
    first_name: str
    last_name: str
    kind: RowKind
    reasons: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    team_names: list[str] = field(default_factory=list)
    new_team_names: list[str] = field(default_factory=list)

    @property
    def roles_label(self) -> str:
        return ", ".join(str(role.label) for role in self.roles)


@dataclass(frozen=True)
class Preview:
    rows: list[RowPlan]
    counts: Counter
    new_team_names: list[str]

    @property
    def refused(self) -> list[RowPlan]:
        return [row for row in self.rows if row.kind is RowKind.REFUSED]

    @property
    def to_write(self) -> int:
        return self.counts[RowKind.NEW] + self.counts[RowKind.ADD]


# --- 1. The upload -----------------------------------------------------------------------------


def upload_read(upload) -> bytes:
    """An uploaded file's bytes, at most one past the size limit (enough to refuse it)."""
    upload.seek(0)
    return upload.read(settings.PEOPLE_IMPORT_MAX_BYTES + 1)


def people_import_create(
    *, school: School, file_name: str, data: bytes, created_by: User, roles_allowed: Iterable[Role]
) -> PeopleImport:
    """Read an uploaded people file and keep its rows for the preview; refused as a whole, with
    the reason, when it is too large, not a CSV or XLSX file, or holds no people."""
    if len(data) > settings.PEOPLE_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("Het bestand is groter dan %(limit)s MB. Laat kolommen weg die niet nodig zijn, of splits het bestand.")
            % {"limit": round(settings.PEOPLE_IMPORT_MAX_BYTES / (1024 * 1024), 1)}
        )
    try:
        rows = read_people_file(name=file_name, data=data, max_rows=settings.PEOPLE_IMPORT_MAX_ROWS)
    except PeopleFileError as error:
        raise ValidationError(str(error)) from None
    return PeopleImport.objects.create(
        school=school,
        created_by=created_by,
        file_name=file_name[:200],
        row_count=len(rows),
        rows=[
            {
                "line": row.line,
                "email": row.email,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "roles": list(row.roles),
                "teams": list(row.teams),
            }
            for row in rows
        ],
        roles_allowed=[str(role) for role in roles_allowed],
    )


# --- 2. The rules per row ------------------------------------------------------------------------


@dataclass
class Known:
    """What the database says about the people and teams a batch of rows names."""

    users: dict[str, User]  # by lower-case e-mail
    roles: dict[int, set[str]]  # user id → roles held in the school
    teams_of: dict[int, set[int]]  # user id → team ids in the school
    teams: dict[str, Team]  # by case-folded name


def _known(*, school: School, emails: Sequence[str]) -> Known:
    """Four queries, whatever the number of rows."""
    users = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
    roles: dict[int, set[str]] = {}
    for user_id, role in SchoolMembership.unscoped.filter(school=school, user__in=users.values()).values_list(
        "user_id", "role"
    ):
        roles.setdefault(user_id, set()).add(role)
    teams_of: dict[int, set[int]] = {}
    for user_id, team_id in TeamMembership.unscoped.filter(school=school, user__in=users.values()).values_list(
        "user_id", "team_id"
    ):
        teams_of.setdefault(user_id, set()).add(team_id)
    teams = {team.name.casefold(): team for team in Team.unscoped.filter(school=school)}
    return Known(users=users, roles=roles, teams_of=teams_of, teams=teams)


def _first_lines(rows: Sequence[dict]) -> dict[str, int]:
    """The first line of the file on which each address appears."""
    first: dict[str, int] = {}
    for row in rows:
        first.setdefault(row["email"].strip().lower(), row["line"])
    return first


def _plan(row: dict, *, known: Known, allowed: set[str], first_lines: dict[str, int]) -> RowPlan:
    plan = RowPlan(
        line=row["line"],
        email=row["email"].strip(),
        first_name=row["first_name"].strip(),
        last_name=row["last_name"].strip(),
        kind=RowKind.REFUSED,
    )
    reasons = plan.reasons
    try:
        email = email_check(row["email"])
    except ValidationError as error:
        reasons.extend(error.messages)
        email = ""
    if email and first_lines.get(email) != plan.line:
        reasons.append(_("Dit e-mailadres staat ook op regel %(line)s.") % {"line": first_lines[email]})
    if not plan.first_name:
        reasons.append(_("De voornaam ontbreekt."))
    if not plan.last_name:
        reasons.append(_("De achternaam ontbreekt."))
    roles: list[Role] = []
    for word in row["roles"]:
        role = ROLE_WORDS.get(" ".join(word.casefold().split()))
        if role is None:
            reasons.append(
                _("Onbekende rol ‘%(word)s’: gebruik leraar, schoolcoach of schoolleider.") % {"word": word[:40]}
            )
        elif str(role) not in allowed:
            reasons.append(_("Je kunt niemand de rol %(role)s geven.") % {"role": role.label})
        else:
            roles.append(role)
    if not row["roles"]:
        roles = [Role.LERAAR]  # a sheet without a role column is a list of teachers
    team_names: list[str] = []
    for name in row["teams"]:
        name = " ".join(name.split())
        if len(name) > TEAM_NAME_MAX:
            reasons.append(_("De teamnaam is langer dan %(max)s tekens.") % {"max": TEAM_NAME_MAX})
        elif name.casefold() not in {n.casefold() for n in team_names}:
            existing = known.teams.get(name.casefold())
            team_names.append(existing.name if existing else name)
    user = known.users.get(email)
    if user is not None and not user.is_active:
        reasons.append(_("Het account van dit e-mailadres is uitgeschakeld."))
    for name in team_names:
        existing = known.teams.get(name.casefold())
        if existing is not None and existing.archived_at is not None:
            reasons.append(_("Het team ‘%(team)s’ is gearchiveerd.") % {"team": existing.name})
    plan.roles = roles_with_teams(roles, in_a_team=bool(team_names))
    plan.team_names = team_names
    plan.new_team_names = [name for name in team_names if name.casefold() not in known.teams]
    if reasons:
        return plan
    if user is None:
        plan.kind = RowKind.NEW
        return plan
    held_roles = known.roles.get(user.pk, set())
    held_teams = known.teams_of.get(user.pk, set())
    missing_roles = [role for role in plan.roles if str(role) not in held_roles]
    missing_teams = [
        name
        for name in team_names
        if name.casefold() not in known.teams or known.teams[name.casefold()].pk not in held_teams
    ]
    plan.kind = RowKind.ADD if missing_roles or missing_teams else RowKind.SAME
    return plan


def people_import_preview(*, people_import: PeopleImport) -> Preview:
    """What the import would do with each row, and the teams it would make; writes nothing.
    A fixed number of queries, whatever the file's length."""
    rows = people_import.rows
    emails = sorted({row["email"].strip().lower() for row in rows if row["email"].strip()})
    known = _known(school=people_import.school, emails=emails)
    first_lines = _first_lines(rows)
    allowed = set(people_import.roles_allowed)
    plans = [_plan(row, known=known, allowed=allowed, first_lines=first_lines) for row in rows]
    new_teams: dict[str, str] = {}
    for plan in plans:
        if plan.kind is not RowKind.REFUSED:
            for name in plan.new_team_names:
                new_teams.setdefault(name.casefold(), name)
    return Preview(rows=plans, counts=Counter(plan.kind for plan in plans), new_team_names=sorted(new_teams.values()))


# --- 3. The run ---------------------------------------------------------------------------------


class ImportNotStartable(Exception):
    """The import was started before (another tab, a second click), or nothing in it can be written."""


def people_import_start(*, people_import: PeopleImport, started_by: User) -> PeopleImport:
    """Queue the run of an import that was previewed; a second start (another tab) is refused."""
    from schools import tasks  # the tasks module imports this one

    with transaction.atomic():
        locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
        if locked.status != ImportStatus.PREVIEW:
            raise ImportNotStartable
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        tasks.people_import_run.delay(school_id=locked.school_id, import_id=locked.pk)
    return locked


def people_import_run(*, import_id: int, now: dt.datetime | None = None) -> PeopleImport:
    """Write the import's rows from the first one not yet written, a few rows per transaction."""
    people_import = PeopleImport.objects.select_related("school", "created_by").get(pk=import_id)
    if people_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return people_import
    if people_import.status == ImportStatus.QUEUED:
        PeopleImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, started_at=timezone.now())
    rows = people_import.rows
    first_lines = _first_lines(rows)
    allowed = set(people_import.roles_allowed)
    school = people_import.school
    while True:
        with transaction.atomic():
            locked = PeopleImport.objects.select_for_update().get(pk=import_id)
            start = locked.rows_done
            if start >= len(rows) or locked.status != ImportStatus.RUNNING:
                break
            batch = rows[start : start + ROWS_PER_TRANSACTION]
            outcome = Counter(locked.outcome)
            # One read of the batch's people and the school's teams, kept up to date by the rows.
            known = _known(school=school, emails=sorted({row["email"].strip().lower() for row in batch}))
            for row in batch:
                outcome.update(
                    _run_row(
                        row,
                        people_import=locked,
                        actor=people_import.created_by,
                        school=school,
                        known=known,
                        allowed=allowed,
                        first_lines=first_lines,
                        now=now,
                    )
                )
            locked.rows_done = start + len(batch)
            locked.outcome = dict(outcome)
            locked.save(update_fields=["rows_done", "outcome"])
    with transaction.atomic():
        locked = PeopleImport.objects.select_for_update().get(pk=import_id)
        if locked.status == ImportStatus.RUNNING:
            locked.status = ImportStatus.DONE
            locked.finished_at = timezone.now()
            locked.save(update_fields=["status", "finished_at"])
            people_log_write(
                [
                    people_log_entry(
                        school=school,
                        actor=people_import.created_by,
                        action=PeopleLogAction.IMPORTED,
                        detail=f"{people_import.file_name}: " + _outcome_label(locked.outcome),
                    )
                ]
            )
    return locked


def _run_row(
    row: dict,
    *,
    people_import: PeopleImport,
    actor: User | None,
    school: School,
    known: Known,
    allowed: set[str],
    first_lines: dict[str, int],
    now,
) -> list[str]:
    """One row, against the database as read for its batch (in the batch's transaction), written
    as the preview said; what it did. What the row writes is added to `known` for the rows after
    it (a team it made)."""
    email = row["email"].strip().lower()
    plan = _plan(row, known=known, allowed=allowed, first_lines=first_lines)
    if plan.kind in (RowKind.REFUSED, RowKind.SAME):
        return [str(plan.kind)]
    teams = []
    made = []
    for name in plan.team_names:
        team = known.teams.get(name.casefold())
        if team is None:
            team, created = Team.unscoped.get_or_create(school=school, name=name)
            if created:
                made.append(team)
            known.teams[name.casefold()] = team
        teams.append(team)
    if made:
        people_log_write(
            [
                people_log_entry(
                    school=school,
                    actor=actor,
                    action=PeopleLogAction.TEAM_CREATED,
                    team=team,
                    detail=team.name,
                )
                for team in made
            ]
        )
    user = known.users.get(email)
    placement = staff_place(
        school=school,
        email=email,
        first_name=plan.first_name,
        last_name=plan.last_name,
        roles=[role for role in plan.roles],
        teams=teams,
        placed_by=actor,
        people_import=people_import,
        now=now,
        held=Held(
            user=user,
            roles=known.roles.get(user.pk, set()) if user else set(),
            team_ids=known.teams_of.get(user.pk, set()) if user else set(),
        ),
    )
    # A file naming the same person twice is refused on the second line (first_lines); a person
    # made here is known from now on all the same.
    known.users[email] = placement.user
    return [str(plan.kind)] + ["team_created"] * len(made)


def _outcome_label(outcome: dict) -> str:
    return _("%(new)s nieuw, %(add)s aangevuld, %(same)s ongewijzigd, %(refused)s geweigerd") % {
        "new": outcome.get(RowKind.NEW, 0),
        "add": outcome.get(RowKind.ADD, 0),
        "same": outcome.get(RowKind.SAME, 0),
        "refused": outcome.get(RowKind.REFUSED, 0),
    }
