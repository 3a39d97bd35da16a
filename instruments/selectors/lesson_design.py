"""Reads of lesson designs. Which designs a user may read is one rule,
`instruments.access.readable_lesson_designs`; `access_lesson_design_by_id` is derived from it, and
a test holds the two together for every role. Every read here is one query whatever the number of
designs, authors or shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from instruments.access import readable_lesson_designs
from instruments.models import (
    BoardKind,
    DesignStatus,
    Goal,
    LessonDesign,
    LessonDesignAuthor,
    LessonDesignShare,
    LessonDesignTechnique,
    PupilGroup,
)
from leerkracht.access import Access
from leerkracht.roles import Capability, Reach
from schools.models import Team, User
from schools.selectors import display_name_sql, school_staff

PAGE_SIZE = 20


def _names_of_authors():
    # An author who left the school is "oud-collega" (the school's one naming rule, in SQL).
    name = display_name_sql("user", school="school_id")
    names = (
        LessonDesignAuthor.unscoped.filter(design=OuterRef("pk"))
        .order_by()
        .values("design")
        .annotate(names=StringAgg(name, delimiter=Value(", "), output_field=TextField()))
        .values("names")
    )
    return Coalesce(Subquery(names, output_field=TextField()), Value(""), output_field=TextField())


def _technique_codes():
    codes = (
        LessonDesignTechnique.unscoped.filter(design=OuterRef("pk"))
        .order_by()
        .values("design")
        .annotate(codes=StringAgg("technique_code", delimiter=Value(", "), output_field=TextField()))
        .values("codes")
    )
    return Coalesce(Subquery(codes, output_field=TextField()), Value(""), output_field=TextField())


@dataclass(frozen=True)
class LibraryFilters:
    """What the library is searched and filtered by (all optional)."""

    q: str = ""
    subject: str = ""
    group: int | None = None
    goal: int | None = None
    technique: str = ""
    author: int | None = None
    status: str = ""
    team: int | None = None

    @property
    def active(self) -> bool:
        return any((self.q, self.subject, self.group, self.goal, self.technique, self.author, self.status, self.team))


def lesson_design_library(
    *, access: Access, school_id: int, filters: LibraryFilters = LibraryFilters(), page: int = 1
) -> Page:
    """One page of the designs this user may read, searched and filtered, newest plan first,
    each with its authors' names and technique codes (two queries: count and page)."""
    designs = readable_lesson_designs(access, school_id=school_id)
    if filters.q:
        q = filters.q.strip()
        designs = designs.filter(Q(title__icontains=q) | Q(subject__icontains=q) | Q(lesson_goal__icontains=q))
    if filters.subject:
        designs = designs.filter(subject__iexact=filters.subject)
    if filters.group:
        designs = designs.filter(group_id=filters.group)
    if filters.goal:
        designs = designs.filter(goal_id=filters.goal)
    if filters.team:
        designs = designs.filter(team_id=filters.team)
    if filters.status:
        designs = designs.filter(status=filters.status)
    if filters.technique:
        designs = designs.filter(
            Exists(LessonDesignTechnique.unscoped.filter(design=OuterRef("pk"), technique_code=filters.technique))
        )
    if filters.author:
        designs = designs.filter(
            Exists(LessonDesignAuthor.unscoped.filter(design=OuterRef("pk"), user_id=filters.author))
        )
    designs = (
        designs.select_related("team", "group", "goal")
        .annotate(author_names=_names_of_authors(), technique_codes=_technique_codes())
        .order_by("-planned_on", "-id")
    )
    return Paginator(designs, PAGE_SIZE).get_page(page)


@dataclass
class LibraryChoices:
    """The options of the library's filters, drawn from the designs this user may read."""

    subjects: list[str] = field(default_factory=list)
    groups: list[PupilGroup] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    authors: list[User] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    statuses: list = field(default_factory=lambda: list(DesignStatus.choices))


def library_choices(*, access: Access, school_id: int) -> LibraryChoices:
    """The filter options (one query each: subjects, groups, goals, techniques, authors, teams)."""
    readable = readable_lesson_designs(access, school_id=school_id)
    ids = readable.values("pk")
    subjects = sorted(
        {s.strip() for s in readable.order_by().values_list("subject", flat=True).distinct()}, key=str.lower
    )
    return LibraryChoices(
        subjects=subjects,
        groups=list(PupilGroup.objects.filter(school_id=school_id, lesson_designs__in=ids).distinct().order_by("name")),
        goals=list(
            Goal.objects.filter(school_id=school_id, lesson_designs__in=ids)
            .distinct()
            .only("id", "big_goal")
            .order_by("big_goal")
        ),
        techniques=list(
            LessonDesignTechnique.objects.filter(school_id=school_id, design__in=ids)
            .order_by("technique_code")
            .values_list("technique_code", flat=True)
            .distinct()
        ),
        authors=list(
            User.objects.filter(
                Exists(LessonDesignAuthor.objects.filter(school_id=school_id, design__in=ids, user=OuterRef("pk")))
            ).order_by("first_name", "last_name")
        ),
        teams=list(Team.objects.filter(school_id=school_id, lesson_designs__in=ids).distinct().order_by("name")),
    )


# --- One design -------------------------------------------------------------------------------------


@dataclass
class DesignDetail:
    authors: list[User]
    shares: list[LessonDesignShare]
    techniques: list[str]
    goal: Goal | None = None
    # The original this design was copied from, only when this user may read it: a copy can
    # outlive the share or the team that let its copier read the original.
    copied_from: LessonDesign | None = None


def lesson_design_detail(*, access: Access, design: LessonDesign) -> DesignDetail:
    """What the detail page shows besides the design's own row: its team goal and the original it
    was copied from if this user may read it, its authors, the teams it is shared with, its
    technique codes (four queries)."""
    # The library's reading rule, asked inside the same query: no extra query for a copy.
    readable_original = readable_lesson_designs(access, school_id=design.school_id).filter(
        pk=OuterRef("copied_from_id")
    )
    extra = (
        LessonDesign.objects.filter(pk=design.pk, school_id=design.school_id)
        .select_related("goal", "copied_from")
        .only("id", "goal__id", "goal__big_goal", "copied_from__id", "copied_from__title")
        .annotate(may_read_original=Exists(readable_original))
        .first()
    )
    authors = [
        authorship.user
        for authorship in LessonDesignAuthor.objects.filter(design=design)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    ]
    return DesignDetail(
        authors=authors,
        shares=list(LessonDesignShare.objects.filter(design=design).select_related("team").order_by("team__name")),
        techniques=lesson_design_technique_codes(design=design),
        goal=extra.goal if extra else None,
        copied_from=extra.copied_from if extra and extra.may_read_original else None,
    )


def lesson_design_author_ids(*, design: LessonDesign) -> list[int]:
    """The ids of the design's authors (the edit form's ticked boxes)."""
    return list(LessonDesignAuthor.objects.filter(design=design).values_list("user_id", flat=True))


def lesson_design_authors(*, design: LessonDesign) -> list[User]:
    """The design's authors, by name (also those who have since left the school)."""
    return list(
        User.objects.filter(Exists(LessonDesignAuthor.objects.filter(design=design, user=OuterRef("pk")))).order_by(
            "first_name", "last_name", "id"
        )
    )


def lesson_design_technique_codes(*, design: LessonDesign) -> list[str]:
    """The design's technique codes, in order."""
    return list(LessonDesignTechnique.objects.filter(design=design).values_list("technique_code", flat=True))


# --- Choices for the forms ----------------------------------------------------------------------------


def school_colleagues(*, access: Access, school_id: int) -> list[User]:
    """The people who work in the school (a role there or a place in one of its teams), by name:
    who can be chosen as co-author."""
    return list(
        school_staff(school_id=school_id)
        .only("id", "first_name", "last_name", "erased_at")
        .order_by("first_name", "last_name", "id")
    )


def design_teams(*, access: Access, school_id: int) -> list[Team]:
    """The teams this user may make or copy a design for: their own teams in the school; every
    team of the school for roles that edit the whole school."""
    teams = Team.objects.filter(school_id=school_id).order_by("name")
    reach = access.team_reach(Capability.TEAM_EDIT, school_id)
    if reach is Reach.NODE:
        return list(teams)
    if reach is Reach.OWN_TEAMS:
        return list(teams.filter(pk__in=access.team_ids))
    return []


def school_teams(*, access: Access, school_id: int) -> list[Team]:
    """Every team of the school, by name (what a design can be shared with)."""
    return list(Team.objects.filter(school_id=school_id).order_by("name"))


def open_team_goals(*, team_ids: list[int]) -> list[Goal]:
    """The goals of the open cycle on these teams' team boards, for a design's team goal."""
    return list(
        Goal.objects.filter(board__team_id__in=team_ids, board__kind=BoardKind.TEAM, cycle__closed_at__isnull=True)
        .select_related("board__team", "cycle")
        .order_by("board__team__name", "position", "id")
    )
