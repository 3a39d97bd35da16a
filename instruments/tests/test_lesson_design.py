"""Gezamenlijk lesontwerp: the services' rules and refusals, the library's reading rule (the same
as access_lesson_design_by_id for every role), search and filters, copy and share, the second
tab, and a fixed number of queries per page and partial whatever the school holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.html import escape

from instruments.access import access_lesson_design_by_id, readable_lesson_designs
from instruments.models import (
    DesignStatus,
    GoalReached,
    LessonDesign,
    LessonDesignAuthor,
    LessonDesignShare,
    LessonDesignTechnique,
    PupilGroup,
)
from instruments.selectors import lesson_design as selectors
from instruments.services import board as board_services
from instruments.services import lesson_design as services
from instruments.tests.factories import member
from leerkracht.conflicts import EditConflict
from leerkracht.roles import Role
from leerkracht.tests.test_security import inline_code
from schools.access import compute_access
from schools.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def coach(world):
    """The schoolcoach: a whole-school role, and a member of the home school's other team."""
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def design(world):
    """The world's design: the home team's, by the teacher and the schoolcoach, a draft."""
    return world.instruments[world.home.pk].design


def make(team, user, *, authors=(), **fields) -> LessonDesign:
    values = {
        "title": "Breuken op de getallenlijn",
        "subject": "Rekenen",
        "group": "Groep 7",
        "lesson_goal": "Leerlingen zetten breuken op de getallenlijn",
    }
    values.update(fields)
    return services.lesson_design_create(team=team, user=user, authors=authors, **values)


def url(school_id: int, path: str = "") -> str:
    return f"/school/{school_id}/lesontwerpen/{path}"


def durl(design, path: str = "") -> str:
    return url(design.school_id, f"{design.pk}/{path}")


def form_data(**overrides) -> dict:
    data = {
        "title": "Samen lezen",
        "subject": "Begrijpend lezen",
        "group": "groep 7",
        "planned_on": "2026-12-01",
        "lesson_goal": "Leerlingen voorspellen wat er in de tekst gebeurt",
        "success_criteria": "Ik kan een voorspelling onderbouwen",
        "checks": "Wisbordjes na elke alinea",
        "activities": "Voorlezen, denken-delen-uitwisselen",
        "techniques": "Wisbordjes, beurtstokjes",
    }
    data.update(overrides)
    return data


# --- Services: the rules -------------------------------------------------------------------------


def test_the_maker_is_always_an_author_and_techniques_become_slugified_codes(world, teacher):
    design = make(world.home_team, teacher, techniques="Wisbordjes, Beurt stokjes; wisbordjes")
    assert design.status == DesignStatus.DRAFT and design.version == 1
    assert set(LessonDesignAuthor.objects.filter(design=design).values_list("user_id", flat=True)) == {teacher.pk}
    assert list(LessonDesignTechnique.objects.filter(design=design).values_list("technique_code", flat=True)) == [
        "beurt-stokjes",
        "wisbordjes",
    ]


def test_a_group_typed_in_another_case_is_the_same_pupil_group(world, teacher, design):
    again = make(world.home_team, teacher, group="  groep   7 ")
    assert again.group_id == design.group_id
    assert PupilGroup.objects.filter(school=world.home, name__iexact="groep 7").count() == 1


def test_a_design_without_title_subject_group_or_lesson_goal_is_refused_per_field(world, teacher):
    with pytest.raises(ValidationError) as refused:
        make(world.home_team, teacher, title=" ", subject="", group="", lesson_goal="  ")
    assert set(refused.value.message_dict) == {"title", "subject", "group", "lesson_goal"}
    assert "lesdoel" in refused.value.message_dict["lesson_goal"][0]
    assert not LessonDesign.objects.filter(title=" ").exists()


def test_an_author_from_another_school_is_refused(world, teacher):
    foreign_teacher = member(world.teams[world.foreign.pk][0])
    with pytest.raises(ValidationError) as refused:
        make(world.home_team, teacher, authors=[foreign_teacher])
    assert refused.value.message_dict["authors"] == ["Kies alleen collega's van deze school als auteur."]


def test_a_goal_of_another_teams_board_is_refused_and_the_own_teams_open_goal_is_taken(world, teacher, coach):
    other_board = board_services.team_board_get_or_create(team=world.other_home_team, user=coach)
    other_goal = board_services.goal_create(board=other_board, user=coach, big_goal="Beter rekenen")
    with pytest.raises(ValidationError) as refused:
        make(world.home_team, teacher, goal=other_goal)
    assert "goal" in refused.value.message_dict
    own_goal = world.boards[world.home.pk].goal
    assert make(world.home_team, teacher, goal=own_goal).goal_id == own_goal.pk


def test_a_draft_with_one_author_cannot_become_ready_and_says_why_in_dutch(world, teacher):
    design = make(world.home_team, teacher)
    with pytest.raises(ValidationError) as refused:
        services.lesson_design_status_set(design=design, user=teacher, status=DesignStatus.READY)
    assert "minstens 2 auteurs" in refused.value.message_dict["status"][0]
    design.refresh_from_db()
    assert design.status == DesignStatus.DRAFT and design.version == 1


def test_status_moves_one_step_at_a_time_and_ready_may_go_back(world, teacher, design):
    step = services.lesson_design_status_set
    step(design=design, user=teacher, status=DesignStatus.READY)
    step(design=design, user=teacher, status=DesignStatus.DRAFT)
    with pytest.raises(ValidationError):
        step(design=design, user=teacher, status=DesignStatus.GIVEN)  # skipping "ready"
    step(design=design, user=teacher, status=DesignStatus.READY)
    step(design=design, user=teacher, status=DesignStatus.GIVEN)
    for not_allowed in (DesignStatus.DRAFT, DesignStatus.READY, DesignStatus.EVALUATED, "onzin"):
        with pytest.raises(ValidationError):
            step(design=design, user=teacher, status=not_allowed)
    design.refresh_from_db()
    assert design.status == DesignStatus.GIVEN
    assert design.version == 5, "every step bumps the version"


def test_evaluation_needs_a_given_lesson_goal_reached_and_a_next_step(world, teacher, design):
    evaluate = services.lesson_design_evaluate
    with pytest.raises(ValidationError) as early:
        evaluate(design=design, user=teacher, goal_reached=GoalReached.YES, next_step="Herhalen")
    assert "status" in early.value.message_dict
    for status in (DesignStatus.READY, DesignStatus.GIVEN):
        services.lesson_design_status_set(design=design, user=teacher, status=status)
    with pytest.raises(ValidationError) as incomplete:
        evaluate(design=design, user=teacher, goal_reached="", evaluation="Veel handen", next_step=" ")
    assert set(incomplete.value.message_dict) == {"goal_reached", "next_step"}
    evaluate(design=design, user=teacher, goal_reached=GoalReached.PARTLY, evaluation="Helft", next_step="Oefenen")
    design.refresh_from_db()
    assert design.status == DesignStatus.EVALUATED and design.goal_reached == GoalReached.PARTLY
    assert design.evaluated_at is not None and design.next_step == "Oefenen"


def update(design, user, *, version, **fields):
    values = {
        "title": design.title,
        "subject": design.subject,
        "group": design.group.name,
        "lesson_goal": design.lesson_goal,
        "authors": [a for a in selectors.lesson_design_author_ids(design=design)],
    }
    values.update(fields)
    return services.lesson_design_update(
        design_id=design.pk, school_id=design.school_id, user=user, version=version, **values
    )


def test_a_save_from_a_stale_version_writes_nothing(world, teacher, coach, design):
    update(design, coach, version=1, title="Breuken vergelijken met strookjes")
    with pytest.raises(EditConflict) as conflict:
        update(design, teacher, version=1, title="Breuken vergelijken met pizza")
    assert conflict.value.field("title").theirs == "Breuken vergelijken met strookjes"
    design.refresh_from_db()
    assert design.title == "Breuken vergelijken met strookjes" and design.version == 2


def test_the_maker_stays_an_author_and_a_ready_design_keeps_two(world, teacher, coach, design):
    update(design, coach, version=1, authors=[])
    assert set(selectors.lesson_design_author_ids(design=design)) == {teacher.pk}, "the maker stays"
    update(design, coach, version=2, authors=[coach.pk])
    services.lesson_design_status_set(design=design, user=teacher, status=DesignStatus.READY)
    with pytest.raises(ValidationError) as refused:
        update(design, coach, version=4, authors=[])
    assert "authors" in refused.value.message_dict


def test_a_copy_is_a_new_draft_of_the_copiers_team_with_the_copier_as_only_author(world, teacher, coach):
    original = make(world.home_team, teacher, authors=[coach], techniques="wisbordjes, exit ticket")
    original.goal = world.boards[world.home.pk].goal
    original.save()
    for status in (DesignStatus.READY, DesignStatus.GIVEN):
        services.lesson_design_status_set(design=original, user=teacher, status=status)
    services.lesson_design_evaluate(design=original, user=teacher, goal_reached="yes", next_step="Delen met team B")
    original.refresh_from_db()

    copy = services.lesson_design_copy(design=original, user=coach, team=world.other_home_team)

    assert copy.pk != original.pk and copy.copied_from_id == original.pk
    assert copy.team_id == world.other_home_team.pk and copy.status == DesignStatus.DRAFT
    assert (copy.title, copy.lesson_goal, copy.group_id) == (original.title, original.lesson_goal, original.group_id)
    assert copy.goal_id is None, "a goal of another team's board does not come along"
    assert (copy.goal_reached, copy.evaluation, copy.next_step, copy.evaluated_at) == ("", "", "", None)
    assert list(LessonDesignAuthor.objects.filter(design=copy).values_list("user_id", flat=True)) == [coach.pk]
    assert sorted(LessonDesignTechnique.objects.filter(design=copy).values_list("technique_code", flat=True)) == [
        "exit-ticket",
        "wisbordjes",
    ]


def test_sharing_twice_is_one_share_and_the_own_team_or_another_schools_team_is_refused(world, teacher, design):
    services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
    services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
    assert LessonDesignShare.objects.filter(design=design).count() == 1
    for wrong in (world.home_team, world.teams[world.foreign.pk][0]):
        with pytest.raises(ValidationError) as refused:
            services.lesson_design_share(design=design, user=teacher, team=wrong)
        assert "team" in refused.value.message_dict
    services.lesson_design_unshare(design=design, user=teacher, team=world.other_home_team)
    assert not LessonDesignShare.objects.filter(design=design).exists()


# --- The reading rule: library selector == access function -------------------------------------------


def spread_designs(world):
    """Designs that exercise every branch of the teacher's rule: the own team's, another team's,
    another team's shared with the own team, and another team's co-authored by the teacher."""
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    other = world.other_home_team
    stranger = member(other)
    own = world.instruments[world.home.pk].design
    not_mine = make(other, stranger, title="Alleen team B")
    shared = make(other, stranger, title="Gedeeld met team A")
    services.lesson_design_share(design=shared, user=stranger, team=world.home_team)
    co_authored = make(other, stranger, authors=[teacher], title="Samen met de leraar")
    by_coach = make(other, coach, title="Van de schoolcoach")
    return {"own": own, "not_mine": not_mine, "shared": shared, "co_authored": co_authored, "by_coach": by_coach}


@pytest.mark.parametrize("role", list(Role))
def test_the_library_shows_exactly_what_the_access_function_lets_each_role_read(world, role):
    designs = spread_designs(world)
    user = world.users[role]
    access = compute_access(user)
    for school in (world.home, world.foreign):
        school_designs = LessonDesign.objects.filter(school=school)
        readable = set()
        for design in school_designs:
            try:
                access_lesson_design_by_id(access, school_id=school.pk, design_id=design.pk)
                readable.add(design.pk)
            except Http404:
                pass
        listed = set(readable_lesson_designs(access, school_id=school.pk).values_list("pk", flat=True))
        assert listed == readable, f"{role} in {school}"
    if role == Role.LERAAR:
        expected = {designs[k].pk for k in ("own", "shared", "co_authored")}
        assert set(readable_lesson_designs(access, school_id=world.home.pk).values_list("pk", flat=True)) == (expected)


def test_a_teacher_of_another_team_reads_a_design_only_once_shared_and_never_edits_it(client, world, design):
    outsider = member(world.other_home_team)
    client.force_login(outsider)
    assert client.get(durl(design)).status_code == 404
    services.lesson_design_share(design=design, user=world.users[Role.LERAAR], team=world.other_home_team)
    response = client.get(durl(design))
    assert response.status_code == 200 and design.title in response.content.decode()
    html = response.content.decode()
    assert durl(design, "bewerken/") not in html and durl(design, "status/") not in html, "no editing controls"
    assert durl(design, "kopieren/") in html, "but it may be copied"
    assert client.get(durl(design, "bewerken/")).status_code == 403
    assert client.post(durl(design, "status/"), {"status": "ready"}).status_code == 403
    assert client.post(durl(design, "delen/"), {"team": world.other_home_team.pk}).status_code == 403
    design.refresh_from_db()
    assert design.status == DesignStatus.DRAFT


# --- The library page ----------------------------------------------------------------------------------


def library_titles(client, world, **params) -> list[str]:
    response = client.get(url(world.home.pk), params, **HTMX)
    assert response.status_code == 200
    return re.findall(r'class="design-row__title"[^>]*>([^<]+)<', response.content.decode())


def test_search_looks_in_title_subject_and_lesson_goal(client, world, teacher, design):
    make(world.home_team, teacher, title="Spelling ei/ij", subject="Taal", lesson_goal="Woorden met ei en ij")
    make(world.home_team, teacher, title="Klokkijken", subject="Rekenen", lesson_goal="Hele en halve uren aflezen")
    client.force_login(teacher)
    assert library_titles(client, world, q="spelling") == ["Spelling ei/ij"]
    assert library_titles(client, world, q="taal") == ["Spelling ei/ij"]
    assert library_titles(client, world, q="halve uren") == ["Klokkijken"]
    assert sorted(library_titles(client, world, q="rekenen")) == ["Breuken vergelijken", "Klokkijken"]
    assert library_titles(client, world, q="niets dat bestaat") == []


def test_every_filter_narrows_the_library(client, world, teacher, coach, design):
    goal = world.boards[world.home.pk].goal
    taal = make(world.home_team, teacher, title="Taalles", subject="Taal", group="Groep 5", techniques="wisbordjes")
    doel = make(world.home_team, teacher, title="Met doel", goal=goal, authors=[coach])
    services.lesson_design_status_set(design=doel, user=teacher, status=DesignStatus.READY)
    other_team = make(world.other_home_team, coach, title="Van team B")
    services.lesson_design_share(design=other_team, user=coach, team=world.home_team)
    client.force_login(teacher)
    assert library_titles(client, world, vak="taal") == ["Taalles"]
    assert library_titles(client, world, groep=taal.group_id) == ["Taalles"]
    assert library_titles(client, world, doel=goal.pk) == ["Met doel"]
    assert library_titles(client, world, techniek="wisbordjes") == ["Taalles"]
    assert sorted(library_titles(client, world, auteur=coach.pk)) == ["Breuken vergelijken", "Met doel", "Van team B"]
    assert library_titles(client, world, status="ready") == ["Met doel"]
    assert library_titles(client, world, team=world.other_home_team.pk) == ["Van team B"]
    assert library_titles(client, world, vak="taal", status="ready") == []


def test_the_library_pages_by_twenty_and_keeps_the_filters_in_the_page_links(client, world, teacher):
    for n in range(23):
        make(world.home_team, teacher, title=f"Les {n:02d}", subject="Aardrijkskunde")
    client.force_login(teacher)
    assert len(library_titles(client, world, vak="aardrijkskunde")) == 20
    assert len(library_titles(client, world, vak="aardrijkskunde", pagina=2)) == 3
    html = client.get(url(world.home.pk), {"vak": "aardrijkskunde"}, **HTMX).content.decode()
    assert "vak=aardrijkskunde&amp;pagina=2" in html


def test_the_library_answers_htmx_with_only_the_results_and_varies_on_it(client, world, teacher, design):
    client.force_login(teacher)
    page = client.get(url(world.home.pk))
    partial = client.get(url(world.home.pk), {"q": "breuken"}, **HTMX)
    assert "<html" in page.content.decode() and 'hx-push-url="true"' in page.content.decode()
    assert partial.content.decode().lstrip().startswith('<section id="design-results"')
    assert "HX-Request" in page["Vary"] and "HX-Request" in partial["Vary"]


def test_without_javascript_the_filters_are_a_get_form_on_the_same_url(client, world, teacher, design):
    client.force_login(teacher)
    html = client.get(url(world.home.pk), {"q": "breuken"}).content.decode()
    assert f'<form method="get" action="{url(world.home.pk)}"' in html
    assert f'hx-get="{url(world.home.pk)}"' in html
    assert "Breuken vergelijken" in html


# --- Making and editing through the pages ------------------------------------------------------------------


def test_a_teacher_makes_a_design_with_a_colleague_and_lands_on_its_page(client, world, teacher, coach):
    client.force_login(teacher)
    response = client.post(url(world.home.pk, "nieuw/"), form_data(authors=[coach.pk]))
    design = LessonDesign.objects.get(title="Samen lezen")
    assert response.status_code == 302 and response["Location"] == durl(design)
    assert design.team_id == world.home_team.pk and design.planned_on == dt.date(2026, 12, 1)
    assert set(selectors.lesson_design_author_ids(design=design)) == {teacher.pk, coach.pk}
    assert client.get(durl(design)).status_code == 200


def test_the_new_design_form_offers_the_schools_groups_and_colleagues(client, world, teacher, coach, design):
    client.force_login(teacher)
    html = client.get(url(world.home.pk, "nieuw/")).content.decode()
    assert '<datalist id="pupil-groups"><option value="Groep 7">' in html
    assert 'list="pupil-groups"' in html
    assert escape(coach.full_name) in html and "technieken" in html.lower() and "academie" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"planned_on": "volgende week"}, "planned_on", "Vul een datum in"),
        ({"lesson_goal": ""}, "lesson_goal", "lesdoel"),
        ({"title": ""}, "title", "titel"),
    ],
)
def test_invalid_input_answers_422_in_dutch_and_keeps_what_was_typed(client, world, teacher, overrides, field, message):
    client.force_login(teacher)
    response = client.post(url(world.home.pk, "nieuw/"), form_data(**overrides), **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    assert "Wisbordjes na elke alinea" in html and "Ik kan een voorspelling onderbouwen" in html
    assert html.lstrip().startswith('<form id="design-form"')
    assert not LessonDesign.objects.filter(title="Samen lezen").exists()


def test_an_author_of_another_school_is_refused_with_422(client, world, teacher):
    foreign_teacher = member(world.teams[world.foreign.pk][0])
    client.force_login(teacher)
    response = client.post(url(world.home.pk, "nieuw/"), form_data(authors=[foreign_teacher.pk]))
    assert response.status_code == 422
    assert "Kies alleen collega&#x27;s van deze school als auteur." in response.content.decode()
    assert 'value="Samen lezen"' in response.content.decode()


def test_a_goal_of_another_teams_board_is_refused_with_422(client, world, coach):
    """The schoolcoach may design for either team; a goal of team B with team A chosen is refused."""
    other_board = board_services.team_board_get_or_create(team=world.other_home_team, user=coach)
    other_goal = board_services.goal_create(board=other_board, user=coach, big_goal="Beter rekenen")
    client.force_login(coach)
    response = client.post(url(world.home.pk, "nieuw/"), form_data(team=world.home_team.pk, goal=other_goal.pk))
    assert response.status_code == 422
    assert "Kies een doel van het verbeterbord van Team A" in response.content.decode()


def test_the_second_tab_gets_409_with_both_versions_and_keeps_what_was_typed(client, world, teacher, coach, design):
    client.force_login(teacher)
    first_tab = client.get(durl(design, "bewerken/")).content.decode()
    assert 'name="version" value="1"' in first_tab
    update(design, coach, version=1, lesson_goal="Leerlingen ordenen drie breuken")  # the other tab saves first

    data = {
        "title": design.title,
        "subject": design.subject,
        "group": "Groep 7",
        "lesson_goal": "Leerlingen vergelijken breuken met een strook",
        "authors": [coach.pk],
        "version": 1,
    }
    response = client.post(durl(design, "bewerken/"), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Iemand anders heeft dit lesontwerp intussen opgeslagen" in html
    assert "Leerlingen ordenen drie breuken" in html, "the colleague's saved value is shown"
    assert "Leerlingen vergelijken breuken met een strook" in html, "what was typed is kept"
    assert 'name="version" value="2"' in html, "saving again starts from the saved version"
    design.refresh_from_db()
    assert design.lesson_goal == "Leerlingen ordenen drie breuken"

    data["version"] = 2
    assert client.post(durl(design, "bewerken/"), data).status_code == 302
    design.refresh_from_db()
    assert design.lesson_goal == "Leerlingen vergelijken breuken met een strook" and design.version == 3


def test_an_edit_keeps_the_makers_authorship_and_its_techniques_as_typed(client, world, teacher, coach, design):
    client.force_login(coach)
    data = form_data(title=design.title, authors=[], techniques="Exit ticket", version=1)
    assert client.post(durl(design, "bewerken/"), data).status_code == 302
    assert set(selectors.lesson_design_author_ids(design=design)) == {teacher.pk}
    assert selectors.lesson_design_technique_codes(design=design) == ["exit-ticket"]


def test_an_author_who_left_the_school_stays_an_author_through_an_edit(client, world, teacher, coach, design):
    from schools.models import SchoolMembership, TeamMembership

    TeamMembership.objects.filter(user=coach).delete()
    SchoolMembership.objects.filter(user=coach).delete()
    client.force_login(teacher)
    form = client.get(durl(design, "bewerken/")).content.decode()
    assert re.search(rf'value="{coach.pk}"[^>]*checked', form), "the departed author is still ticked"
    data = form_data(title="Breuken vergelijken (2)", authors=[coach.pk], version=1)
    assert client.post(durl(design, "bewerken/"), data).status_code == 302
    assert set(selectors.lesson_design_author_ids(design=design)) == {teacher.pk, coach.pk}


def test_an_empty_post_to_the_new_design_form_says_what_is_missing(client, world, teacher):
    client.force_login(teacher)
    response = client.post(url(world.home.pk, "nieuw/"), {})
    assert response.status_code == 422
    assert "Geef het lesontwerp een titel." in response.content.decode()


# --- Status, evaluation, copy and share through the pages ------------------------------------------------


def test_status_buttons_swap_the_status_section(client, world, teacher, design):
    client.force_login(teacher)
    response = client.post(durl(design, "status/"), {"status": "ready"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="design-status"')
    assert 'aria-current="step">Klaar' in html
    assert client.post(durl(design, "status/"), {"status": "given"}).status_code == 302, "no JavaScript: redirect"
    design.refresh_from_db()
    assert design.status == DesignStatus.GIVEN


def test_a_status_button_from_a_stale_page_answers_with_the_current_status(client, world, teacher, coach, design):
    """Tab one still shows "draft"; meanwhile the colleague moved the design to given."""
    for status in (DesignStatus.READY, DesignStatus.GIVEN):
        services.lesson_design_status_set(design=design, user=coach, status=status)
    client.force_login(teacher)
    response = client.post(durl(design, "status/"), {"status": "ready"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "staat op ‘Gegeven’" in html and 'aria-current="step">Gegeven' in html
    design.refresh_from_db()
    assert design.status == DesignStatus.GIVEN


def test_marking_ready_with_one_author_answers_422_with_the_reason(client, world, teacher):
    lonely = make(world.home_team, teacher)
    client.force_login(teacher)
    response = client.post(durl(lonely, "status/"), {"status": "ready"}, **HTMX)
    assert response.status_code == 422
    assert "minstens 2 auteurs" in response.content.decode()


def test_an_evaluation_without_goal_reached_answers_422_and_keeps_what_was_typed(client, world, teacher, design):
    for status in (DesignStatus.READY, DesignStatus.GIVEN):
        services.lesson_design_status_set(design=design, user=teacher, status=status)
    client.force_login(teacher)
    response = client.post(
        durl(design, "evaluatie/"), {"evaluation": "Veel leerlingen haakten af", "next_step": ""}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Kies of de leerlingen het lesdoel bereikt hebben" in html and "Veel leerlingen haakten af" in html
    response = client.post(
        durl(design, "evaluatie/"),
        {"goal_reached": "partly", "evaluation": "Veel leerlingen haakten af", "next_step": "Strook erbij"},
        **HTMX,
    )
    assert response.status_code == 200 and "Gedeeltelijk" in response.content.decode()
    design.refresh_from_db()
    assert design.status == DesignStatus.EVALUATED


def test_copying_redirects_to_the_edit_page_of_the_new_draft(client, world, coach, design):
    client.force_login(coach)
    response = client.post(durl(design, "kopieren/"), {"team": world.other_home_team.pk})
    copy = LessonDesign.objects.get(copied_from=design)
    assert response.status_code == 302 and response["Location"] == durl(copy, "bewerken/")
    assert copy.team_id == world.other_home_team.pk and copy.created_by_id == coach.pk


def test_a_shared_teams_teacher_may_copy_it_into_their_own_team(client, world, teacher, design):
    outsider = member(world.other_home_team)
    services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
    client.force_login(outsider)
    response = client.post(durl(design, "kopieren/"), {}, **HTMX)
    copy = LessonDesign.objects.get(copied_from=design)
    assert response.status_code == 200 and response["HX-Redirect"] == durl(copy, "bewerken/")
    assert copy.team_id == world.other_home_team.pk
    assert client.get(durl(copy, "bewerken/")).status_code == 200, "the copier edits the copy"


def original_on_page(html: str) -> str:
    """What the design's page says after "Gekopieerd van" (empty when it is not a copy)."""
    found = re.search(r'<dd class="design-original">(.*?)</dd>', html, re.S)
    return found.group(1).strip() if found else ""


def test_a_copy_links_its_original_only_while_the_viewer_may_read_the_original(client, world, teacher, design):
    """A teacher of team B copies a design team A shared with them; once team A stops sharing, the
    copy's page no longer names or links the original for them, while team A's teacher still
    sees both."""
    outsider = member(world.other_home_team)
    services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
    copy = services.lesson_design_copy(design=design, user=outsider, team=world.other_home_team)
    LessonDesign.objects.filter(pk=design.pk).update(title="Het origineel van team A")
    link = f'<a href="{durl(design)}">Het origineel van team A</a>'
    client.force_login(outsider)
    assert original_on_page(client.get(durl(copy)).content.decode()) == link, "shared: title and link"

    services.lesson_design_unshare(design=design, user=teacher, team=world.other_home_team)
    response = client.get(durl(copy))
    html = response.content.decode()
    assert response.status_code == 200
    assert original_on_page(html) == "een ander ontwerp"
    assert "Het origineel van team A" not in html and durl(design) not in html

    client.force_login(teacher)
    copy_of_own = services.lesson_design_copy(design=design, user=teacher, team=world.home_team)
    assert original_on_page(client.get(durl(copy_of_own)).content.decode()) == link
    assert original_on_page(client.get(durl(design)).content.decode()) == "", "the original is no copy"


@pytest.mark.parametrize("role", list(Role))
def test_the_detail_names_the_original_exactly_to_whom_the_access_function_lets_read_it(world, role):
    """The detail selector's rule for the original is the access function's, for every role."""
    designs = spread_designs(world)
    stranger = member(world.other_home_team)
    access = compute_access(world.users[role])
    for original in designs.values():
        copy = services.lesson_design_copy(design=original, user=stranger, team=world.other_home_team)
        try:
            access_lesson_design_by_id(access, school_id=original.school_id, design_id=original.pk)
            readable = True
        except Http404:
            readable = False
        detail = selectors.lesson_design_detail(access=access, design=copy)
        assert (detail.copied_from == original) is readable, f"{role}: {original.title}"
        assert detail.copied_from is None or detail.copied_from.title == original.title


def test_sharing_swaps_the_shares_and_refuses_another_schools_team(client, world, teacher, design):
    client.force_login(teacher)
    response = client.post(durl(design, "delen/"), {"team": world.other_home_team.pk}, **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="design-shares"')
    assert world.other_home_team.name in response.content.decode()
    foreign_team = world.teams[world.foreign.pk][0]
    refused = client.post(durl(design, "delen/"), {"team": foreign_team.pk}, **HTMX)
    assert refused.status_code == 422 and "Kies een team van deze school." in refused.content.decode()
    assert list(LessonDesignShare.objects.filter(design=design).values_list("team_id", flat=True)) == [
        world.other_home_team.pk
    ]
    assert client.post(durl(design, "delen/stoppen/"), {"team": world.other_home_team.pk}).status_code == 302
    assert not LessonDesignShare.objects.filter(design=design).exists()


def test_the_share_choice_offers_only_teams_it_is_not_shared_with_yet(client, world, teacher, design):
    third = TeamFactory(school=world.home, name="Team C")
    services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
    client.force_login(teacher)
    html = client.get(durl(design)).content.decode()
    options = re.findall(r'<select id="share-team" name="team"[^>]*>(.*?)</select>', html, re.S)[0]
    assert re.findall(r'<option value="(\d+)">', options) == [str(third.pk)]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.LERAAR, 200),
        (Role.SCHOOLCOACH, 200),
        (Role.SCHOOLLEIDER, 200),
        (Role.EXPERTCOACH, 200),
        (Role.VERANDERCOACH, 200),
        (Role.BESTUURDER, 403),  # a bestuurder sees aggregates, not the content of lessons
        (Role.ADMIN, 200),
    ],
)
def test_who_may_open_the_library(client, world, design, role, status):
    client.force_login(world.users[role])
    response = client.get(url(world.home.pk))
    assert response.status_code == status
    if status == 200:
        assert design.title in response.content.decode()


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_coaches_over_the_school_read_everything_but_change_nothing(client, world, design, role):
    client.force_login(world.users[role])
    assert client.get(durl(design)).status_code == 200
    assert client.get(url(world.home.pk)).status_code == 200
    for path, data in (("status/", {"status": "ready"}), ("kopieren/", {}), ("delen/", {"team": 1})):
        assert client.post(durl(design, path), data).status_code == 403
    assert client.get(url(world.home.pk, "nieuw/")).status_code == 403


def test_the_pages_have_no_inline_code(client, world, teacher, design):
    client.force_login(teacher)
    for path in (url(world.home.pk), url(world.home.pk, "nieuw/"), durl(design), durl(design, "bewerken/")):
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_code(response.content.decode()) == [], path


# --- A fixed number of queries ---------------------------------------------------------------------------


def grow(world, *, designs: int) -> None:
    """More of everything in the home school: colleagues, pupil groups, designs of both teams with
    authors, techniques, shares and goals, and evaluated ones."""
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    goal = world.boards[world.home.pk].goal
    extra_team = TeamFactory(school=world.home, name=f"Team extra {designs}")
    for n in range(designs):
        colleague = member(world.home_team if n % 2 else world.other_home_team)
        team = world.home_team if n % 2 else world.other_home_team
        design = make(
            team,
            colleague,
            authors=[teacher, coach],
            title=f"Extra les {n}",
            subject=["Rekenen", "Taal", "Wereldoriëntatie"][n % 3],
            group=f"Groep {n % 8 + 1}",
            techniques=f"wisbordjes, techniek {n}",
            goal=goal if team == world.home_team else None,
        )
        services.lesson_design_share(design=design, user=colleague, team=extra_team)
        if n % 3 == 0:
            for status in (DesignStatus.READY, DesignStatus.GIVEN):
                services.lesson_design_status_set(design=design, user=colleague, status=status)
            services.lesson_design_evaluate(design=design, user=colleague, goal_reached="yes", next_step="Verder")


def fresh_design(world):
    """A draft of the home team by the teacher and the schoolcoach, to move or share."""
    return make(world.home_team, world.users[Role.LERAAR], authors=[world.users[Role.SCHOOLCOACH]], techniques="a, b")


def given_design(world):
    design = fresh_design(world)
    for status in (DesignStatus.READY, DesignStatus.GIVEN):
        services.lesson_design_status_set(design=design, user=world.users[Role.LERAAR], status=status)
    return design


# name: (method, path builder, data, headers, expected queries)
REQUESTS = {
    "library": ("get", lambda w, d: url(w.home.pk), None, {}),
    "library_partial": ("get", lambda w, d: url(w.home.pk), {"q": "leerlingen", "vak": "Rekenen"}, HTMX),
    "library_filtered": ("get", lambda w, d: url(w.home.pk), {"techniek": "a", "status": "draft", "pagina": 1}, {}),
    "detail": ("get", lambda w, d: durl(d), None, {}),
    "detail_of_copy": ("get", lambda w, d: durl(d), None, {}),
    "new_form": ("get", lambda w, d: url(w.home.pk, "nieuw/"), None, {}),
    "edit_form": ("get", lambda w, d: durl(d, "bewerken/"), None, {}),
    "edit_form_partial": ("get", lambda w, d: durl(d, "bewerken/"), None, HTMX),
    "status_ready": ("post", lambda w, d: durl(d, "status/"), {"status": "ready"}, HTMX),
    "status_refused": ("post", lambda w, d: durl(d, "status/"), {"status": "given"}, HTMX),
    "evaluate": ("post", lambda w, d: durl(d, "evaluatie/"), {"goal_reached": "yes", "next_step": "Verder"}, HTMX),
    "copy": ("post", lambda w, d: durl(d, "kopieren/"), {"team": "home"}, HTMX),
    "share": ("post", lambda w, d: durl(d, "delen/"), {"team": "other"}, HTMX),
    "unshare": ("post", lambda w, d: durl(d, "delen/stoppen/"), {"team": "other"}, HTMX),
    "create": ("post", lambda w, d: url(w.home.pk, "nieuw/"), {**form_data(), "authors": "coach"}, HTMX),
    "create_refused": ("post", lambda w, d: url(w.home.pk, "nieuw/"), form_data(planned_on="morgen"), HTMX),
    "edit_save": ("post", lambda w, d: durl(d, "bewerken/"), {**form_data(), "version": 1, "authors": "coach"}, HTMX),
    "edit_conflict": ("post", lambda w, d: durl(d, "bewerken/"), {**form_data(), "version": 0}, HTMX),
}
STATUS = {"status_refused": 422, "create_refused": 422, "edit_conflict": 409}

# Session, user and access (one UNION) come first on every request; then the design through the
# access rule (and once more for "may this person edit it?"), then what the page shows. Full pages
# add one query for the school switcher. The library: count and page of results, the school, and
# one query per filter's options; its htmx partial only the count and the page.
# A copy's page costs what any design's page costs: whether its viewer may read the original is
# answered inside the query that fetches the original. Whether the viewer may edit the design in
# hand is answered without fetching it again (instruments.access.lesson_design_editable: no query
# for a design of the teacher's own team).
# An edit conflict reads the stored design with its group and goal in the query that locks it,
# then its authors (with their names) and its techniques.
EXPECTED_QUERIES = {
    "library": 14,
    "library_partial": 5,
    "library_filtered": 14,
    "detail": 12,
    "detail_of_copy": 12,
    "new_form": 9,
    "edit_form": 10,
    "edit_form_partial": 9,
    "status_ready": 9,
    "status_refused": 8,
    "evaluate": 8,
    "copy": 15,
    "share": 14,
    "unshare": 11,
    "create": 18,
    "create_refused": 8,
    "edit_save": 18,
    "edit_conflict": 14,
}


@pytest.mark.pins_queries(
    "instruments:lesson_design_status",
    "instruments:lesson_design_evaluate",
    "instruments:lesson_design_copy",
    "instruments:lesson_design_share",
    "instruments:lesson_design_unshare",
)
@pytest.mark.parametrize("name", list(REQUESTS))
def test_query_count_is_fixed_whatever_the_school_holds(client, world, django_assert_num_queries, name):
    """Each page, partial and change runs the same number of queries with the world's one design
    and with forty more designs (authors, techniques, shares, evaluations) in the school."""
    teacher = world.users[Role.LERAAR]
    client.force_login(teacher)
    method, path, data, headers = REQUESTS[name]

    def measure():
        design = given_design(world) if name == "evaluate" else fresh_design(world)
        if name == "detail_of_copy":
            design = services.lesson_design_copy(design=design, user=teacher, team=world.home_team)
        if name == "unshare":
            services.lesson_design_share(design=design, user=teacher, team=world.other_home_team)
        body = dict(data or {})
        team_ids = {"home": world.home_team.pk, "other": world.other_home_team.pk}
        if body.get("team") in team_ids:
            body["team"] = team_ids[body["team"]]
        if body.get("authors") == "coach":
            body["authors"] = [world.users[Role.SCHOOLCOACH].pk]
        client.get(url(world.home.pk))  # warm-up: the session is read and saved once
        for cache in caches.all():
            cache.clear()
        with django_assert_num_queries(EXPECTED_QUERIES[name]):
            response = getattr(client, method)(path(world, design), body, **headers)
        assert response.status_code == STATUS.get(name, 200)
        return response.status_code

    small = measure()
    grow(world, designs=40)
    large = measure()
    assert small == large


# --- Demo data ---------------------------------------------------------------------------------------------


def test_the_demo_seeds_six_designs_in_every_status_once(world, teacher, coach):
    from instruments.demo_lesson_design import seed_lesson_designs

    world.instruments[world.home.pk].design.delete()  # the team starts without designs
    made = seed_lesson_designs(school=world.home, team=world.home_team, users=[teacher, coach])
    assert len(made) == 6
    assert {d.status for d in LessonDesign.objects.filter(pk__in=[d.pk for d in made])} == set(DesignStatus.values)
    evaluated = LessonDesign.objects.get(pk=made[0].pk)
    assert evaluated.status == DesignStatus.EVALUATED and evaluated.goal_reached == GoalReached.PARTLY
    assert LessonDesignShare.objects.filter(design=evaluated, team=world.other_home_team).exists()
    assert LessonDesign.objects.get(pk=made[-1].pk).copied_from_id == evaluated.pk
    again = seed_lesson_designs(school=world.home, team=world.home_team, users=[teacher, coach])
    assert [d.pk for d in again] == sorted(d.pk for d in made), "a second run adds nothing"
