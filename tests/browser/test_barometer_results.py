"""The barometer's results in chromium: a school leader reads the school's results with every
chart drawn, switches to another moment without a reload, and the page fits a phone."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from barometer.models import QuestionnaireVersion
from barometer.tests.factories import WaveFactory
from barometer.tests.results_data import responses_add
from leerkracht.roles import Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answers(count, enthusiasm):
    return [
        {
            "helps_results": 1,
            "helps_teaching": 1,
            "coach_independence": 0,
            "school_continues": 1,
            "enthusiasm": enthusiasm,
            "use_board": 5,
            "use_lesson_design": 3,
            "use_lesson_visit": 4,
            "use_pupil_voice": 2,
            "coach_appreciation": 4,
            "open_remarks": "",
        }
    ] * count


@pytest.fixture
def waves(world):
    importlib.import_module("barometer.migrations.0002_shipped_questionnaires").ship(apps, None)
    version = QuestionnaireVersion.objects.get(questionnaire__slug="impact-barometer", number=1)
    first = WaveFactory(version=version, name="Meting najaar")
    second = WaveFactory(version=version, name="Meting voorjaar")
    team_a, _team_b = world.teams[world.home.pk]
    responses_add(wave=first, school=world.home, team=team_a, answers=answers(6, enthusiasm=2))
    responses_add(wave=second, school=world.home, team=team_a, answers=answers(7, enthusiasm=4))
    return first, second


def all_images_drawn(page) -> bool:
    return page.evaluate(
        "Array.from(document.querySelectorAll('figure.result-chart img'))"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )


def test_a_leader_reads_the_results_and_switches_moment_in_place(page, world, waves):
    first, second = waves
    log_in(page, world.users[Role.SCHOOLLEIDER])
    page.goto(f"/school/{world.home.pk}/barometer/resultaten/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Barometer: resultaten")
    enthusiasm = page.get_by_role("row", name=re.compile("Hoe enthousiast ben je"))
    expect(enthusiasm.first).to_contain_text("4,0")
    images = page.locator("figure.result-chart img")
    assert images.count() >= 5  # the staircase, agree bars, two distributions and the trend
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    for _try in range(100):  # wait_for_function would need 'unsafe-eval', which the CSP forbids
        if all_images_drawn(page):
            break
        page.wait_for_timeout(100)
    assert all_images_drawn(page), "every chart's SVG loads and is drawn"
    assert all(images.nth(i).get_attribute("alt") for i in range(images.count()))

    page.evaluate("window.__noReload = true")
    page.get_by_label("Meetmoment").select_option(value=str(first.pk))
    expect(enthusiasm.first).to_contain_text("2,0")
    expect(page).to_have_url(re.compile(rf"meetmoment={first.pk}"))
    assert page.evaluate("window.__noReload === true"), "only the results were swapped"

    details = page.get_by_text("De cijfers van deze grafiek als tabel").first
    details.click()
    expect(page.locator("figure.result-chart table").first).to_be_visible()


def test_the_results_fit_a_phone(page, world, waves):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, world.users[Role.SCHOOLLEIDER])
    page.goto(f"/school/{world.home.pk}/barometer/resultaten/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    width = page.evaluate("document.querySelector('figure.result-chart img').getBoundingClientRect().width")
    assert 300 <= width <= 390
