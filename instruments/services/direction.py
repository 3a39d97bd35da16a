"""Writes on the school's direction: its ambition and its themes, set by the school leader.

Each service validates, then writes. The themes' rules (the period, at most two per school year)
are the model's (`Theme.clean`, which the Django admin asks too): asked here, never written again.

Concurrency: the ambition and a theme carry a `version`; an edit names the version it started
from. Someone else's save in between, with other values than the ones typed, writes nothing and
raises the core's `EditConflict` (both versions survive: the stored one here, the typed one in
the form). Every write first locks the school's row, so two people adding a theme at once cannot
both find room for a third, and two first ambitions cannot both be created.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.models import Ambition, Theme
from leerkracht import clock
from leerkracht.conflicts import EditConflict, differing
from schools.models import School, User

THEME_FIELDS = ("name", "school_year", "starts_on", "ends_on")


def _lock_school(school_id: int) -> None:
    # The school's row is the lock every write on its direction takes: it always exists, where
    # the ambition (the first one) and the themes of a school year (the first two) may not yet.
    list(School.objects.select_for_update().filter(pk=school_id).order_by().values_list("pk", flat=True))


def _saver(row) -> str:
    return row.updated_by.full_name if row.updated_by else ""


# --- The ambition ------------------------------------------------------------------------------


def ambition_text(text: str) -> str:
    """The ambition as it is stored: without surrounding white space, line breaks as one
    character each (a browser counts them so against the textarea's maximum, and posts two)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def ambition_set(*, school_id: int, user: User | None, text: str, version: int) -> Ambition:
    """Set the school's ambition, from the `version` the edit started from (0: there was none yet).
    Raises `EditConflict` when someone saved another text in between; the same text is no
    conflict and writes nothing."""
    text = ambition_text(text)
    if not text:
        raise ValidationError({"text": _("Schrijf de ambitie van de school op.")})
    if len(text) > Ambition.MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Een ambitie is hoogstens %(max)s tekens; deze tekst heeft er %(count)s. Maak hem korter.")
                % {"max": Ambition.MAX_LENGTH, "count": len(text)}
            }
        )
    _lock_school(school_id)
    ambition = Ambition.objects.select_related("updated_by").filter(school_id=school_id).first()
    stored_version = ambition.version if ambition else 0
    if version != stored_version and ambition is not None and ambition.text != text:
        raise EditConflict(
            version=stored_version,
            fields=differing({"text": ambition.text}, {"text": text}, {"text": _("ambitie")}),
            saved_by=_saver(ambition),
            saved_at=ambition.updated_at,
        )
    if ambition is None:
        return Ambition.objects.create(school_id=school_id, text=text, updated_by=user)
    if ambition.text != text:
        ambition.text, ambition.updated_by = text, user
        ambition.version += 1
        ambition.save(update_fields=["text", "version", "updated_by", "updated_at"])
    return ambition


# --- Themes ------------------------------------------------------------------------------------


def _validated(theme: Theme) -> None:
    """The theme's own rules (`Theme.clean`) and its fields', as field errors. Left out, as each
    would cost a query and prove nothing: the relations (the school is the one in hand, the user
    the one signed in), uniqueness (nothing is unique) and the check constraint (`clean` asks its
    rule itself, in words)."""
    theme.name = (theme.name or "").strip()
    if not theme.name:
        raise ValidationError({"name": _("Geef het thema een naam.")})
    theme.full_clean(exclude=["school", "updated_by"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def theme_add(
    *,
    school_id: int,
    user: User | None,
    name: str,
    school_year: int,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Theme:
    """Add a theme to a school year of the school: inside that year, and not a third one."""
    _lock_school(school_id)
    theme = Theme(
        school_id=school_id,
        name=name,
        school_year=school_year,
        starts_on=starts_on,
        ends_on=ends_on,
        updated_by=user,
        updated_at=timezone.now(),
    )
    _validated(theme)
    theme.save()
    return theme


@transaction.atomic
def theme_update(
    *,
    theme: Theme,
    user: User | None,
    version: int,
    name: str,
    school_year: int,
    starts_on: dt.date,
    ends_on: dt.date,
) -> Theme:
    """Change a theme, from the `version` the edit started from. Raises `EditConflict` when
    someone changed it to other values in between, and `Theme.DoesNotExist` when someone deleted
    it (the view says it is gone)."""
    _lock_school(theme.school_id)
    current = Theme.objects.select_related("updated_by").get(pk=theme.pk, school_id=theme.school_id)
    typed = {"name": (name or "").strip(), "school_year": school_year, "starts_on": starts_on, "ends_on": ends_on}
    if version != current.version:
        labels = {name: Theme._meta.get_field(name).verbose_name for name in THEME_FIELDS}
        labels["school_year"] = _("schooljaar")
        fields = differing(_readable({name: getattr(current, name) for name in THEME_FIELDS}), _readable(typed), labels)
        if fields:
            raise EditConflict(
                version=current.version, fields=fields, saved_by=_saver(current), saved_at=current.updated_at
            )
    if all(getattr(current, field) == value for field, value in typed.items()):
        return current
    for field, value in typed.items():
        setattr(current, field, value)
    _validated(current)
    current.version += 1
    current.updated_by, current.updated_at = user, timezone.now()
    current.save()
    return current


def _readable(values: dict) -> dict[str, str]:
    """A theme's values as the form shows them (a conflict compares and names them so)."""

    def day(value) -> str:
        return date_format(value, "j F Y") if value else ""

    return {
        "name": values["name"] or "",
        "school_year": clock.school_year_label(values["school_year"]) if values["school_year"] else "",
        "starts_on": day(values["starts_on"]),
        "ends_on": day(values["ends_on"]),
    }


@transaction.atomic
def theme_delete(*, theme: Theme) -> None:
    """Delete a theme; the goals that had it keep their place, without a theme. Raises
    `Theme.DoesNotExist` when someone deleted it already."""
    _lock_school(theme.school_id)
    deleted, _by_model = Theme.objects.filter(pk=theme.pk, school_id=theme.school_id).delete()
    if not deleted:
        raise Theme.DoesNotExist
