"""Forms of the school's direction: its ambition and a theme. They read what was sent; the rules
(the ambition's length, a theme's period, at most two themes a school year) are the services'
and the model's, whose refusals the views put on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import Ambition, Theme
from leerkracht import clock
from leerkracht.http import BoundedDateField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AmbitionForm(forms.Form):
    # No max_length here: the service counts the characters the way the browser's maxlength does
    # (a line break is one), and says how many there are.
    text = forms.CharField(
        label=_("Ambitie van de school"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": Ambition.MAX_LENGTH}),
        error_messages={"required": _("Schrijf de ambitie van de school op.")},
    )
    # The version the text was read at: 0 while the school has no ambition yet. A form sent
    # without it is refused by the view, at the top of the form (a hidden field has no place).
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "Waar werkt de school de komende jaren naartoe? Teams leiden hun doelen hiervan af. "
            "Hoogstens %(max)s tekens."
        ) % {"max": Ambition.MAX_LENGTH}


class ThemeForm(forms.Form):
    """A theme: its name, its school year (this one or the next; a theme kept from an earlier
    year offers its own too) and its first and last day."""

    name = forms.CharField(
        label=_("Naam van het thema"),
        max_length=Theme._meta.get_field("name").max_length,
        help_text=_("Bijvoorbeeld: rekenen, begrijpend lezen."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Geef het thema een naam."),
            "max_length": _("Een thema heeft een naam van hoogstens %(limit_value)d tekens."),
        },
    )
    school_year = forms.TypedChoiceField(
        label=_("Schooljaar"),
        coerce=int,
        error_messages={
            "required": _("Kies het schooljaar."),
            "invalid_choice": _("Kies een van de schooljaren uit de lijst."),
        },
    )
    starts_on = BoundedDateField(
        label=_("Eerste dag"),
        widget=DateInput,
        error_messages={"required": _("Kies de eerste dag van het thema."), "invalid": _("Vul een datum in.")},
    )
    ends_on = BoundedDateField(
        label=_("Laatste dag"),
        widget=DateInput,
        error_messages={"required": _("Kies de laatste dag van het thema."), "invalid": _("Vul een datum in.")},
    )
    # The version of the theme this edit started from (absent when adding one).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = [(year, clock.school_year_label(year)) for year in years]
        first, last = clock.school_year_days(min(years))[0], clock.school_year_days(max(years))[1]
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget.attrs.update({"min": first.isoformat(), "max": last.isoformat()})

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "school_year", "starts_on", "ends_on")}
