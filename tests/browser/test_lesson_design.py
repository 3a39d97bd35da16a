"""The lesson design in chromium: a teacher designs a lesson with a colleague through the form and
marks it ready with the status swapping in place, and the library narrows as they type."""

import re

import pytest
from playwright.sync_api import expect

from instruments.models import DesignStatus, LessonDesign, LessonDesignAuthor
from instruments.services import lesson_design as design_services
from instruments.tests.factories import member
from leerkracht.roles import Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mark_page(page) -> None:
    """Put a marker on the window: a full page load would wipe it."""
    page.evaluate("window.__noReload = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_a_teacher_makes_a_design_with_a_colleague_and_marks_it_ready_in_place(page, world):
    teacher = world.users[Role.LERAAR]
    colleague = member(world.home_team)
    school_id = world.home.pk
    log_in(page, teacher)
    page.goto(f"/school/{school_id}/lesontwerpen/nieuw/")

    form = page.locator("form#design-form")
    form.get_by_label("Titel").fill("Klokkijken in groep 4")
    form.get_by_label("Vak of leergebied").fill("Rekenen")
    form.get_by_label("Groep of klas").fill("Groep 4")
    form.get_by_label("Lesdoel").fill("Leerlingen lezen hele en halve uren af")
    form.get_by_label(colleague.full_name, exact=True).check()
    form.get_by_role("button", name="Lesontwerp maken").click()

    expect(page).to_have_url(re.compile(rf"/school/{school_id}/lesontwerpen/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Klokkijken in groep 4")
    design = LessonDesign.objects.get(school_id=school_id, title="Klokkijken in groep 4")
    assert set(LessonDesignAuthor.objects.filter(design=design).values_list("user_id", flat=True)) == {
        teacher.pk,
        colleague.pk,
    }

    mark_page(page)
    status = page.locator("#design-status")
    expect(status.locator('[aria-current="step"]')).to_have_text("Concept")
    status.get_by_role("button", name="Markeer als klaar").click()
    expect(status.locator('[aria-current="step"]')).to_have_text("Klaar")
    expect(status.get_by_role("button", name="De les is gegeven")).to_be_visible()
    expect(status.get_by_role("button", name="Terug naar concept")).to_be_visible()
    expect(status.get_by_role("button", name="Markeer als klaar")).to_have_count(0)
    assert still_same_page(page), "the status section was swapped, not the page reloaded"
    assert page.url.endswith(f"/lesontwerpen/{design.pk}/"), "no redirect either"
    design.refresh_from_db()
    assert design.status == DesignStatus.READY

    status.get_by_role("button", name="Terug naar concept").click()
    expect(status.locator('[aria-current="step"]')).to_have_text("Concept")
    expect(status.get_by_role("button", name="Markeer als klaar")).to_be_visible()
    assert still_same_page(page)
    design.refresh_from_db()
    assert design.status == DesignStatus.DRAFT


def test_the_library_narrows_while_typing_without_a_reload_and_keeps_the_search_in_the_url(page, world):
    teacher = world.users[Role.LERAAR]
    coach = world.users[Role.SCHOOLCOACH]
    school_id = world.home.pk
    # The world's design ("Breuken vergelijken", a draft) and two more of the teacher's team.
    for title, lesson_goal in (
        ("Breuken op de getallenlijn", "Leerlingen zetten breuken op de getallenlijn"),
        ("Samen lezen", "Leerlingen voorspellen wat er in de tekst gebeurt"),
    ):
        made = design_services.lesson_design_create(
            team=world.home_team,
            user=teacher,
            authors=[coach],
            title=title,
            subject="Rekenen" if "Breuken" in title else "Begrijpend lezen",
            group="Groep 7",
            lesson_goal=lesson_goal,
        )
    design_services.lesson_design_status_set(design=made, user=teacher, status=DesignStatus.READY)

    log_in(page, teacher)
    page.goto(f"/school/{school_id}/lesontwerpen/")
    results = page.locator("#design-results")
    titles = results.locator(".design-row__title")
    expect(results.locator(".design-results__count")).to_have_text("3 lesontwerpen")
    mark_page(page)

    page.get_by_label("Zoek op titel, vak of lesdoel").fill("breuken")
    expect(results.locator(".design-results__count")).to_have_text("2 lesontwerpen")
    expect(titles).to_have_text(["Breuken op de getallenlijn", "Breuken vergelijken"])
    expect(page).to_have_url(re.compile(r"[?&]q=breuken(&|$)"))

    page.get_by_label("Zoek op titel, vak of lesdoel").fill("")
    page.get_by_label("Status").select_option("ready")
    expect(results.locator(".design-results__count")).to_have_text("1 lesontwerp")
    expect(titles).to_have_text(["Samen lezen"])
    expect(page).to_have_url(re.compile(r"[?&]status=ready(&|$)"))
    assert still_same_page(page), "the results were swapped, not the page reloaded"
