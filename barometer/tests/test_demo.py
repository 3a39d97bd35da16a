"""The demo barometer: closed waves answered through the services, with results to show."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from barometer.models import Invitation, PendingResponse, Response, Wave, WaveSchool
from schools.demo import DEMO_SCHOOLLEIDER
from schools.models import SchoolMembership, User

pytestmark = pytest.mark.django_db


def test_seed_demo_barometer_runs_closed_waves_with_results_and_is_idempotent(client):
    call_command("seed_demo", schools=3, stdout=io.StringIO())
    call_command("seed_demo_barometer", stdout=io.StringIO())
    waves = Wave.objects.order_by("pk")
    assert [w.name for w in waves] == ["Barometer najaar 2025", "Cultuursurvey voorjaar 2026", "Barometer najaar 2026"]
    assert set(WaveSchool.unscoped.values_list("status", flat=True)) == {"closed"}
    answered = Invitation.unscoped.filter(answered_at__isnull=False).count()
    assert answered == Response.unscoped.count() > 0
    assert not PendingResponse.unscoped.exists(), "the closed moments' answers are all in the answer tables"
    assert not Invitation.unscoped.exclude(draft_sealed="").exists()
    call_command("seed_demo_barometer", stdout=io.StringIO())
    assert Wave.objects.count() == 3 and Response.unscoped.count() == answered

    leader = User.objects.get(email=DEMO_SCHOOLLEIDER.email)
    school_id = SchoolMembership.unscoped.filter(user=leader).values_list("school_id", flat=True).first()
    client.force_login(leader)
    page = client.get(reverse("barometer:school_results", kwargs={"school_id": school_id})).content.decode()
    assert "Barometer najaar 2026" in page and "Effecttrap" in page
