"""Logging in through the real login page in chromium, on the seeded demo data."""

import importlib
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from leerkracht.auth_views import LoginForm
from schools.models import TeamMembership

# Transactional: the live server answers from another thread, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEACHER = "leraar@demo.leerkracht.test"
PASSWORD = "demo-leerkracht"

# Labels as Django renders them may carry a suffix ("Wachtwoord:"); anchor at the start so that,
# say, a "Wachtwoord vergeten?" link or a "Toon wachtwoord" button is never taken for the field.
EMAIL_LABEL = re.compile(r"^\s*E-mailadres")
PASSWORD_LABEL = re.compile(r"^\s*Wachtwoord(?!\s*vergeten)")

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture
def demo_data():
    # seed_demo builds on the regions a data migration loads. The flush that ends every
    # transactional test (an earlier one in the run, say) empties the tables, so put them back
    # the way the migration does (idempotent). Serialized rollback is no way out: the flush
    # also recreates content types, which then clash with the serialized ones.
    regions = importlib.import_module("schools.migrations.0002_regions")
    regions.add_regions(apps, schema_editor=None)
    call_command("seed_demo", schools=3, stdout=io.StringIO())


def log_in(page, live_server, *, email: str, password: str) -> None:
    page.goto(live_server.url + "/inloggen/")
    page.get_by_label(EMAIL_LABEL).fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_teacher_logs_in_and_lands_on_their_week(page, live_server, demo_data, screenshot):
    team = TeamMembership.unscoped.select_related("team").get(user__email=TEACHER).team

    log_in(page, live_server, email=TEACHER, password=PASSWORD)

    expect(page).to_have_url(re.compile(r"/school/\d+/mijn-week/$"))
    assert page.url == f"{live_server.url}/school/{team.school_id}/mijn-week/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn week")

    screenshot("landing-teacher-phone", **PHONE)
    screenshot("landing-teacher-desktop", **DESKTOP)


def test_wrong_password_shows_an_error_and_keeps_the_email(page, live_server, demo_data):
    with translation.override("nl"):
        message = str(LoginForm.error_messages["invalid_login"])

    log_in(page, live_server, email=TEACHER, password="not-the-demo-password")

    expect(page).to_have_url(re.compile(r"/inloggen/"))
    expect(page.get_by_text(message).first).to_be_visible()
    expect(page.get_by_label(EMAIL_LABEL)).to_have_value(TEACHER)
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
