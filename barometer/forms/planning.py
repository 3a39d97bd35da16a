"""The form an admin plans (or changes) a wave with. It parses what was typed and turns it into
`WaveSettings`; the planning service checks the rules (a published version, a moment still to
come, the reminder inside the answer window, schools that take part) and its messages land here
through `add_service_errors`.

The answer window is typed the way people think of it: with one date for all schools, as the
date the questionnaire closes; after each school's startdag, as a number of days. Both become the
wave's `answer_days`."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barometer.models import QuestionnaireVersion, Wave, WaveTiming
from barometer.selectors.planning import WaveSelection, planning_regions, published_versions
from barometer.services.planning import WaveSettings
from leerkracht.http import BoundedDateField, BoundedModelMultipleChoiceField
from schools.models import Phase, School, Sector

BY_FILTERS = "kenmerken"
BY_LIST = "lijst"
PARTICIPATING = [(p.value, p.label) for p in (Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR)]
CODE = re.compile(r"^\d{2}[A-Z]{2}$")
NOT_PUBLISHED = gettext_lazy(
    "Kies een gepubliceerde versie van de vragenlijst: een concept kan nog veranderen, en antwoorden moeten "
    "altijd betekenen wat de vragen zeiden."
)


class VersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: QuestionnaireVersion) -> str:
        return _("%(title)s — versie %(number)s") % {"title": obj.questionnaire.title, "number": obj.number}


def _number(label, *, help_text="", **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": gettext_lazy("Vul een heel getal in.")},
        **kwargs,
    )


def _date(label, *, help_text="") -> forms.DateField:
    return BoundedDateField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        error_messages={"invalid": gettext_lazy("Vul een datum in, bijvoorbeeld 8-3-2027.")},
    )


class WaveForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Naam"),
        max_length=160,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Zoals beheerders het meetmoment herkennen, bijvoorbeeld ‘Zes maanden na de start’."),
        error_messages={
            "required": gettext_lazy("Geef het meetmoment een naam, bijvoorbeeld ‘Zes maanden na de start’.")
        },
    )
    version = VersionField(
        label=gettext_lazy("Vragenlijst"),
        queryset=QuestionnaireVersion.objects.none(),
        empty_label=gettext_lazy("Kies een vragenlijst"),
        help_text=gettext_lazy("Alleen gepubliceerde versies: die veranderen niet meer."),
        error_messages={"required": NOT_PUBLISHED, "invalid_choice": NOT_PUBLISHED},
    )
    timing = forms.ChoiceField(
        label=gettext_lazy("Wanneer opent de vragenlijst?"),
        choices=WaveTiming.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Kies wanneer de vragenlijst opent."),
            "invalid_choice": gettext_lazy("Kies wanneer de vragenlijst opent."),
        },
    )
    months_after_start = _number(
        gettext_lazy("Maanden na de startdag"),
        help_text=gettext_lazy("Bij ‘na de startdag’: bijvoorbeeld 6 voor een half jaar na de start."),
    )
    fixed_date = _date(gettext_lazy("Opent op"), help_text=gettext_lazy("Bij ‘op één datum’."))
    open_time = forms.TimeField(
        label=gettext_lazy("Opent om"),
        initial=dt.time(7, 30),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Nederlandse tijd."),
        error_messages={
            "required": gettext_lazy("Vul in hoe laat de vragenlijst opent, bijvoorbeeld 07:30."),
            "invalid": gettext_lazy("Vul een tijd in, bijvoorbeeld 07:30."),
        },
    )
    closes_on = _date(
        gettext_lazy("Sluit op"),
        help_text=gettext_lazy("Bij ‘op één datum’: de dag waarop de vragenlijst sluit, op hetzelfde uur."),
    )
    answer_days = _number(
        gettext_lazy("Dagen om te antwoorden"),
        help_text=gettext_lazy("Bij ‘na de startdag’: hoe lang elke school de vragenlijst open heeft."),
        min_value=-1000,
        max_value=1000,
    )
    reminder_days = _number(
        gettext_lazy("Herinnering na … dagen"),
        help_text=gettext_lazy("Wie dan nog niet antwoordde, krijgt één herinnering."),
        min_value=-1000,
        max_value=1000,
    )
    selection = forms.ChoiceField(
        label=gettext_lazy("Welke scholen?"),
        choices=[
            (BY_FILTERS, gettext_lazy("Alle deelnemende scholen, eventueel per sector, regio en fase")),
            (BY_LIST, gettext_lazy("Losse scholen, met hun schoolcode")),
        ],
        initial=BY_FILTERS,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Kies welke scholen meedoen.")},
    )
    sectors = forms.MultipleChoiceField(
        label=gettext_lazy("Sectoren"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Niets aangevinkt: alle sectoren."),
    )
    regions = BoundedModelMultipleChoiceField(
        label=gettext_lazy("Regio's"),
        queryset=planning_regions(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Niets aangevinkt: alle regio's."),
    )
    phases = forms.MultipleChoiceField(
        label=gettext_lazy("Fasen"),
        choices=PARTICIPATING,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Niets aangevinkt: jaar 1, jaar 2 en senior scholen."),
    )
    school_codes = forms.CharField(
        label=gettext_lazy("Schoolcodes"),
        required=False,
        max_length=30000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Bij ‘losse scholen’: de BRIN-codes, gescheiden door komma's of spaties, zoals 12AB, 34CD."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="wave-%s", **kwargs)
        self.fields["version"].queryset = published_versions()
        self.school_ids: tuple[int, ...] = ()

    def clean_school_codes(self) -> str:
        text = self.cleaned_data["school_codes"]
        if self.data.get("selection") != BY_LIST:
            return text
        codes = sorted({code for code in re.split(r"[\s,;]+", text.upper()) if code})
        if not codes:
            raise forms.ValidationError(_("Vul minstens één schoolcode in, bijvoorbeeld 12AB."))
        if malformed := [code for code in codes if not CODE.match(code)]:
            raise forms.ValidationError(
                _("Een schoolcode is twee cijfers en twee letters, zoals 12AB. Niet goed: %(codes)s.")
                % {"codes": ", ".join(malformed)}
            )
        found = dict(School.objects.filter(code__in=codes).values_list("code", "pk"))
        if unknown := [code for code in codes if code not in found]:
            raise forms.ValidationError(
                _("Deze schoolcodes kennen we niet: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        self.school_ids = tuple(sorted(found.values()))
        return text

    def clean(self):
        data = super().clean()
        timing = data.get("timing")
        if timing == WaveTiming.FIXED:
            opens, closes = data.get("fixed_date"), data.get("closes_on")
            if "fixed_date" not in self.errors and opens is None:
                self.add_error("fixed_date", _("Kies de datum waarop de vragenlijst opent."))
            if "closes_on" not in self.errors and closes is None:
                self.add_error("closes_on", _("Kies de datum waarop de vragenlijst sluit."))
            elif opens and closes and closes <= opens:
                self.add_error(
                    "closes_on",
                    _(
                        "De antwoordtermijn eindigt op %(closes)s, voordat hij begint op %(opens)s: kies een "
                        "sluitdatum na de openingsdatum."
                    )
                    % {"closes": formats.date_format(closes, "j F Y"), "opens": formats.date_format(opens, "j F Y")},
                )
            elif opens and closes:
                data["answer_days"] = (closes - opens).days
        elif timing == WaveTiming.RELATIVE:
            if "months_after_start" not in self.errors and data.get("months_after_start") is None:
                self.add_error("months_after_start", _("Vul in hoeveel maanden na de startdag de vragenlijst opent."))
            if "answer_days" not in self.errors and data.get("answer_days") is None:
                self.add_error("answer_days", _("Vul in hoeveel dagen de leraren hebben om te antwoorden."))
        if "reminder_days" not in self.errors and data.get("reminder_days") is None:
            self.add_error("reminder_days", _("Vul in na hoeveel dagen de herinnering gaat."))
        return data

    # --- What the service and the preview read ---

    def selection_value(self) -> WaveSelection | None:
        """The schools chosen (None when the list of codes is not valid yet)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("selection") == BY_LIST:
            return WaveSelection(school_ids=self.school_ids) if self.school_ids else None
        return WaveSelection(
            sectors=tuple(data.get("sectors") or ()),
            region_ids=tuple(sorted(region.pk for region in data.get("regions") or ())),
            phases=tuple(data.get("phases") or ()),
        )

    def timing_wave(self) -> Wave | None:
        """An unsaved wave carrying only the timing typed so far (for the preview), or None."""
        data = getattr(self, "cleaned_data", {})
        at = data.get("open_time") or dt.time(7, 30)
        if data.get("timing") == WaveTiming.RELATIVE and data.get("months_after_start"):
            return Wave(timing=WaveTiming.RELATIVE, months_after_start=data["months_after_start"], open_time=at)
        if data.get("timing") == WaveTiming.FIXED and data.get("fixed_date"):
            return Wave(timing=WaveTiming.FIXED, fixed_date=data["fixed_date"], open_time=at)
        return None

    def settings(self) -> WaveSettings:
        data = self.cleaned_data
        return WaveSettings(
            version=data["version"],
            name=data["name"],
            timing=data["timing"],
            months_after_start=data.get("months_after_start"),
            fixed_date=data.get("fixed_date"),
            open_time=data["open_time"],
            answer_days=data["answer_days"],
            reminder_days=data["reminder_days"],
            selection=self.selection_value(),
        )


def wave_initial(wave: Wave, selection: WaveSelection) -> dict:
    """The form's values for a saved wave."""
    fixed = wave.timing == WaveTiming.FIXED
    initial = {
        "name": wave.name,
        "version": wave.version_id,
        "timing": wave.timing,
        "months_after_start": wave.months_after_start,
        "fixed_date": wave.fixed_date,
        "open_time": wave.open_time,
        "closes_on": wave.fixed_date + dt.timedelta(days=wave.answer_days) if fixed else None,
        "answer_days": None if fixed else wave.answer_days,
        "reminder_days": wave.reminder_days,
        "selection": BY_LIST if selection.explicit else BY_FILTERS,
        "sectors": list(selection.sectors),
        "regions": list(selection.region_ids),
        "phases": list(selection.phases),
    }
    if selection.explicit:
        codes = School.objects.filter(pk__in=selection.school_ids).order_by("code").values_list("code", flat=True)
        initial["school_codes"] = ", ".join(codes)
    return initial
