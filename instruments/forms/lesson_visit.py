"""Forms of the lesson visit instrument. They parse; the services decide (who may plan what,
double bookings, the school of a person or a design). The one exception: the schedule form offers,
and accepts, only the lesson designs the view's selector found readable for this user."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import LessonVisit
from leerkracht import clock
from leerkracht.http import BoundedDateField

DEFAULT_MINUTES = 50
GROUPS_DATALIST = "visit-groups"


def _person_choices(people) -> list[tuple[str, str]]:
    return [("", _("Kies iemand"))] + [(str(p.pk), p.full_name or p.email) for p in people]


class WhenFields(forms.Form):
    """Date and time as people in the school say them (Europe/Amsterdam), and the duration."""

    starts_on = BoundedDateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Vul de datum in."), "invalid": _("Vul een datum in, zoals 24-11-2026.")},
    )
    starts_time = forms.TimeField(
        label=_("Begint om"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        error_messages={"required": _("Vul de begintijd in."), "invalid": _("Vul een tijd in, zoals 10:00.")},
    )
    minutes = forms.IntegerField(
        label=_("Duur in minuten"),
        initial=DEFAULT_MINUTES,
        widget=forms.NumberInput(attrs={"min": LessonVisit.MIN_MINUTES, "max": LessonVisit.MAX_MINUTES, "step": 5}),
        error_messages={"required": _("Vul de duur in minuten in."), "invalid": _("Vul een aantal minuten in.")},
    )
    room = forms.CharField(label=_("Lokaal"), max_length=40, required=False)

    def starts_at(self) -> dt.datetime:
        """The start as an aware instant: typed in Amsterdam time, stored in UTC."""
        return clock.instant(self.cleaned_data["starts_on"], self.cleaned_data["starts_time"])


class LessonVisitScheduleForm(WhenFields):
    """Plan a visit: who visits whom, when, with which group and focus."""

    field_order = [
        "visitor",
        "visited",
        "starts_on",
        "starts_time",
        "minutes",
        "group",
        "room",
        "focus",
        "lesson_design",
    ]

    visitor = forms.TypedChoiceField(
        label=_("Bezoeker"), coerce=int, error_messages={"required": _("Kies wie er komt kijken.")}
    )
    visited = forms.TypedChoiceField(
        label=_("Bezochte leraar"), coerce=int, error_messages={"required": _("Kies bij wie er gekeken wordt.")}
    )
    group = forms.CharField(
        label=_("Groep of klas"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"list": GROUPS_DATALIST, "autocomplete": "off"}),
    )
    focus = forms.CharField(
        label=_("Kijkvraag"),
        max_length=1000,
        required=False,
        help_text=_("Meestal: wat doet het samen ontworpen lesonderdeel met de leerlingen?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    lesson_design = forms.TypedChoiceField(label=_("Lesontwerp"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, people, designs, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _person_choices(people)
        self.fields["visitor"].choices = choices
        self.fields["visited"].choices = choices
        invalid = _("Kies iemand die op deze school werkt.")
        self.fields["visitor"].error_messages["invalid_choice"] = invalid
        self.fields["visited"].error_messages["invalid_choice"] = invalid
        # `designs` are the ones this user may read (`lesson_visit_designs`): any other id is
        # refused here, and a foreign, missing or unreadable design gets the same answer.
        self.fields["lesson_design"].choices = [("", _("Geen"))] + [(str(d.pk), d.title) for d in designs]
        self.fields["lesson_design"].error_messages["invalid_choice"] = _("Kies een lesontwerp van deze school.")

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "visitor_id": data["visitor"],
            "visited_id": data["visited"],
            "starts_at": self.starts_at(),
            "minutes": data["minutes"],
            "group_name": data["group"],
            "room": data["room"],
            "focus": data["focus"],
            "lesson_design_id": data["lesson_design"],
        }


class LessonVisitRescheduleForm(WhenFields):
    """Move a visit to another day, time or room."""

    def values(self) -> dict:
        return {
            "starts_at": self.starts_at(),
            "minutes": self.cleaned_data["minutes"],
            "room": self.cleaned_data["room"],
        }


class LessonVisitNotesForm(forms.Form):
    """What the visitor saw, and the debrief: what went well, what we learned, the next step."""

    observations = forms.CharField(
        label=_("Wat zag je bij de leerlingen?"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    went_well = forms.CharField(
        label=_("Wat ging goed?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    learned = forms.CharField(
        label=_("Wat hebben we geleerd?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(
        label=_("Wat is de volgende stap?"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
