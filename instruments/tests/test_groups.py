import pytest
from django.core.exceptions import ValidationError

from instruments.services.groups import pupil_group_get_or_create
from leerkracht.tenancy import scopes_disabled
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_a_group_is_found_whatever_the_case_and_spacing():
    with scopes_disabled():
        school = SchoolFactory()
        first = pupil_group_get_or_create(school_id=school.pk, name="Groep 7")
        again = pupil_group_get_or_create(school_id=school.pk, name="  groep   7 ")
        assert again.pk == first.pk and again.name == "Groep 7"


def test_the_same_name_in_another_school_is_another_group():
    with scopes_disabled():
        one, other = SchoolFactory(), SchoolFactory()
        assert (
            pupil_group_get_or_create(school_id=one.pk, name="3havo-b").pk
            != pupil_group_get_or_create(school_id=other.pk, name="3havo-b").pk
        )


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_an_empty_or_too_long_name_is_refused_in_dutch(name):
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        pupil_group_get_or_create(school_id=SchoolFactory().pk, name=name)
    assert "groep" in str(refused.value).lower()
