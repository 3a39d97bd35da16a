"""Pupil groups: shared by lesson designs, lesson visits and feedback rounds. People type a
group's name (groep 7, 3havo-b); the first use makes it, later uses find it whatever the case."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from instruments.models import PupilGroup


def pupil_group_get_or_create(*, school_id: int, name: str, team_id: int | None = None) -> PupilGroup:
    """The school's group called `name` (case and surrounding spaces ignored), made on first use."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"group": _("Vul de groep of klas in.")})
    if len(name) > PupilGroup._meta.get_field("name").max_length:
        raise ValidationError({"group": _("Een groepsnaam is hoogstens 60 tekens.")})
    existing = PupilGroup.objects.filter(school_id=school_id, name__iexact=name).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return PupilGroup.objects.create(school_id=school_id, name=name, team_id=team_id)
    except IntegrityError:
        # A colleague made the same group a moment ago.
        return PupilGroup.objects.get(school_id=school_id, name__iexact=name)
