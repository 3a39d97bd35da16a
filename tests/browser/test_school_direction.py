"""The school leader sets the school's direction on a phone, in chromium: the ambition saved in
place, a theme added, refused (what was typed stays) and deleted after the question in its
place, all by htmx swaps without leaving the page; a theme another tab deleted meanwhile says so
in place (a 404 the page draws itself, which app.js swaps in) with the typed name waiting in the
add form. Nothing is wider than the screen and axe-core finds no violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from instruments.models import Ambition, Theme
from instruments.services import direction as services
from leerkracht import clock
from leerkracht.roles import Role
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted
from tests.browser.test_accessibility import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def phone_tab(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam", viewport=PHONE
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_init_script(path=str(AXE))
    return context.new_page()


def fits_the_screen(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_leader_sets_ambition_and_themes_in_place_on_a_phone(browser, live_server, world):
    school, leader = world.home, world.users[Role.SCHOOLLEIDER]
    tab = phone_tab(browser, live_server)
    log_in(tab, leader)
    tab.goto(f"/school/{school.pk}/")
    tab.get_by_role("link", name="Ambitie en thema's").click()
    expect(tab.get_by_role("heading", level=1, name="Ambitie en thema's")).to_be_visible()
    page_url = tab.url
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []

    tab.get_by_label("Ambitie van de school").fill("Al onze leerlingen lezen met plezier.")
    tab.get_by_role("button", name="Ambitie opslaan").click()
    expect(tab.get_by_text("De ambitie is opgeslagen.")).to_be_visible()
    assert tab.url == page_url, "swapped in place"
    assert Ambition.objects.get(school=school).text == "Al onze leerlingen lezen met plezier."

    # A theme that ends before it starts is refused; what was typed stays.
    year = clock.school_year()
    tab.get_by_label("Naam van het thema").fill("Rekenen")
    tab.get_by_label("Eerste dag").fill(f"{year}-11-01")
    tab.get_by_label("Laatste dag").fill(f"{year}-10-01")
    tab.get_by_role("button", name="Thema toevoegen").click()
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_contain_text("De laatste dag ligt vóór de eerste dag.")
    expect(summary).to_be_focused()
    expect(tab.get_by_label("Naam van het thema")).to_have_value("Rekenen")
    assert tab.evaluate(RUN_AXE) == []

    tab.get_by_label("Laatste dag").fill(f"{year}-12-19")
    tab.get_by_role("button", name="Thema toevoegen").click()
    expect(tab.get_by_text("Het thema ‘Rekenen’ is toegevoegd.")).to_be_visible()
    theme = Theme.objects.get(school=school, name="Rekenen")
    row = tab.locator(f"#theme-{theme.pk}")
    expect(row).to_contain_text(f"1 november {year} t/m 19 december {year}")
    assert fits_the_screen(tab)
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "ambition_phone.png")

    # Deleting asks first, in the theme's place; the answer takes focus.
    row.get_by_role("link", name="Verwijderen").click()
    yes = tab.locator(f"#theme-{theme.pk}").get_by_role("button", name="Ja, verwijderen")
    expect(yes).to_be_focused()
    assert tab.evaluate(RUN_AXE) == []
    yes.click()
    expect(tab.get_by_text("Het thema ‘Rekenen’ is verwijderd.")).to_be_visible()
    expect(tab.locator(f"#theme-{theme.pk}")).to_have_count(0)
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert tab.url == page_url
    if screenshots_wanted():
        tab.set_viewport_size({"width": 1440, "height": 900})
        save_screenshot(tab, SCREENSHOT_DIR / "ambition_desktop.png")


def test_a_theme_deleted_in_another_tab_says_so_in_place_and_keeps_what_was_typed(browser, live_server, world):
    school, leader = world.home, world.users[Role.SCHOOLLEIDER]
    theme = world.instruments[school.pk].theme
    tab = phone_tab(browser, live_server)
    log_in(tab, leader)
    tab.goto(f"/school/{school.pk}/ambitie/")
    tab.locator(f"#theme-{theme.pk}").get_by_role("link", name="Bewerken").click()
    name = tab.locator(f"#theme-{theme.pk}-name")
    expect(name).to_be_focused()
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "ambition_edit_phone.png")
    name.fill("Technisch lezen")

    services.theme_delete(theme=theme)  # the other tab
    tab.get_by_role("button", name="Thema opslaan").click()
    gone = tab.locator("[data-conflict]")
    expect(gone).to_contain_text("Dit thema bestaat niet meer")
    expect(gone).to_be_focused()
    expect(tab.get_by_label("Naam van het thema")).to_have_value("Technisch lezen")
    expect(tab.locator(f"#theme-{theme.pk}")).to_have_count(0)
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "ambition_gone_phone.png")
    assert not Theme.objects.filter(school=school, school_year=clock.school_year()).exists()
    # The page stayed: swapped in place, not the bare 404 page.
    expect(tab.get_by_role("heading", level=1, name="Ambitie en thema's")).to_be_visible()
