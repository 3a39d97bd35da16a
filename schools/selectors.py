"""Reads. Every selector takes the acting user's `access` and returns only what it may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone

from leerkracht import clock
from leerkracht.access import Access
from leerkracht.roles import Capability, Level, Reach, Role
from schools.models import (
    FORMER_COLLEAGUE,
    PROVINCE_HOLIDAY_REGION,
    FormerStaff,
    InvitationStatus,
    PeopleImport,
    PeopleLogEntry,
    Phase,
    Region,
    School,
    SchoolGroup,
    SchoolHoliday,
    SchoolMembership,
    Sector,
    StaffInvitation,
    Team,
    TeamMembership,
    User,
)

SWITCHER_LIMIT = 30
SCHOOL_PAGE_SIZE = 50  # a phase holds about a thousand schools nationally


# --- How a school names its people -------------------------------------------------------------
# One rule, in three forms (a set for Python, an SQL expression for names built in a query, and
# the `{% person %}` template tag on top of the set): to the school they left, a person is
# "oud-collega", and so is everyone whose personal data was erased; anyone else is their name.


def former_staff_ids(*, school_id: int) -> frozenset[int]:
    """The ids of the people who left this school (one query). The caller was admitted to the
    school; the rows are the school's own."""
    return frozenset(FormerStaff.objects.filter(school_id=school_id).values_list("user_id", flat=True))


def former_staff_ids_of_request(request, *, school_id: int) -> frozenset[int]:
    """`former_staff_ids` once per request (the `{% person %}` tag asks it on every name). A page
    whose people depend on the data (a calendar week with or without visits) asks it up front, so
    it costs the same number of queries either way."""
    cache = request.__dict__.setdefault("_former_staff_ids", {})
    if school_id not in cache:
        cache[school_id] = former_staff_ids(school_id=school_id)
    return cache[school_id]


def display_name(user: User | None, former_ids: frozenset[int] | set[int]) -> str:
    """How the school names `user`: "oud-collega" for a person who left it (or was erased)."""
    if user is None:
        return ""
    if user.pk in former_ids:
        return str(FORMER_COLLEAGUE)
    return user.full_name


def display_email(user: User | None, former_ids: frozenset[int] | set[int]) -> str:
    """A person's address as the school may see it: none for a person who left it (or was
    erased)."""
    if user is None or user.pk in former_ids or user.erased_at is not None:
        return ""
    return user.email


def display_name_sql(user: str = "user", *, school: str = "school_id") -> Case:
    """The same rule as an SQL expression, for names built inside a query (the owners of an
    action, the authors of a design): `user` is the path to the person, `school` the field of the
    row that names the school. It costs no query of its own (an EXISTS on FormerStaff's unique
    (school, user) index)."""
    left = FormerStaff.unscoped.filter(school_id=OuterRef(school), user_id=OuterRef(f"{user}_id"))
    return Case(
        When(Q(**{f"{user}__erased_at__isnull": False}) | Q(Exists(left)), then=Value(str(FORMER_COLLEAGUE))),
        default=Concat(f"{user}__first_name", Value(" "), f"{user}__last_name", output_field=TextField()),
        output_field=TextField(),
    )


def school_entry_url(access: Access, school_id: int) -> str:
    """Where opening a school takes this user: its overview where their role may see it,
    otherwise their team (or their teams). Links and home use this one rule."""
    if access.can(Capability.SCHOOL_VIEW_AGGREGATES, node_id=school_id):
        return reverse("schools:school_overview", kwargs={"school_id": school_id})
    team_ids = access.teams_by_school.get(school_id, ())
    if len(team_ids) == 1:
        return reverse("schools:team_detail", kwargs={"school_id": school_id, "team_id": team_ids[0]})
    return reverse("schools:team_list", kwargs={"school_id": school_id})


def _with_entry_urls(access: Access, schools: list[School]) -> list[School]:
    for school in schools:
        school.entry_url = school_entry_url(access, school.pk)
    return schools


@dataclass(frozen=True)
class Navigation:
    current_school: School | None  # with .entry_url
    schools: list[School]  # the schools to switch between, each with .entry_url (empty for admins)
    more_schools: bool


def navigation_for(*, access: Access, school_id: int | None) -> Navigation:
    """The school in the URL and the user's other schools, in one query."""
    if not access.is_authenticated:
        return Navigation(current_school=None, schools=[], more_schools=False)
    schools: list[School] = []
    if not access.is_admin:  # admins reach schools through the national overview instead
        ids = sorted(access.visible_school_ids())
        schools = list(
            School.objects.filter(pk__in=ids).only("id", "name", "city").order_by("name")[: SWITCHER_LIMIT + 1]
        )
    current = next((s for s in schools if s.pk == school_id), None)
    if current is None and school_id is not None:
        current = School.objects.filter(pk=school_id).only("id", "name").first()
    return Navigation(
        current_school=_with_entry_urls(access, [current])[0] if current else None,
        schools=_with_entry_urls(access, schools[:SWITCHER_LIMIT]),
        more_schools=len(schools) > SWITCHER_LIMIT,
    )


def school_get(*, access: Access, school_id: int) -> School:
    """The school in the URL (admitted by the central rule), with its number of teams."""
    return (
        School.objects.select_related("region", "school_group", "expertcoach")
        .annotate(team_count=Count("teams"))
        .get(pk=school_id)
    )


def team_list(*, access: Access, school_id: int, query: str = "") -> list[Team]:
    """The teams of a school this user may see (a teacher: their own), with their sizes; the
    archived ones among them too (`archived_at` set: pages list them apart)."""
    reach = access.team_reach(Capability.TEAM_VIEW, school_id)
    teams = Team.objects.filter(school_id=school_id)
    if reach is Reach.OWN_TEAMS:
        teams = teams.filter(pk__in=access.team_ids)
    elif reach is None:
        teams = teams.none()
    if query:
        teams = teams.filter(name__icontains=query.strip())
    return list(teams.annotate(member_count=Count("memberships")).order_by("name"))


def team_members(*, access: Access, team: Team) -> list[TeamMembership]:
    """The members of a team the user has been admitted to (see access_team_by_id)."""
    return list(
        TeamMembership.objects.filter(team=team, school_id=team.school_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


# Who teaches in a school: its people with one of these roles, besides the members of its teams. A
# school leader with no team is not a teacher of the school (the barometer does not ask them, and
# the instruments' per-teacher rates do not divide by them).
TEACHER_ROLES = (Role.LERAAR, Role.SCHOOLCOACH)


def staff_rows(
    *, roles: Iterable[str] | None = None, **school
) -> tuple[QuerySet[TeamMembership], QuerySet[SchoolMembership]]:
    """The rule of who works in a school, as the two sets of rows it is made of: the active people
    in one of its teams, and the active people with a role there (with `roles`, only those roles).
    `school` filters both by school: `school_id=`, `school_id__in=` or, in a subquery,
    `school_id=OuterRef(...)`. Every reader of the school's people or teachers below, and the
    per-school counts of other apps, is built on these two sets, so the rule is written once."""
    in_teams = TeamMembership.objects.filter(user__is_active=True, **school)
    in_roles = SchoolMembership.objects.filter(user__is_active=True, **school)
    if roles is not None:
        in_roles = in_roles.filter(role__in=list(roles))
    return in_teams, in_roles


def school_staff(*, school_id: int, roles: Iterable[str] | None = None) -> QuerySet[User]:
    """Who works in the school: the active people with a role there or a place in one of its teams
    (with `roles`, only those school roles, team members still counted). The one rule for choosing
    or checking a colleague (co-authors, the people of a visit, owners on an organisational board);
    the school is the one the caller was admitted to."""
    in_teams, in_roles = staff_rows(school_id=school_id, roles=roles)
    return User.objects.filter(
        Q(pk__in=in_roles.values("user_id")) | Q(pk__in=in_teams.values("user_id")), is_active=True
    )


def teachers_by_school(*, school_ids: Sequence[int]) -> dict[int, dict[int, int | None]]:
    """Per school, its teachers (`school_staff` with TEACHER_ROLES) as {user id: their first team's
    id (lowest id) or None}: team members with their lowest team, then leraren and schoolcoaches in
    no team. Two queries however many schools (a barometer invite reads a batch of 100 at once)."""
    teachers: dict[int, dict[int, int | None]] = {school_id: {} for school_id in school_ids}
    in_teams, in_roles = staff_rows(school_id__in=school_ids, roles=TEACHER_ROLES)
    for school_id, user_id, team_id in in_teams.order_by("school_id", "user_id", "team_id").values_list(
        "school_id", "user_id", "team_id"
    ):
        teachers[school_id].setdefault(user_id, team_id)
    for school_id, user_id in in_roles.values_list("school_id", "user_id"):
        teachers[school_id].setdefault(user_id, None)
    return teachers


def teachers_of_school(*, school_id: int) -> dict[int, int | None]:
    """The school's teachers as {user id: their first team's id (lowest id) or None}."""
    return teachers_by_school(school_ids=[school_id])[school_id]


def teachers_count(*, school_ids: Sequence[int]) -> int:
    """The teachers of these schools, each person once however many of them they teach at (one
    query)."""
    if not school_ids:
        return 0
    in_teams, in_roles = staff_rows(school_id__in=list(school_ids), roles=TEACHER_ROLES)
    return User.objects.filter(
        Q(pk__in=in_teams.values("user_id")) | Q(pk__in=in_roles.values("user_id")), is_active=True
    ).count()


def teams_and_teachers_by_school(*, school_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{school id: (teams with at least one active member, teachers)} in one query, however many
    schools; a school with neither is left out. Teachers as `teachers_by_school` counts them: team
    members, plus leraren and schoolcoaches in no team of the school (nobody counted twice)."""
    in_teams, in_roles = staff_rows(school_id=OuterRef("pk"), roles=TEACHER_ROLES)
    in_teams = in_teams.order_by()
    teams = in_teams.values("school_id").annotate(n=Count("team_id", distinct=True)).values("n")
    members = in_teams.values("school_id").annotate(n=Count("user_id", distinct=True)).values("n")
    in_a_team = TeamMembership.objects.filter(school_id=OuterRef("school_id"), user_id=OuterRef("user_id"))
    by_role_only = (
        in_roles.exclude(Exists(in_a_team))
        .order_by()
        .values("school_id")
        .annotate(n=Count("user_id", distinct=True))  # distinct: a leraar may also be schoolcoach
        .values("n")
    )

    def counted(subquery):
        return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))

    rows = (
        School.objects.filter(pk__in=list(school_ids))
        .order_by()
        .annotate(team_count=counted(teams), in_teams=counted(members), by_role_only=counted(by_role_only))
        .values_list("pk", "team_count", "in_teams", "by_role_only")
    )
    return {pk: (team_count, in_teams + by_role_only) for pk, team_count, in_teams, by_role_only in rows}


@dataclass
class Person:
    """One person of a school on its people page: their roles and teams here, and whether they
    have come in yet (an open invitation, possibly expired)."""

    user: User
    roles: list[str] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    invitation: StaffInvitation | None = None
    invitation_expired: bool = False

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]


def school_people(*, access: Access, school_id: int, now=None) -> list[Person]:
    """Everyone with a role in the school, leaders and coaches first, with their teams and open
    invitations: three queries, whatever the school's size."""
    now = now or timezone.now()
    order = {Role.SCHOOLLEIDER: 0, Role.SCHOOLCOACH: 1, Role.LERAAR: 2}
    people: dict[int, Person] = {}
    for membership in (
        SchoolMembership.objects.filter(school_id=school_id)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    ):
        person = people.setdefault(membership.user_id, Person(user=membership.user))
        person.roles.append(membership.role)
    for membership in (
        TeamMembership.objects.filter(school_id=school_id, user_id__in=list(people))
        .select_related("team")
        .order_by("team__name")
    ):
        people[membership.user_id].teams.append(membership.team)
    for invitation in StaffInvitation.objects.filter(school_id=school_id, status=InvitationStatus.PENDING):
        if invitation.user_id in people:
            people[invitation.user_id].invitation = invitation
            people[invitation.user_id].invitation_expired = invitation.is_expired(now)
    for person in people.values():
        person.roles.sort(key=lambda role: order.get(role, 9))
    return sorted(people.values(), key=lambda person: order.get(person.roles[0], 9))


def school_person(*, access: Access, school_id: int, user: User, now=None) -> Person:
    """One person of the school with their roles, teams and open invitation there (three
    queries), for their page."""
    now = now or timezone.now()
    order = {Role.SCHOOLLEIDER: 0, Role.SCHOOLCOACH: 1, Role.LERAAR: 2}
    person = Person(user=user)
    person.roles = sorted(
        SchoolMembership.objects.filter(school_id=school_id, user=user).values_list("role", flat=True),
        key=lambda role: order.get(role, 9),
    )
    person.teams = list(Team.objects.filter(school_id=school_id, memberships__user=user).order_by("name"))
    person.invitation = StaffInvitation.objects.filter(
        school_id=school_id, user=user, status=InvitationStatus.PENDING
    ).first()
    person.invitation_expired = bool(person.invitation and person.invitation.is_expired(now))
    return person


def leader_candidates(*, access: Access, school_id: int, user: User) -> QuerySet[User] | None:
    """Who could become school leader in `user`'s place, when `user` is the school's only leader
    (None when another leader remains, or `user` is not one)."""
    leaders = set(
        SchoolMembership.objects.filter(school_id=school_id, role=Role.SCHOOLLEIDER).values_list("user_id", flat=True)
    )
    if leaders != {user.pk}:
        return None
    return school_staff(school_id=school_id).exclude(pk=user.pk).order_by("last_name", "first_name")


def school_teams(*, access: Access, school_id: int) -> QuerySet[Team]:
    """The school's teams that are not archived, by name (for choosing teams in a form: an
    archived team takes no new members or work)."""
    return Team.objects.filter(school_id=school_id, archived_at__isnull=True).order_by("name")


def team_member_candidates(*, access: Access, team: Team) -> QuerySet[User]:
    """Who of the team's school may be put in it: its people (`school_staff`) not in it yet, by
    name. `team` was admitted by the caller."""
    members = TeamMembership.objects.filter(team=team, school_id=team.school_id).values("user_id")
    return school_staff(school_id=team.school_id).exclude(pk__in=members).order_by("last_name", "first_name", "pk")


def team_member_users(*, access: Access, team: Team) -> QuerySet[User]:
    """The team's members as people, by name (to choose whom to take out or move)."""
    members = TeamMembership.objects.filter(team=team, school_id=team.school_id).values("user_id")
    return User.objects.filter(pk__in=members).order_by("last_name", "first_name", "pk")


# A team's own rows that are not its history: its places (they go with the team) and the people
# log (its entries keep the team's name in their detail and lose only the link).
_NOT_TEAM_HISTORY = ("schools.TeamMembership", "schools.PeopleLogEntry")


def _team_history_relations():
    """Every relation of another row to a team, of every app, found from the models (this app
    imports none of the apps above it): boards, lesson designs and their shares, pupil groups,
    questionnaire invitations and answers, whatever is added later."""
    for relation in Team._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue  # a many-to-many's rows are its through model's, reached by that one's key
        if relation.related_model._meta.label in _NOT_TEAM_HISTORY:
            continue
        yield relation


def team_has_history(*, team: Team) -> bool:
    """Whether anything refers to the team besides its members and the people log: a board,
    anything of the instruments or the barometer. A team with history is archived, never
    deleted. One query, however many relations."""
    conditions = Q()
    for relation in _team_history_relations():
        rows = relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
        conditions |= Q(Exists(rows))
    if not conditions:
        return False
    return Team.unscoped.filter(pk=team.pk).filter(conditions).exists()


INVITATIONS_SHOWN = 200


def staff_invitations(*, access: Access, school_id: int, now=None) -> dict[str, list[StaffInvitation]]:
    """The school's invitations, newest first, grouped as the list shows them: pending, expired,
    accepted, withdrawn (each at most INVITATIONS_SHOWN). One query."""
    now = now or timezone.now()
    groups: dict[str, list[StaffInvitation]] = {"pending": [], "expired": [], "accepted": [], "withdrawn": []}
    for invitation in (
        StaffInvitation.objects.filter(school_id=school_id)
        .select_related("user", "invited_by")
        .order_by("-created_at", "-id")
    ):
        group = "expired" if invitation.is_expired(now) else str(invitation.status)
        if len(groups[group]) < INVITATIONS_SHOWN:
            groups[group].append(invitation)
    return groups


LOG_PAGE_SIZE = 50


def people_log(*, access: Access, school_id: int, page: int | str = 1) -> Page:
    """The school's people log, newest first, 50 a page."""
    entries = PeopleLogEntry.objects.filter(school_id=school_id).select_related("actor", "subject", "team")
    return Paginator(entries.order_by("-at", "-id"), LOG_PAGE_SIZE).get_page(page)


def people_imports(*, access: Access, school_id: int) -> list[PeopleImport]:
    """The school's last few imports, newest first (without their rows)."""
    return list(
        PeopleImport.objects.filter(school_id=school_id)
        .defer("rows")
        .select_related("created_by")
        .order_by("-created_at", "-id")[:5]
    )


def school_summary(*, access: Access, school_id: int) -> dict:
    """Counts for the school overview, in one query."""
    return SchoolMembership.objects.filter(school_id=school_id).aggregate(
        teachers=Count("user", filter=Q(role=Role.LERAAR), distinct=True),
        coaches=Count("user", filter=Q(role=Role.SCHOOLCOACH), distinct=True),
        leaders=Count("user", filter=Q(role=Role.SCHOOLLEIDER), distinct=True),
    )


def schools_for(*, access: Access) -> list[School]:
    """The schools a user has a role in or guides (each with .entry_url), for 'Mijn scholen'.
    Admins use the national overview and the school list instead: they would get 4,250 cards."""
    if access.is_admin:
        return []
    return _with_entry_urls(access, list(school_list(access=access)))


@dataclass(frozen=True)
class SchoolFilters:
    """What the school list is narrowed to (empty: everything this user may see)."""

    phase: str = ""
    sector: str = ""
    region: int | None = None

    @property
    def active(self) -> bool:
        return bool(self.phase or self.sector or self.region)

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label if self.phase else ""


def school_list(*, access: Access, filters: SchoolFilters | None = None) -> QuerySet[School]:
    """The schools this user may see (an admin: every school), filtered, by name, with their
    region and bestuur. The API and the school list page read this one scope."""
    schools = access.filter_visible(School.objects.all())
    if filters is not None:
        if filters.phase:
            schools = schools.filter(phase=filters.phase)
        if filters.sector:
            schools = schools.filter(sector=filters.sector)
        if filters.region:
            schools = schools.filter(region_id=filters.region)
    return schools.select_related("region", "school_group").order_by("name", "pk")


def school_page(*, access: Access, filters: SchoolFilters, page: int | str = 1) -> Page:
    """One page of `school_list` (count and page: two queries), each school with .entry_url."""
    current = Paginator(school_list(access=access, filters=filters), SCHOOL_PAGE_SIZE).get_page(page)
    current.object_list = _with_entry_urls(access, list(current.object_list))
    return current


def regions() -> QuerySet[Region]:
    """Every region by name, for a national filter (lazy: a page that leaves the filter out of its
    htmx fragment does not ask)."""
    return Region.objects.order_by("name")


def region_choices(*, access: Access) -> list[Region]:
    """The regions of the schools this user may see, for the school list's filter (one query)."""
    visible = access.filter_visible(School.objects.all())
    return list(Region.objects.filter(pk__in=visible.order_by().values("region_id")).order_by("name"))


def overview_nodes_for(*, access: Access) -> dict:
    """The regions and besturen whose overview this user may open (names, for 'Mijn scholen')."""
    regions = list(Region.objects.filter(pk__in=access.region_roles)) if access.region_roles else []
    groups = list(SchoolGroup.objects.filter(pk__in=access.school_group_roles)) if access.school_group_roles else []
    return {"regions": regions, "school_groups": groups}


def _phase_counts(schools) -> dict[str, int]:
    rows = schools.order_by().values("phase").annotate(n=Count("id"))
    counts = {row["phase"]: row["n"] for row in rows}
    return {phase: counts.get(phase, 0) for phase in Phase.values}


def _in_order(field: str, values: list[str]) -> Case:
    """An ordering that follows a choice list's order (the pipeline's, not the alphabet's)."""
    return Case(
        *(When(**{field: value}, then=Value(n)) for n, value in enumerate(values)),
        default=Value(len(values)),
        output_field=IntegerField(),
    )


# The region page's school list: ?sorteer=<key> → ordering; the first is the default.
REGION_SORTS: dict[str, tuple] = {
    "naam": ("name", "pk"),
    "fase": (_in_order("phase", Phase.values), "name", "pk"),
    "sector": (_in_order("sector", Sector.values), "name", "pk"),
    "bestuur": ("school_group__name", "name", "pk"),
}


def region_overview(*, access: Access, region_id: int, sort: str = "naam") -> dict:
    """A region's schools (name, phase, sector, bestuur), its numbers by phase and sector, and
    each expertcoach's load: two queries whatever the region's size, the numbers counted from
    the one list of schools.

    The region's list and numbers cover schools the expertcoach does not guide, so this reads
    past the tenant scope on purpose, after the central rule admitted REGION_VIEW on this region;
    it returns names and numbers, never a school's content. A school links to its page only
    where this user may open it."""
    region = Region.objects.get(pk=region_id)
    schools = list(
        School.unscoped.filter(region_id=region_id)
        .select_related("school_group")
        .annotate(coach_first_name=F("expertcoach__first_name"), coach_last_name=F("expertcoach__last_name"))
        .order_by(*REGION_SORTS.get(sort, REGION_SORTS["naam"]))
    )
    for school in schools:
        school.entry_url = school_entry_url(access, school.pk) if access.sees(Level.SCHOOL, school.pk) else None
    load = Counter(
        (s.expertcoach_id, s.coach_first_name, s.coach_last_name) for s in schools if s.expertcoach_id is not None
    )
    coaches = [
        {"expertcoach_id": coach_id, "expertcoach__first_name": first, "expertcoach__last_name": last, "n": n}
        for (coach_id, first, last), n in sorted(load.items(), key=lambda item: (item[0][2], item[0][1], item[0][0]))
    ]
    by_phase = Counter(s.phase for s in schools)
    by_sector = Counter(s.sector for s in schools)
    return {
        "region": region,
        "schools": schools,
        "sort": sort if sort in REGION_SORTS else "naam",
        "totals": {
            "schools": len(schools),
            "teachers": sum(s.teacher_count for s in schools),
            "pupils": sum(s.pupil_count for s in schools),
        },
        "by_phase": {phase: by_phase[phase] for phase in Phase.values},
        "by_sector": {sector: by_sector[sector] for sector in Sector.values},
        "coaches": coaches,
        "guided": sorted((s for s in schools if s.expertcoach_id == access.user_id), key=lambda s: (s.name, s.pk)),
    }


def school_group_overview(*, access: Access, school_group_id: int) -> dict:
    """A bestuur's schools with their numbers (aggregates only: no team or person content)."""
    school_group = SchoolGroup.objects.get(pk=school_group_id)
    schools = (
        School.objects.filter(school_group_id=school_group_id)
        .select_related("region")
        .annotate(team_count=Count("teams", distinct=True))
        .order_by("name")
    )
    return {"school_group": school_group, "schools": _with_entry_urls(access, list(schools))}


def national_overview(*, access: Access) -> dict:
    """Schools per region and sector, the programme pipeline, and the totals."""
    schools = School.objects.all()
    per_region = (
        schools.order_by()
        .values("region_id", "region__name", "sector")
        .annotate(n=Count("id"), teachers=Sum("teacher_count"))
    )
    regions: dict[int, dict] = {}
    for row in per_region:
        entry = regions.setdefault(
            row["region_id"],
            {
                "id": row["region_id"],
                "name": row["region__name"],
                "by_sector": dict.fromkeys(Sector.values, 0),
                "teachers": 0,
            },
        )
        entry["by_sector"][row["sector"]] = row["n"]
        entry["teachers"] += row["teachers"] or 0
    totals = schools.aggregate(schools=Count("id"), teachers=Sum("teacher_count"), pupils=Sum("pupil_count"))
    by_phase = _phase_counts(schools)
    return {
        "regions": sorted(regions.values(), key=lambda r: r["name"]),
        "by_phase": by_phase,
        "phases": [(value, label, by_phase[value]) for value, label in Phase.choices],
        "totals": totals,
        "school_groups": SchoolGroup.objects.count(),
    }


# --- School holidays ---------------------------------------------------------------------------


def school_holiday_region_sql() -> Case:
    """The holiday region of a school as an SQL expression over its own row: its own, or its
    province's (`School.holiday_region_in_effect` in SQL)."""
    return Case(
        *(When(province=province, then=Value(region.value)) for province, region in PROVINCE_HOLIDAY_REGION.items()),
        default=Value(""),
    )


def school_holidays_by_day(*, school_id: int, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Each day from `first` to `last` that falls in a holiday of the school's holiday region,
    with the holiday's name (one query: the school's region is read in it)."""
    region = (
        School.objects.filter(pk=school_id)
        .annotate(
            in_effect=Case(When(holiday_region="", then=school_holiday_region_sql()), default=F("holiday_region"))
        )
        .values("in_effect")
    )
    holidays = SchoolHoliday.objects.filter(
        holiday_region=Subquery(region[:1]), starts_on__lte=last, ends_on__gte=first
    ).values_list("name", "starts_on", "ends_on")
    days: dict[dt.date, str] = {}
    for name, starts_on, ends_on in holidays:
        day = max(starts_on, first)
        while day <= min(ends_on, last):
            days.setdefault(day, name)
            day += dt.timedelta(days=1)
    return days


def school_holiday_list(*, school_year: int) -> list[SchoolHoliday]:
    """The holidays of every region that start in a school year (August to July), by date."""
    first, last = clock.school_year_days(school_year)
    return list(SchoolHoliday.objects.filter(starts_on__range=(first, last)).order_by("starts_on", "holiday_region"))


def school_holiday_get(*, holiday_id: int) -> SchoolHoliday:
    """One holiday (national data: whoever may keep the holidays may see each of them)."""
    return SchoolHoliday.objects.get(pk=holiday_id)


def school_holiday_years() -> list[int]:
    """The school years that hold a holiday, and this one and the next (one query)."""
    years = {clock.school_year(day) for day in SchoolHoliday.objects.values_list("starts_on", flat=True).distinct()}
    this_year = clock.school_year()
    return sorted(years | {this_year, this_year + 1})
