"""Fixtures shared by the tests of a feedback round: the teacher who owns it, the home school's
group with the six criteria of test_feedback.py, and an open round. A test file that needs a
different round defines its own fixture of the same name."""

import pytest

from instruments.services import feedback as services
from instruments.tests.test_feedback import CRITERIA, open_round
from leerkracht.roles import Role


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def group(world):
    """The home school's group with six active criteria."""
    group = world.instruments[world.home.pk].group
    for text in CRITERIA:
        services.feedback_criterion_add(group=group, text=text)
    return group


@pytest.fixture
def feedback_round(world, teacher, group):
    return open_round(world, teacher, group)
