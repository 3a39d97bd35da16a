"""Reads of pupil groups."""

from __future__ import annotations

from django.db.models import QuerySet

from instruments.models import PupilGroup


def pupil_groups(*, school_id: int) -> QuerySet[PupilGroup]:
    """The school's pupil groups by name (for a form's suggestions)."""
    return PupilGroup.objects.filter(school_id=school_id).order_by("name")
