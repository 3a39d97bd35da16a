"""Two schoolcoaches plan overlapping visits for the same teacher at the same moment: the row
locks make the second wait for the first and then see its visit, so exactly one is planned."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from instruments.models import LessonVisit
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import at, schedule
from leerkracht.roles import Role
from leerkracht.tenancy import scopes_disabled
from schools.tests.factories import SchoolMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db):
    import importlib

    from django.apps import apps

    from leerkracht.tests.world import build_world

    # The flush ending each transactional test removes the regions a data migration loads.
    importlib.import_module("schools.migrations.0002_regions").add_regions(apps, schema_editor=None)
    return build_world()


def test_two_simultaneous_plans_for_the_same_teacher_make_one_visit(world):
    coaches = [world.users[Role.SCHOOLCOACH], SchoolMembershipFactory(school=world.home, role=Role.SCHOOLCOACH).user]
    visited = member(world.home_team, first_name="Jan", last_name="de Vries")
    visitors = [member(world.home_team), member(world.home_team)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def plan(n: int) -> None:
        try:
            with scopes_disabled():
                start.wait()
                schedule(by=coaches[n], visitor=visitors[n], visited=visited, starts_at=at(7, 10, 10 * n))
            outcomes.append("planned")
        except ValidationError as refused:
            outcomes.append(" ".join(refused.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=plan, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "planned" and "Jan de Vries heeft op" in sorted(outcomes)[0]
    assert LessonVisit.objects.filter(visited=visited).count() == 1
