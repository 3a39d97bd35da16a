"""A school leader imports the staff file in chromium: the preview explains the refused rows, the
import runs and reports its progress, and an invited teacher comes in from the e-mail's link,
chooses a password and lands on their team's board."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from leerkracht.roles import Role
from schools.models import StaffInvitation, User
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def staff_file(team: str) -> bytes:
    """30 teachers, two of whom the import must refuse (a role that does not exist; an address
    that is on the file twice)."""
    lines = ["e-mailadres;voornaam;achternaam;rol;team"]
    for n in range(28):
        lines.append(f"leraar{n}@nieuw.test;Leraar{n};Achternaam{n};leraar;{team}")
    lines.append(f"conciërge@nieuw.test;Cor;Conciërge;conciërge;{team}")
    lines.append(f"LERAAR3@nieuw.test;Dubbel;Drie;leraar;{team}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_a_leader_imports_30_teachers_and_one_comes_in_from_the_email(page, live_server, world, screenshot):
    leader = world.users[Role.SCHOOLLEIDER]
    school, team = world.home, world.home_team
    log_in(page, leader)

    # From the school overview to its people, and on to the import.
    page.goto(f"/school/{school.pk}/")
    page.get_by_role("link", name=re.compile("Mensen")).first.click()
    page.get_by_role("link", name="Importeren uit een bestand").click()
    page.get_by_label(re.compile(r"^\s*Bestand")).set_input_files(
        {"name": "personeel.csv", "mimeType": "text/csv", "buffer": staff_file(team.name)}
    )
    page.get_by_role("button", name="Bestand inlezen").click()

    # The preview: nothing written yet, two rows refused, each with its reason.
    expect(page.get_by_role("heading", name="Wat er gaat gebeuren")).to_be_visible()
    refused = page.locator("section[aria-labelledby=refused-title] tbody tr")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_contain_text("Onbekende rol ‘conciërge’")
    expect(refused.nth(1)).to_contain_text("staat ook op regel 5")
    assert not User.objects.filter(email__endswith="@nieuw.test").exists()
    screenshot("onboarding_preview_phone", **PHONE)

    page.get_by_role("button", name=re.compile("Importeren: 28 mensen")).click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("30 van 30 regels verwerkt")
    expect(progress.get_by_role("heading", name="Klaar")).to_be_visible()
    expect(progress).to_contain_text("28 nieuwe mensen uitgenodigd")
    expect(progress).to_contain_text("2 geweigerd")
    assert StaffInvitation.unscoped.filter(school=school, email__endswith="@nieuw.test").count() == 28
    screenshot("onboarding_done_phone", **PHONE)

    # One invited teacher opens the link in the captured e-mail, on their own device.
    [message] = [m for m in mail.outbox if m.to == ["leraar7@nieuw.test"]]
    link = re.search(r"https?://\S+(/uitnodiging/[0-9a-f]{64}/)", message.body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Welkom, Leraar7")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*Nieuw wachtwoord$")).fill("Tulpenveld-2026!")
    page.get_by_label(re.compile(r"^\s*Nieuw wachtwoord bevestigen")).fill("Tulpenveld-2026!")
    page.get_by_role("button", name="Wachtwoord opslaan en beginnen").click()

    # In, on the team's board.
    page.wait_for_url(re.compile(rf"/school/{school.pk}/borden/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(team.name)
    assert User.objects.get(email="leraar7@nieuw.test").has_usable_password()
    # The link was for one use.
    page.goto(link)
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
