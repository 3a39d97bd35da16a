"""Access to the instruments' entities, on the core's mechanism (`leerkracht.access`): boards,
the school's direction (ambition and themes), lesson designs, lesson visits and feedback rounds.

Each question of access is written once. Where a page lists what a user may reach and another
fetches one object by id, the list is the rule (a queryset) and the fetch is derived from it, so
the two cannot drift apart: `readable_boards` / `access_board_by_id`, `readable_lesson_designs` /
`access_lesson_design_by_id`, `visible_lesson_visits` / `access_lesson_visit_by_id`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from instruments.models import (
    BoardKind,
    FeedbackRound,
    ImprovementBoard,
    LessonDesign,
    LessonDesignAuthor,
    LessonDesignShare,
    LessonVisit,
)
from leerkracht.access import NOT_FOUND_MESSAGE, Access
from leerkracht.roles import Capability, Reach

# --- Improvement boards -----------------------------------------------------------------------


def readable_boards(access: Access, *, school_id: int, capability: Capability = Capability.TEAM_VIEW):
    """The school's boards this user may use `capability` (TEAM_VIEW to read, TEAM_EDIT to edit)
    on: every board for roles that reach the whole school, a teacher's own teams' boards otherwise.
    An organisational board belongs to no team, so only whole-school roles reach it."""
    boards = ImprovementBoard.objects.filter(school_id=school_id)
    reach = access.team_reach(capability, school_id)
    if reach is Reach.NODE:
        return boards
    if reach is Reach.OWN_TEAMS:
        return boards.filter(team_id__in=access.team_ids)
    return boards.none()


def access_board_by_id(access: Access, *, school_id: int, board_id: int, capability: Capability):
    """The improvement board `board_id` of school `school_id` if this user may use `capability` on
    it (`readable_boards`); 404 for missing, foreign and out of reach alike."""
    boards = readable_boards(access, school_id=school_id, capability=capability)
    try:
        return boards.select_related("school", "team", "owner").get(pk=board_id)
    except ImprovementBoard.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def board_editable(access: Access, board: ImprovementBoard) -> bool:
    """Whether this user may change `board` (already admitted for reading): TEAM_EDIT on its team;
    an organisational board only for roles that edit the whole school. The rule of
    `access_board_by_id(capability=TEAM_EDIT)`, for a board in hand (no query)."""
    reach = access.team_reach(Capability.TEAM_EDIT, board.school_id)
    return reach is Reach.NODE or (reach is Reach.OWN_TEAMS and board.team_id in access.team_ids)


def board_kinds_creatable(access: Access, *, school_id: int, editable_teams: list) -> list[str]:
    """The kinds of board this user may start in the school: a class board for a team they edit,
    an organisational board only with a role that edits the whole school. None for a reader of the
    school (expertcoach, verandercoach). A team board is started for its team (its page, or its
    row on the school's board list)."""
    kinds = [BoardKind.CLASS.value] if editable_teams else []
    if access.team_reach(Capability.TEAM_EDIT, school_id) is Reach.NODE:
        kinds.append(BoardKind.ORGANISATIONAL.value)
    return kinds


# --- The school's direction (ambition and themes) ---------------------------------------------


def school_direction_settable(access: Access, *, school_id: int) -> bool:
    """Whether this user sets the school's ambition and themes (SCHOOL_SET_DIRECTION: its leader,
    and the platform's admin): the rule the pages' links ask, as the middleware asks it of the
    pages themselves."""
    return access.can(Capability.SCHOOL_SET_DIRECTION, node_id=school_id)


# --- Lesson designs ---------------------------------------------------------------------------


def readable_lesson_designs(access: Access, *, school_id: int) -> QuerySet[LessonDesign]:
    """The school's lesson designs this user may read: all of them for roles over the whole
    school; for a teacher those of their teams, those shared with one of their teams and those
    they co-authored. The one rule: the library, the choices of a visit and of a feedback round and
    `access_lesson_design_by_id` all read it."""
    designs = LessonDesign.objects.filter(school_id=school_id)
    reach = access.team_reach(Capability.TEAM_VIEW, school_id)
    if reach is Reach.NODE:
        return designs
    if reach is None:
        return designs.none()
    # Correlated to the outer (scoped) design by its id: a tenant filter inside adds nothing.
    shared = LessonDesignShare.unscoped.filter(design=OuterRef("pk"), team_id__in=access.team_ids)
    authored = LessonDesignAuthor.unscoped.filter(design=OuterRef("pk"), user_id=access.user_id)
    return designs.filter(Q(team_id__in=access.team_ids) | Exists(shared) | Exists(authored))


def lesson_designs_creatable(access: Access, *, school_id: int) -> bool:
    """Whether this user may start a lesson design in the school (for one of the teams they edit)."""
    return access.team_reach(Capability.TEAM_EDIT, school_id) is not None


def lesson_design_editable(access: Access, design: LessonDesign) -> bool:
    """Whether this user may change `design` (already admitted for reading): roles that edit the
    whole school; a teacher the designs of their own teams and those they co-authored."""
    reach = access.team_reach(Capability.TEAM_EDIT, design.school_id)
    if reach is Reach.NODE:
        return True
    if reach is None:
        return False
    if design.team_id in access.team_ids:
        return True
    return LessonDesignAuthor.objects.filter(design=design, user_id=access.user_id).exists()


def access_lesson_design_by_id(access: Access, *, school_id: int, design_id: int, edit: bool = False):
    """The lesson design `design_id` of school `school_id` if this user may read it
    (`readable_lesson_designs`) or, with `edit`, change it (`lesson_design_editable`). 404 for
    missing, foreign and unreadable alike; 403 for a readable design this user may not edit."""
    designs = readable_lesson_designs(access, school_id=school_id)
    design = designs.select_related("school", "team", "group").filter(pk=design_id).first()
    if design is None:
        raise Http404(NOT_FOUND_MESSAGE)
    if edit and not lesson_design_editable(access, design):
        raise PermissionDenied
    return design


# --- Lesson visits ----------------------------------------------------------------------------


def _sees_every_visit(access: Access, school_id: int) -> bool:
    # The roles that see the school's people see that every visit happens (not what was said).
    return access.can(Capability.SCHOOL_VIEW_PEOPLE, node_id=school_id)


def visible_lesson_visits(access: Access, *, school_id: int) -> QuerySet[LessonVisit]:
    """The school's lesson visits this user may see (that they happen, who and when): every visit
    for the roles that see the school's people; for anyone else those they visit or are visited in.
    The one rule: the calendar reads it and `lesson_visit_visible` is its per-object form."""
    visits = LessonVisit.objects.filter(school_id=school_id)
    if _sees_every_visit(access, school_id):
        return visits
    if access.user_id is None:
        return visits.none()
    return visits.filter(Q(visitor_id=access.user_id) | Q(visited_id=access.user_id))


def lesson_visit_visible(access: Access, visit: LessonVisit) -> bool:
    """Whether this user may see `visit`, already in hand (a double booking's clash): the rule of
    `visible_lesson_visits` without a query."""
    return _sees_every_visit(access, visit.school_id) or lesson_visit_content_visible(access, visit)


def lesson_visit_content_visible(access: Access, visit: LessonVisit) -> bool:
    """Whether this user may read what a visit brought (observations, debrief): its visitor and
    its visited teacher, nobody else, whatever their role (DESIGN.md §5: development, not
    appraisal)."""
    return access.user_id is not None and access.user_id in (visit.visitor_id, visit.visited_id)


def access_lesson_visit_by_id(access: Access, *, school_id: int, visit_id: int) -> LessonVisit:
    """The lesson visit `visit_id` of school `school_id` if this user may see it
    (`visible_lesson_visits`); 404 for anyone else, and for missing and foreign visits. This admits
    the *visit*; its notes and debrief are for the visitor and the visited teacher only:
    `lesson_visit_content_visible`."""
    visits = visible_lesson_visits(access, school_id=school_id)
    visit = visits.select_related("school", "visitor", "visited", "group", "lesson_design").filter(pk=visit_id).first()
    if visit is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return visit


# --- Feedback (stem van de leerling) ----------------------------------------------------------


def feedback_rounds_open(access: Access, *, school_id: int) -> bool:
    """Whether this user may open feedback rounds in the school (and so gets the menu's
    feedback item): a round is a teacher's own, opened by people who work in a team (TEAM_EDIT,
    what the round views require)."""
    return access.can(Capability.TEAM_EDIT, node_id=school_id)


def access_feedback_round_by_id(access: Access, *, school_id: int, round_id: int) -> FeedbackRound:
    """The feedback round `round_id` of school `school_id` for the teacher who opened it;
    404 for everyone else, and for missing and foreign rounds. What a class says about a lesson
    is for its teacher to discuss with the class; others see only that rounds were held."""
    if access.user_id is None:
        raise Http404(NOT_FOUND_MESSAGE)
    rounds = FeedbackRound.objects.filter(school_id=school_id, teacher_id=access.user_id)
    feedback_round = rounds.select_related("school", "group").filter(pk=round_id).first()
    if feedback_round is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return feedback_round
