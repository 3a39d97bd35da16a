"""Forms of the questionnaire editor. They parse what was typed; the services check the rules
(codes, the one draft, a published version never changing) and their messages land on these
forms through `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from barometer.models import QuestionKind, QuestionnaireKind


def _text(max_length: int, *, rows: int | None = None, **kwargs) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput(attrs={"autocomplete": "off"})
    return forms.CharField(max_length=max_length, widget=widget, **kwargs)


class QuestionnaireForm(forms.Form):
    title = _text(160, label=_("Titel"), error_messages={"required": _("Geef de vragenlijst een titel.")})
    slug = _text(
        60,
        label=_("Code"),
        help_text=_("Kleine letters, cijfers en streepjes, bijvoorbeeld impact-barometer. Verandert niet meer."),
        error_messages={"required": _("Geef de vragenlijst een code, bijvoorbeeld impact-barometer.")},
    )
    kind = forms.ChoiceField(
        label=_("Soort"),
        choices=QuestionnaireKind.choices,
        error_messages={"required": _("Kies de soort vragenlijst."), "invalid_choice": _("Kies de soort vragenlijst.")},
    )
    description = _text(2000, rows=3, required=False, label=_("Toelichting voor beheerders"))


class IntroForm(forms.Form):
    intro = _text(
        2000,
        rows=4,
        required=False,
        label=_("Inleiding voor de leraar"),
        help_text=_("Staat boven de vragen: waarom we het vragen en dat antwoorden anoniem zijn."),
    )


class SectionForm(forms.Form):
    title = _text(
        160, label=_("Titel van het onderdeel"), error_messages={"required": _("Geef het onderdeel een titel.")}
    )
    component = _text(
        60,
        required=False,
        label=_("Onderdeelcode"),
        help_text=_(
            "Wat dit onderdeel meet, voor de resultaten: een trede van de effecttrap (implementation, enthusiasm, …) "
            "of een onderdeel van de leercultuur (feedback_culture, …)."
        ),
    )

    def __init__(self, *args, prefix_id: str = "section", **kwargs):
        super().__init__(*args, auto_id=f"{prefix_id}-%s", **kwargs)
        self.fields["component"].widget.attrs["list"] = "components"


class QuestionForm(forms.Form):
    text = _text(300, label=_("Vraag"), error_messages={"required": _("Schrijf de vraag op.")})
    kind = forms.ChoiceField(
        label=_("Soort vraag"),
        choices=QuestionKind.choices,
        error_messages={"required": _("Kies een soort vraag."), "invalid_choice": _("Kies een soort vraag.")},
    )
    code = _text(
        60,
        label=_("Itemcode"),
        help_text=_("De vaste naam van het item over versies heen, bijvoorbeeld helps_results."),
        error_messages={"required": _("Geef de vraag een itemcode, bijvoorbeeld helps_results.")},
    )
    help_text = _text(300, required=False, label=_("Toelichting bij de vraag"))
    required = forms.BooleanField(label=_("Verplicht"), required=False, initial=True)
    section = forms.TypedChoiceField(
        label=_("Onderdeel"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Kies een onderdeel van deze versie.")},
    )

    def __init__(self, *args, sections=(), prefix_id: str = "question", **kwargs):
        super().__init__(*args, auto_id=f"{prefix_id}-%s", **kwargs)
        self.fields["section"].choices = [(s.pk, s.title) for s in sections]
        if len(sections) < 2:
            del self.fields["section"]

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("code", "kind", "text", "help_text", "required")}
