"""The questionnaire editor in chromium: an admin orders, deletes, renames and adds the sections
and questions of a draft, each change posted to its own URL and swapped in place by htmx."""

import re

import pytest
from playwright.sync_api import expect

from barometer.services import questionnaires as services
from leerkracht.roles import Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_edits_a_draft_in_place(page, world):
    version = services.questionnaire_create(slug="proef", kind="barometer", title="Proef", user=None).versions.get()
    first = services.section_add(version=version, title="Inzet")
    second = services.section_add(version=version, title="Enthousiasme")
    for code, text in [("q_one", "Eerste vraag"), ("q_two", "Tweede vraag")]:
        services.question_add(section=first, code=code, kind="likert", text=text)
    log_in(page, world.users[Role.ADMIN])
    page.goto(f"/barometer/vragenlijsten/{version.questionnaire_id}/versies/{version.pk}/")
    page.evaluate("window.__noReload = true")
    sections = page.locator("#version-sections .card__title")
    questions = page.locator(f"#section-{first.pk} .question-list .list__title")
    asked = []

    def answer(dialog):
        """The first question is dismissed (nothing may be deleted), every later one accepted."""
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)

    page.get_by_role("button", name="Omlaag: Eerste vraag").click()
    expect(questions).to_have_text(["Tweede vraag", "Eerste vraag"])
    page.get_by_role("button", name="Omhoog: Enthousiasme").click()
    expect(sections).to_have_text(["1. Enthousiasme", "2. Inzet"])
    delete = page.get_by_role("button", name=re.compile(r"^Verwijderen\W+Tweede vraag$"))
    delete.click()  # asks, and is told no: the question stays (a second click finds it)
    expect(questions).to_have_text(["Tweede vraag", "Eerste vraag"])
    delete.click()
    expect(questions).to_have_text(["Eerste vraag"])
    assert asked == ["Deze vraag verwijderen?", "Deze vraag verwijderen?"]

    page.get_by_role("link", name=re.compile(r"^Bewerken\W+Enthousiasme$")).click()
    editing = page.locator(f"#section-{second.pk}-header form")
    editing.get_by_label("Titel van het onderdeel").fill("Plezier")  # the label names the field, not a heading
    editing.get_by_role("button", name="Opslaan").click()
    expect(sections).to_have_text(["1. Plezier", "2. Inzet"])

    page.locator(f"#section-{first.pk} .question-add summary").click()
    form = page.locator(f"#section-{first.pk} .question-add form")
    form.get_by_label("Vraag", exact=True).fill("Nieuwe vraag")
    form.get_by_label("Itemcode").fill("q_one")  # taken: refused, what was typed kept
    form.get_by_role("button", name="Vraag toevoegen").click()
    expect(page.locator(f"#section-{first.pk} .question-add form")).to_contain_text("q_one")
    expect(page.locator(f"#section-{first.pk} .question-add form").get_by_label("Vraag", exact=True)).to_have_value(
        "Nieuwe vraag"
    )
    page.locator(f"#section-{first.pk} .question-add form").get_by_label("Itemcode").fill("q_new")
    page.locator(f"#section-{first.pk} .question-add form").get_by_role("button", name="Vraag toevoegen").click()
    expect(questions).to_have_text(["Eerste vraag", "Nieuwe vraag"])
    assert page.evaluate("window.__noReload === true")
