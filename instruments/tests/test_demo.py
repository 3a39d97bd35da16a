"""The demo board: built through the services, once."""

import io

import pytest
from django.core.management import call_command

from instruments.models import Action, BoardEvent, BoardSession, ImprovementBoard, Measurement
from schools.demo import DEMO_LERAAR
from schools.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_boards_gives_the_demo_team_a_board_in_use_and_is_idempotent(client):
    call_command("seed_demo", schools=3, stdout=io.StringIO())
    call_command("seed_demo_boards", stdout=io.StringIO())
    board = ImprovementBoard.objects.get()
    counts = (
        Action.objects.filter(board=board).count(),
        Measurement.objects.filter(goal__board=board).count(),
        BoardSession.objects.filter(board=board, closed_at__isnull=False).count(),
        BoardEvent.objects.filter(board=board).count(),
    )
    assert counts[:3] == (5, 7, 3)
    call_command("seed_demo_boards", stdout=io.StringIO())
    assert ImprovementBoard.objects.count() == 1
    assert counts == (
        Action.objects.filter(board=board).count(),
        Measurement.objects.filter(goal__board=board).count(),
        BoardSession.objects.filter(board=board, closed_at__isnull=False).count(),
        BoardEvent.objects.filter(board=board).count(),
    )
    client.force_login(User.objects.get(email=DEMO_LERAAR.email))
    response = client.get(f"/school/{board.school_id}/borden/{board.pk}/")
    assert response.status_code == 200
    assert response.context["page"].rhythm.streak == 3
