"""Questionnaires as data: the services (versions, a published version never changing, copies
keeping item codes, publish rules, bad input), the shipped questionnaires of the data migration,
and the admin-only editor pages (htmx partials, 404 for everyone else, query counts pinned at two
data sizes)."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from barometer.models import (
    Answer,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Section,
    VersionStatus,
    Wave,
)
from barometer.services import questionnaires as services
from leerkracht.roles import Role
from leerkracht.tests.test_security import inline_code

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PUBLISHED = "Een gepubliceerde versie verandert niet meer; maak een nieuwe versie."
shipping = importlib.import_module("barometer.migrations.0002_shipped_questionnaires")

IMPACT_CODES = {
    "helps_results": QuestionKind.AGREE,
    "helps_teaching": QuestionKind.AGREE,
    "coach_independence": QuestionKind.AGREE,
    "school_continues": QuestionKind.AGREE,
    "enthusiasm": QuestionKind.SCALE,
    "use_board": QuestionKind.FREQUENCY,
    "use_lesson_design": QuestionKind.FREQUENCY,
    "use_lesson_visit": QuestionKind.FREQUENCY,
    "use_pupil_voice": QuestionKind.FREQUENCY,
    "coach_appreciation": QuestionKind.SCALE,
    "open_remarks": QuestionKind.OPEN,
}


@pytest.fixture(autouse=True)
def _shipped_questionnaires(db):
    """The data migration's rows, as a fresh test database has them. A transactional test earlier
    in the run ends with a flush that empties every table, so put them back the way the migration
    does (idempotent: nothing changes when they are there)."""
    shipping.ship(django_apps, None)


def shipped(slug: str = "impact-barometer") -> QuestionnaireVersion:
    return QuestionnaireVersion.objects.get(questionnaire__slug=slug, number=1)


def snapshot(version) -> list[tuple]:
    """Everything a version asks, in order, as plain values."""
    return [
        (s.title, s.component, s.position, q.code, q.kind, q.text, q.help_text, q.required, q.position)
        for s in Section.objects.filter(version=version).order_by("position", "id")
        for q in Question.objects.filter(section=s).order_by("position", "id")
    ]


def draft_with_question(user=None, *, slug="proef") -> QuestionnaireVersion:
    questionnaire = services.questionnaire_create(slug=slug, kind="barometer", title="Proef", user=user)
    version = questionnaire.versions.get()
    section = services.section_add(version=version, title="Onderdeel", component="enthusiasm")
    services.question_add(section=section, code="q_one", kind=QuestionKind.LIKERT, text="Eerste vraag")
    return version


def answer_to(version, question, *, school, value=1) -> Answer:
    """One anonymous answer to `question`, as the answering part will store it."""
    wave = Wave.objects.create(version=version, name="Proefmeting", timing="fixed", fixed_date=dt.date(2026, 6, 1))
    response = Response.objects.create(school=school, wave=wave, version=version)
    return Answer.objects.create(school=school, wave=wave, response=response, question=question, value=value)


# --- Services ------------------------------------------------------------------------------------


def test_questionnaire_create_makes_an_empty_draft_version_1(world):
    questionnaire = services.questionnaire_create(
        slug="  Nieuwe-Lijst ", kind="culture", title="  Nieuwe   lijst ", user=world.users[Role.ADMIN]
    )
    assert (questionnaire.slug, questionnaire.title) == ("nieuwe-lijst", "Nieuwe lijst")
    version = questionnaire.versions.get()
    assert (version.number, version.status, version.published_at) == (1, VersionStatus.DRAFT, None)
    assert version.created_by == world.users[Role.ADMIN]
    assert not version.sections.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"slug": "met spatie"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "impact-barometer"}, "slug"),  # the shipped one's code is taken
        ({"kind": "quiz"}, "kind"),
        ({"title": "   "}, "title"),
    ],
)
def test_questionnaire_create_refuses_bad_input_with_a_message_per_field(values, field):
    before = Questionnaire.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.questionnaire_create(**{"slug": "goed", "kind": "barometer", "title": "Goed", **values}, user=None)
    assert list(refused.value.message_dict) == [field]
    assert Questionnaire.objects.count() == before


def test_a_new_draft_copies_the_latest_version_with_its_codes_order_and_components(world):
    v1 = shipped()
    v2 = services.version_draft_create(questionnaire=v1.questionnaire, user=world.users[Role.ADMIN])
    assert (v2.number, v2.status, v2.intro) == (2, VersionStatus.DRAFT, v1.intro)
    assert snapshot(v2) == snapshot(v1)
    # Copies, not the same rows: the new draft's questions belong to its own sections.
    assert not set(v2.questions.values_list("pk", flat=True)) & set(v1.questions.values_list("pk", flat=True))
    assert set(v2.questions.values_list("section__version", flat=True)) == {v2.pk}


def test_a_second_draft_is_refused_while_one_exists(world):
    questionnaire = shipped().questionnaire
    services.version_draft_create(questionnaire=questionnaire, user=None)
    with pytest.raises(ValidationError, match="al een conceptversie"):
        services.version_draft_create(questionnaire=questionnaire, user=None)
    assert questionnaire.versions.count() == 2


def _edits(version):
    section = version.sections.first()
    question = version.questions.first()
    return {
        "section_add": lambda: services.section_add(version=version, title="Nieuw"),
        "section_update": lambda: services.section_update(section=section, title="Anders"),
        "section_move": lambda: services.section_move(section=section, direction="down"),
        "section_delete": lambda: services.section_delete(section=section),
        "question_add": lambda: services.question_add(section=section, code="nieuw", kind="likert", text="Nieuw?"),
        "question_update": lambda: services.question_update(
            question=question, code=question.code, kind=question.kind, text="Anders?"
        ),
        "question_move": lambda: services.question_move(question=question, direction="down"),
        "question_delete": lambda: services.question_delete(question=question),
        "version_intro_update": lambda: services.version_intro_update(version=version, intro="Anders"),
        "version_publish": lambda: services.version_publish(version=version),
    }


EDITS = [
    "section_add",
    "section_update",
    "section_move",
    "section_delete",
    "question_add",
    "question_update",
    "question_move",
    "question_delete",
    "version_intro_update",
    "version_publish",
]


@pytest.mark.parametrize("name", EDITS)
def test_every_edit_of_a_published_version_is_refused_and_changes_nothing(name):
    version = shipped()
    before = (snapshot(version), version.intro, version.published_at)
    with pytest.raises(ValidationError) as refused:
        _edits(version)[name]()
    assert refused.value.messages == [PUBLISHED], name
    version.refresh_from_db()
    assert (snapshot(version), version.intro, version.published_at) == before, name


def test_an_edit_from_a_stale_draft_object_is_refused_once_the_version_is_published():
    """The status is read from the locked row, not from the caller's object."""
    stale = draft_with_question()
    services.version_publish(version=QuestionnaireVersion.objects.get(pk=stale.pk))
    assert stale.status == VersionStatus.DRAFT  # the caller still holds the old object
    with pytest.raises(ValidationError, match="gepubliceerde versie"):
        services.section_add(version=stale, title="Te laat")
    assert stale.sections.count() == 1


def test_publish_needs_a_question_and_no_empty_section():
    questionnaire = services.questionnaire_create(slug="leeg", kind="barometer", title="Leeg", user=None)
    version = questionnaire.versions.get()
    with pytest.raises(ValidationError, match="minstens één vraag"):
        services.version_publish(version=version)
    section = services.section_add(version=version, title="Met vraag")
    services.question_add(section=section, code="q", kind="yes_no", text="Ja of nee?")
    services.section_add(version=version, title="Leeg onderdeel")
    with pytest.raises(ValidationError, match="Leeg onderdeel"):
        services.version_publish(version=version)
    version.refresh_from_db()
    assert (version.status, version.published_at) == (VersionStatus.DRAFT, None)


def test_publish_sets_the_status_and_the_moment():
    version = draft_with_question()
    published = services.version_publish(version=version)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_at is not None and version.published_at == published.published_at


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "Met Spatie"}, "code"),
        ({"code": "1_begint_met_cijfer"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "q_one"}, "code"),  # taken in this version
        ({"kind": "slider"}, "kind"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 301}, "text"),
    ],
)
def test_question_add_refuses_bad_input_with_a_message_per_field(values, field):
    version = draft_with_question()
    section = version.sections.get()
    with pytest.raises(ValidationError) as refused:
        services.question_add(section=section, **{"code": "q_two", "kind": "likert", "text": "Tweede?", **values})
    assert list(refused.value.message_dict) == [field]
    assert version.questions.count() == 1


def test_the_same_code_may_return_in_another_version_but_not_twice_in_one():
    version = draft_with_question()
    other = draft_with_question(slug="andere")
    services.question_add(section=other.sections.get(), code="q_two", kind="likert", text="Ook hier")
    second = services.question_add(section=version.sections.get(), code="q_two", kind="likert", text="Tweede?")
    with pytest.raises(ValidationError) as refused:
        services.question_update(question=second, code="q_one", kind="likert", text="Tweede?")
    assert "q_one staat al in deze versie" in refused.value.message_dict["code"][0]


def test_questions_and_sections_move_one_place_and_stay_put_at_the_ends():
    version = draft_with_question()
    section = version.sections.get()
    q2 = services.question_add(section=section, code="q_two", kind="likert", text="Tweede?")
    services.question_add(section=section, code="q_three", kind="likert", text="Derde?")
    services.question_move(question=q2, direction="up")
    assert list(section.questions.order_by("position").values_list("code", flat=True)) == ["q_two", "q_one", "q_three"]
    services.question_move(question=q2, direction="up")  # already first
    assert list(section.questions.order_by("position").values_list("code", flat=True)) == ["q_two", "q_one", "q_three"]
    second = services.section_add(version=version, title="Tweede onderdeel")
    services.section_move(section=second, direction="up")
    assert list(version.sections.order_by("position").values_list("title", flat=True)) == [
        "Tweede onderdeel",
        "Onderdeel",
    ]


def test_a_question_moves_to_another_section_of_its_version_only():
    version = draft_with_question()
    question = version.questions.get()
    target = services.section_add(version=version, title="Doel")
    services.question_update(question=question, code="q_one", kind="likert", text="Verhuisd", section=target)
    question.refresh_from_db()
    assert (question.section_id, question.text, question.position) == (target.pk, "Verhuisd", 0)
    foreign_section = shipped().sections.first()
    with pytest.raises(ValidationError) as refused:
        services.question_update(question=question, code="q_one", kind="likert", text="Weg", section=foreign_section)
    assert list(refused.value.message_dict) == ["section"]


def test_deleting_a_section_deletes_its_questions_and_closes_the_gap():
    version = draft_with_question()
    first = version.sections.get()
    second = services.section_add(version=version, title="Tweede")
    services.section_delete(section=first)
    assert not version.questions.exists()
    second.refresh_from_db()
    assert second.position == 0


def test_a_new_published_version_leaves_the_old_questions_and_their_answers_untouched(world):
    """Answers of version 1 keep meaning what they meant, and a result can say which version an
    answer came from."""
    v1 = shipped()
    old = snapshot(v1)
    helps = v1.questions.get(code="helps_results")
    answer = answer_to(v1, helps, school=world.home, value=1)

    v2 = services.version_draft_create(questionnaire=v1.questionnaire, user=None)
    new_helps = v2.questions.get(code="helps_results")
    services.question_update(
        question=new_helps,
        code="helps_results",
        kind=QuestionKind.LIKERT,
        text="Leerlingen leren meer door leerKRACHT.",
    )
    services.section_delete(section=v2.questions.get(code="open_remarks").section)
    services.question_add(
        section=v2.sections.first(), code="helps_wellbeing", kind="agree", text="Leerlingen voelen zich beter."
    )
    services.version_publish(version=v2)

    assert snapshot(v1) == old
    answer.refresh_from_db()
    assert answer.question_id == helps.pk
    assert (answer.question.text, answer.question.kind, answer.value) == (helps.text, QuestionKind.AGREE, 1)
    assert answer.response.version_id == v1.pk
    # Results follow the code across versions and tell the versions apart.
    by_version = set(
        Answer.objects.filter(question__code="helps_results").values_list("response__version__number", flat=True)
    )
    assert by_version == {1}
    assert v2.questions.get(code="helps_results").kind == QuestionKind.LIKERT


# --- The shipped questionnaires (data migration) ---------------------------------------------------


def test_the_impact_barometer_ships_as_published_version_1_with_its_items():
    version = shipped("impact-barometer")
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None
    assert version.questionnaire.kind == "barometer"
    assert dict(version.questions.values_list("code", "kind")) == IMPACT_CODES
    assert list(version.questions.filter(required=False).values_list("code", flat=True)) == ["open_remarks"]
    components = dict(version.questions.values_list("code", "section__component"))
    assert {components[c] for c in ("use_board", "use_lesson_design", "use_lesson_visit", "use_pupil_voice")} == {
        "implementation"
    }
    assert components["enthusiasm"] == "enthusiasm"
    assert all(len(q.text) > 20 and q.text[0].isupper() for q in version.questions.all())


def test_the_learning_culture_survey_ships_six_components_of_three_likert_items():
    version = shipped("leercultuur")
    assert version.status == VersionStatus.PUBLISHED
    assert version.questionnaire.kind == "culture"
    sections = list(version.sections.order_by("position"))
    assert [s.component for s in sections] == [
        "shared_goals",
        "collaboration",
        "feedback_culture",
        "continuous_improvement",
        "pupil_voice",
        "leadership",
    ]
    for section in sections:
        assert list(section.questions.values_list("kind", flat=True)) == [QuestionKind.LIKERT] * 3, section.title
    assert version.questions.values("code").distinct().count() == 18


def test_running_the_migration_again_adds_nothing_and_changes_no_published_version():
    before = {slug: snapshot(shipped(slug)) for slug in ("impact-barometer", "leercultuur")}
    published_at = shipped().published_at
    shipping.ship(django_apps, None)
    assert {slug: snapshot(shipped(slug)) for slug in before} == before
    assert shipped().published_at == published_at
    assert QuestionnaireVersion.objects.filter(questionnaire__slug__in=before).count() == 2


def test_the_reverse_removes_unanswered_shipped_questionnaires_and_the_forward_restores_them():
    shipping.unship(django_apps, None)
    assert not Questionnaire.objects.filter(slug__in=["impact-barometer", "leercultuur"]).exists()
    shipping.ship(django_apps, None)
    assert dict(shipped().questions.values_list("code", "kind")) == IMPACT_CODES


def test_the_reverse_leaves_a_questionnaire_with_answers_and_one_with_a_newer_version(world):
    impact = shipped("impact-barometer")
    answer_to(impact, impact.questions.get(code="enthusiasm"), school=world.home, value=4)
    culture = shipped("leercultuur")
    services.version_draft_create(questionnaire=culture.questionnaire, user=None)
    shipping.unship(django_apps, None)
    assert snapshot(shipped("impact-barometer"))  # answered: untouched
    assert not QuestionnaireVersion.objects.filter(pk=culture.pk).exists()  # shipped version 1 gone…
    assert Questionnaire.objects.get(slug="leercultuur").versions.get().number == 2  # …the admin's draft stays


# --- Pages -----------------------------------------------------------------------------------------


def urls_for(version) -> dict[str, str]:
    q = version.questionnaire_id
    base = f"/barometer/vragenlijsten/{q}/versies/{version.pk}/"
    return {
        "list": "/barometer/vragenlijsten/",
        "detail": f"/barometer/vragenlijsten/{q}/",
        "draft_create": f"/barometer/vragenlijsten/{q}/nieuwe-versie/",
        "version": base,
        "intro": base + "inleiding/",
        "section_add": base + "onderdelen/toevoegen/",
        "publish": base + "publiceren/",
    }


ITEM_OPERATIONS = ("opslaan", "omhoog", "omlaag", "verwijderen")


def section_url(version, section_id: int, operation: str) -> str:
    """A change of one section: `opslaan`, `omhoog`, `omlaag`, `verwijderen`; or `vragen/toevoegen`."""
    return f"{urls_for(version)['version']}onderdelen/{section_id}/{operation}/"


def question_url(version, question_id: int, operation: str) -> str:
    """A change of one question: `opslaan`, `omhoog`, `omlaag` or `verwijderen`."""
    return f"{urls_for(version)['version']}vragen/{question_id}/{operation}/"


def item_urls(version) -> dict[str, str]:
    """Every change of the version's first section and first question, each its own URL."""
    section, question = version.sections.first(), version.questions.first()
    return {
        **{f"section {op}": section_url(version, section.pk, op) for op in (*ITEM_OPERATIONS, "vragen/toevoegen")},
        **{f"question {op}": question_url(version, question.pk, op) for op in ITEM_OPERATIONS},
    }


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users[Role.ADMIN])
    return client


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_every_editor_route_is_404_for_everyone_but_admins(client, world, role):
    """The platform level exists for everyone; only admins see its pages (as the middleware does
    for the national overview), read or write, page or htmx."""
    version = draft_with_question()
    client.force_login(world.users[role])
    failures = []
    for name, url in {**urls_for(version), **item_urls(version)}.items():
        for method in ("get", "post"):
            for headers in ({}, HTMX):
                status = getattr(client, method)(url, {"title": "x"}, **headers).status_code
                if status != 404:
                    failures.append(f"{method} {name} {headers}: {status}")
    assert failures == []
    assert snapshot(version) == [("Onderdeel", "enthusiasm", 0, "q_one", "likert", "Eerste vraag", "", True, 0)]


def test_anonymous_is_sent_to_login(client):
    version = shipped()
    for url in urls_for(version).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/inloggen/"), url


def test_missing_ids_and_items_of_another_version_are_404_even_to_an_admin(admin_client):
    impact, culture = shipped("impact-barometer"), shipped("leercultuur")
    draft = services.version_draft_create(questionnaire=impact.questionnaire, user=None)
    urls = urls_for(draft)
    mixed = f"/barometer/vragenlijsten/{impact.questionnaire_id}/versies/{culture.pk}/"
    assert admin_client.get(mixed).status_code == 404  # a version of the other questionnaire
    assert admin_client.get("/barometer/vragenlijsten/999999999/").status_code == 404
    assert admin_client.get(f"/barometer/vragenlijsten/{impact.questionnaire_id}/versies/999999999/").status_code == 404
    assert admin_client.post("/barometer/vragenlijsten/999999999/nieuwe-versie/").status_code == 404
    foreign_question = culture.questions.first()
    foreign_section = culture.sections.first()
    assert admin_client.get(urls["version"] + f"?bewerk=vraag-{foreign_question.pk}", **HTMX).status_code == 404
    assert admin_client.get(urls["version"] + f"?bewerk=onderdeel-{foreign_section.pk}").status_code == 404
    assert admin_client.get(urls["version"] + "?bewerk=vraag-x").status_code == 404
    for operation in ITEM_OPERATIONS:
        data = {"code": "x", "kind": "likert", "text": "x"}
        assert admin_client.post(question_url(draft, foreign_question.pk, operation), data, **HTMX).status_code == 404
        data = {"title": "x"}
        assert admin_client.post(section_url(draft, foreign_section.pk, operation), data, **HTMX).status_code == 404
    data = {"code": "x", "kind": "likert", "text": "x"}
    url = section_url(draft, foreign_section.pk, "vragen/toevoegen")
    assert admin_client.post(url, data, **HTMX).status_code == 404
    assert snapshot(culture) == snapshot(QuestionnaireVersion.objects.get(pk=culture.pk))


def test_the_admin_makes_a_questionnaire_and_lands_in_its_draft(admin_client):
    data = {"title": "Pilot", "slug": "pilot", "kind": "barometer", "description": ""}
    response = admin_client.post("/barometer/vragenlijsten/", data)
    draft = Questionnaire.objects.get(slug="pilot").versions.get()
    assert response.status_code == 302
    assert response["Location"] == urls_for(draft)["version"]
    bad = admin_client.post("/barometer/vragenlijsten/", {**data, "title": "Dubbel"}, **HTMX)
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Er is al een vragenlijst met de code pilot." in html
    assert 'value="Dubbel"' in html and "<html" not in html and 'id="questionnaire-new"' in html


def test_adding_a_section_and_a_question_answers_the_section_list(admin_client):
    version = services.questionnaire_create(slug="pilot", kind="barometer", title="Pilot", user=None).versions.get()
    urls = urls_for(version)
    response = admin_client.post(urls["section_add"], {"title": "Inzet", "component": "implementation"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="version-sections"') and "Inzet" in html
    section = version.sections.get()
    data = {"text": "Hoe vaak?", "kind": "frequency", "code": "use_x"}
    html = admin_client.post(section_url(version, section.pk, "vragen/toevoegen"), data, **HTMX).content.decode()
    question = version.questions.get()
    assert (question.code, question.kind, question.required) == ("use_x", "frequency", False)  # box not ticked
    assert f'id="question-{question.pk}"' in html and "Wekelijks of vaker" in html


def test_bad_question_input_is_422_with_the_message_and_what_was_typed(admin_client):
    version = draft_with_question()
    section = version.sections.get()
    data = {"text": "Mijn vraag", "kind": "likert", "code": "q_one"}
    response = admin_client.post(section_url(version, section.pk, "vragen/toevoegen"), data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "De itemcode q_one staat al in deze versie" in html
    assert 'value="Mijn vraag"' in html and '<details class="question-add" open>' in html
    assert version.questions.count() == 1


def test_the_edit_form_takes_the_questions_place_and_saving_moves_it(admin_client):
    version = draft_with_question()
    question = version.questions.get()
    other = services.section_add(version=version, title="Ander onderdeel")
    urls = urls_for(version)
    html = admin_client.get(urls["version"] + f"?bewerk=vraag-{question.pk}", **HTMX).content.decode()
    assert html.lstrip().startswith(f'<li id="question-{question.pk}"')
    assert 'value="q_one"' in html and 'name="section"' in html
    data = {
        "text": "Aangepast",
        "kind": "agree",
        "code": "q_renamed",
        "required": "on",
        "section": other.pk,
    }
    assert admin_client.post(question_url(version, question.pk, "opslaan"), data, **HTMX).status_code == 200
    question.refresh_from_db()
    assert (question.text, question.kind, question.code, question.section_id) == (
        "Aangepast",
        "agree",
        "q_renamed",
        other.pk,
    )
    # Without JavaScript the same link opens the whole page with the form in place.
    page = admin_client.get(urls["version"] + f"?bewerk=vraag-{question.pk}").content.decode()
    assert "<html" in page and 'value="q_renamed"' in page


def test_moving_and_deleting_through_the_page_work_with_and_without_htmx(admin_client):
    version = draft_with_question()
    section = version.sections.get()
    second = services.question_add(section=section, code="q_two", kind="likert", text="Tweede?")
    response = admin_client.post(question_url(version, second.pk, "omhoog"))
    assert response.status_code == 302 and response["Location"].endswith("#version-sections")
    assert list(section.questions.order_by("position").values_list("code", flat=True)) == ["q_two", "q_one"]
    response = admin_client.post(section_url(version, section.pk, "verwijderen"), **HTMX)
    assert response.status_code == 200 and not version.sections.exists()
    other = services.section_add(version=version, title="Ander onderdeel")
    response = admin_client.post(section_url(version, other.pk, "weggooien"), **HTMX)
    assert response.status_code == 404, "an operation that does not exist is no route"
    assert version.sections.get() == other


def test_publishing_makes_the_page_read_only_with_a_new_version_button(admin_client):
    version = draft_with_question()
    urls = urls_for(version)
    response = admin_client.post(urls["publish"], **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == urls["version"]
    page = admin_client.get(urls["version"]).content.decode()
    assert "Nieuwe versie maken" in page
    assert "Vraag toevoegen" not in page and "Onderdeel toevoegen" not in page and "publiceren</button>" not in page
    refused = admin_client.post(urls["section_add"], {"title": "Nog een"}, **HTMX)
    assert refused.status_code == 422 and PUBLISHED in refused.content.decode()
    assert version.sections.count() == 1


def test_publishing_an_empty_draft_answers_what_is_missing(admin_client):
    version = services.questionnaire_create(slug="leeg", kind="barometer", title="Leeg", user=None).versions.get()
    response = admin_client.post(urls_for(version)["publish"], **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="version-publish"') and "minstens één vraag" in html


def test_new_version_from_the_page_opens_the_copy_and_a_second_is_refused(admin_client):
    v1 = shipped()
    urls = urls_for(v1)
    response = admin_client.post(urls["draft_create"])
    v2 = v1.questionnaire.versions.get(number=2)
    assert response["Location"] == urls_for(v2)["version"]
    refused = admin_client.post(urls["draft_create"])
    assert refused.status_code == 422 and "al een conceptversie" in refused.content.decode()
    assert v1.questionnaire.versions.count() == 2


def test_the_editor_pages_have_no_inline_code(admin_client):
    draft = services.version_draft_create(questionnaire=shipped().questionnaire, user=None)
    question = draft.questions.first()
    section = draft.sections.first()
    for url in [
        *urls_for(shipped()).values(),
        urls_for(draft)["version"],
        urls_for(draft)["version"] + f"?bewerk=vraag-{question.pk}",
        urls_for(draft)["version"] + f"?bewerk=onderdeel-{section.pk}",
    ]:
        for headers in ({}, HTMX):
            response = admin_client.get(url, **headers)
            if response.status_code == 200:
                assert inline_code(response.content.decode()) == [], url


# --- Query counts --------------------------------------------------------------------------------


def grow(n: int) -> QuestionnaireVersion:
    """`n` more questionnaires with published and draft versions, and a draft of the impact
    barometer with `n` more sections of three questions each."""
    for i in range(n):
        version = draft_with_question(slug=f"extra-{i}")
        services.version_publish(version=version)
        services.version_draft_create(questionnaire=version.questionnaire, user=None)
    draft = services.version_draft_create(questionnaire=shipped().questionnaire, user=None)
    for i in range(n):
        section = services.section_add(version=draft, title=f"Extra {i}")
        for j in range(3):
            services.question_add(section=section, code=f"extra_{i}_{j}", kind="likert", text=f"Vraag {i}.{j}")
    return draft


def requests(draft) -> dict:
    urls = urls_for(draft)
    published = urls_for(shipped())
    question, below = draft.questions.order_by("section__position", "position")[:2]
    section, next_section = draft.sections.order_by("position")[:2]
    assert below.section_id == question.section_id, "moving up is measured as a real move"
    return {
        "list": ("get", urls["list"], None, {}),
        "detail": ("get", urls["detail"], None, {}),
        "draft_page": ("get", urls["version"], None, {}),
        "published_page": ("get", published["version"], None, {}),
        "sections_partial": ("get", urls["version"], None, HTMX),
        "question_edit_form": ("get", urls["version"] + f"?bewerk=vraag-{question.pk}", None, HTMX),
        "section_edit_form": ("get", urls["version"] + f"?bewerk=onderdeel-{section.pk}", None, HTMX),
        "question_add": (
            "post",
            section_url(draft, section.pk, "vragen/toevoegen"),
            {"code": "nieuw_item", "kind": "likert", "text": "Nieuw?"},
            HTMX,
        ),
        "question_add_invalid": ("post", section_url(draft, section.pk, "vragen/toevoegen"), None, HTMX),
        "question_save": (
            "post",
            question_url(draft, question.pk, "opslaan"),
            {"code": question.code, "kind": "likert", "text": "Anders gezegd?", "section": section.pk},
            HTMX,
        ),
        "question_move": ("post", question_url(draft, question.pk, "omlaag"), None, HTMX),
        "question_move_up": ("post", question_url(draft, below.pk, "omhoog"), None, HTMX),
        "question_delete": ("post", question_url(draft, question.pk, "verwijderen"), None, HTMX),
        "section_add": ("post", urls["section_add"], {"title": "Nieuw onderdeel"}, HTMX),
        "section_save": ("post", section_url(draft, section.pk, "opslaan"), {"title": "Anders genoemd"}, HTMX),
        "section_move": ("post", section_url(draft, section.pk, "omlaag"), None, HTMX),
        "section_move_up": ("post", section_url(draft, next_section.pk, "omhoog"), None, HTMX),
        "section_delete": ("post", section_url(draft, section.pk, "verwijderen"), None, HTMX),
        "intro": ("post", urls["intro"], {"intro": "Welkom"}, HTMX),
    }


EXPECTED_QUERIES = {
    "list": 3,
    "detail": 4,
    "draft_page": 5,
    "published_page": 6,
    "sections_partial": 5,
    "question_edit_form": 5,
    "section_edit_form": 5,
    "question_add": 13,
    "question_add_invalid": 5,
    "question_save": 12,
    "question_move": 12,
    "question_move_up": 12,
    "question_delete": 14,
    "section_add": 10,
    "section_save": 11,
    "section_move": 12,
    "section_move_up": 12,
    "section_delete": 16,
    "intro": 9,
}


@pytest.mark.pins_queries(
    "barometer:question_add",
    "barometer:question_save",
    "barometer:question_up",
    "barometer:question_down",
    "barometer:question_delete",
    "barometer:section_add",
    "barometer:section_save",
    "barometer:section_up",
    "barometer:section_down",
    "barometer:section_delete",
    "barometer:version_intro",
)
@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
@pytest.mark.parametrize("size", [1, 6])
def test_every_editor_request_runs_a_fixed_number_of_queries(client, world, django_assert_num_queries, name, size):
    draft = grow(size)
    client.force_login(world.users[Role.ADMIN])
    method, url, data, headers = requests(draft)[name]
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        response = getattr(client, method)(url, data, **headers) if data else getattr(client, method)(url, **headers)
    assert response.status_code == (422 if name.endswith("invalid") else 200), response.content[:300]
    assert re.search(rb"Niet gevonden", response.content) is None


@pytest.mark.pins_queries("barometer:version_draft_create", "barometer:version_publish")
def test_a_new_draft_and_its_publication_cost_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    version = draft_with_question(slug="pinned")
    services.version_publish(version=version)
    urls = urls_for(version)
    client.force_login(world.users[Role.ADMIN])
    with django_assert_num_queries(13):
        created = client.post(urls["draft_create"])
    assert created.status_code == 302
    draft = version.questionnaire.versions.get(status=VersionStatus.DRAFT)
    with django_assert_num_queries(8):
        published = client.post(urls_for(draft)["publish"])
    assert published.status_code == 302
