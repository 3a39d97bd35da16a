"""Forms of feedback (stem van de leerling): a class's criteria, opening a round, a pupil's answer and a pupil
group's input. The services check everything again; these give the Dutch message per field and
keep what was typed or chosen."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruments.forms.board import WeekField
from instruments.models import FeedbackQuestion, QuestionKind, RoundStatement
from instruments.services.feedback import MAX_QUESTIONS, QuestionSpec
from leerkracht import clock

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class CriterionForm(forms.Form):
    text = forms.CharField(
        label=_("Uitspraak"),
        max_length=160,
        help_text=_("Positief en in de woorden van de klas, bijvoorbeeld: Ik wist wat ik moest doen."),
        error_messages={
            "required": _("Schrijf de uitspraak op."),
            "max_length": _("Een uitspraak is hoogstens 160 tekens."),
        },
    )
    # The version of the words this edit started from (absent when adding a statement).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class GroupOpenForm(forms.Form):
    group = forms.CharField(
        label=_("Groep of klas"),
        max_length=60,
        error_messages={"required": _("Vul de groep of klas in.")},
        widget=forms.TextInput(attrs={"list": "group-names", "autocomplete": "off"}),
    )


def default_closes_at() -> str:
    """An hour from now, as a datetime-local value in Europe/Amsterdam."""
    return timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime(DATETIME_LOCAL)


QUESTION_KIND_CHOICES = [("", _("Geen vraag")), *QuestionKind.choices]


class RoundForm(forms.Form):
    group = forms.CharField(
        label=_("Groep of klas"),
        max_length=60,
        error_messages={"required": _("Vul de groep of klas in.")},
        widget=forms.TextInput(attrs={"list": "group-names", "autocomplete": "off"}),
    )
    title = forms.CharField(
        label=_("Les of onderwerp"),
        max_length=120,
        error_messages={"required": _("Geef de les of het onderwerp een naam.")},
    )
    lesson_design = forms.TypedChoiceField(
        label=_("Lesontwerp (mag leeg)"), required=False, coerce=int, empty_value=None
    )
    closes_at = forms.DateTimeField(
        label=_("Sluit om"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        error_messages={"required": _("Kies wanneer de ronde sluit."), "invalid": _("Kies een datum en tijd.")},
    )
    max_tops = forms.TypedChoiceField(
        label=_("Hoeveel tops mag een leerling kiezen?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        initial=3,
    )

    def __init__(self, *args, designs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson_design"].choices = [("", _("Geen"))] + [(d.pk, str(d.title)) for d in designs]
        if not self.is_bound:
            self.initial.setdefault("closes_at", default_closes_at())
        for n in range(1, MAX_QUESTIONS + 1):
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                label=_("Soort vraag %(n)s") % {"n": n}, choices=QUESTION_KIND_CHOICES, required=False
            )
            self.fields[f"q{n}_text"] = forms.CharField(
                label=_("Vraag %(n)s") % {"n": n},
                max_length=200,
                required=False,
                error_messages={"max_length": _("Een vraag is hoogstens 200 tekens.")},
            )
            self.fields[f"q{n}_choices"] = forms.CharField(
                label=_("Antwoorden bij meerkeuze (één per regel, 2 tot 6)"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def question_rows(self):
        """(kind, text, choices) bound fields per question slot, for the template."""
        return [(n, self[f"q{n}_kind"], self[f"q{n}_text"], self[f"q{n}_choices"]) for n in range(1, MAX_QUESTIONS + 1)]

    def clean(self):
        cleaned = super().clean()
        for n in range(1, MAX_QUESTIONS + 1):
            kind, text = cleaned.get(f"q{n}_kind"), (cleaned.get(f"q{n}_text") or "").strip()
            choices = [c.strip() for c in (cleaned.get(f"q{n}_choices") or "").splitlines() if c.strip()]
            if kind and not text:
                self.add_error(f"q{n}_text", _("Schrijf de vraag op, of kies 'Geen vraag'."))
            if text and not kind:
                self.add_error(f"q{n}_kind", _("Kies de soort vraag."))
            if kind == QuestionKind.CHOICE and text and not 2 <= len(set(choices)) <= 6:
                self.add_error(f"q{n}_choices", _("Geef 2 tot 6 verschillende antwoorden, één per regel."))
        return cleaned

    def questions(self) -> list[QuestionSpec]:
        specs = []
        for n in range(1, MAX_QUESTIONS + 1):
            kind, text = self.cleaned_data.get(f"q{n}_kind"), self.cleaned_data.get(f"q{n}_text") or ""
            if kind and text.strip():
                choices = (self.cleaned_data.get(f"q{n}_choices") or "").splitlines()
                specs.append(QuestionSpec(kind=kind, text=text, choices=tuple(choices)))
        return specs


class AnswerForm(forms.Form):
    """One pupil's answer: tops (checkboxes), one tip (radio) and the round's questions."""

    def __init__(
        self, *args, feedback_round, statements: list[RoundStatement], questions: list[FeedbackQuestion], **kwargs
    ):
        kwargs.setdefault("auto_id", "antwoord-%s")
        super().__init__(*args, **kwargs)
        self.feedback_round = feedback_round
        choices = [(str(s.pk), s.text) for s in statements]
        n = feedback_round.max_tops
        self.fields["tops"] = forms.MultipleChoiceField(
            label=_("Tops: wat ging goed?"),
            help_text=_("Kies er 1") if n == 1 else _("Kies 1 tot %(n)s uitspraken") % {"n": n},
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Kies minstens één top: wat ging er goed?"),
                "invalid_choice": _("Kies je tops uit de uitspraken hierboven."),
            },
        )
        self.fields["tip"] = forms.ChoiceField(
            label=_("Tip: wat kan beter?"),
            help_text=_("Kies er precies één"),
            choices=choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Kies één tip: wat kan de volgende keer beter?"),
                "invalid_choice": _("Kies je tip uit de uitspraken hierboven."),
            },
        )
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            if question.kind == QuestionKind.RATING:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    help_text=_("1 = helemaal niet, 5 = helemaal wel"),
                    choices=[(str(v), str(v)) for v in range(1, 6)],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "pupil-rating"}),
                    error_messages={"invalid_choice": _("Kies een cijfer van 1 tot 5.")},
                )
            elif question.kind == QuestionKind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    choices=[(c, c) for c in question.choices],
                    required=False,
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": _("Kies een van de antwoorden.")},
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    max_length=280,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={"max_length": _("Schrijf hoogstens 280 tekens.")},
                )

    def clean_tops(self):
        tops = self.cleaned_data["tops"]
        n = self.feedback_round.max_tops
        if len(tops) > n:
            raise forms.ValidationError(_("Kies hoogstens %(n)s tops.") % {"n": n})
        return [int(t) for t in tops]

    def clean(self):
        cleaned = super().clean()
        tip, tops = cleaned.get("tip"), cleaned.get("tops") or []
        if tip and int(tip) in tops:
            self.add_error("tip", _("Kies als tip een andere uitspraak dan je tops."))
        return cleaned

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]


class PupilInputForm(forms.Form):
    group = forms.CharField(
        label=_("Leerlingengroep of klas (mag leeg)"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"list": "group-names", "autocomplete": "off"}),
    )
    week = WeekField(label=_("Week"), error_messages={"required": _("Kies de week van het gesprek.")})
    pupils = forms.IntegerField(
        label=_("Aantal leerlingen"),
        min_value=1,
        max_value=40,
        error_messages={
            "required": _("Vul in met hoeveel leerlingen je sprak."),
            "invalid": _("Vul een aantal in, bijvoorbeeld 4."),
            "min_value": _("Vul het aantal leerlingen in (1 tot 40)."),
            "max_value": _("Vul het aantal leerlingen in (1 tot 40)."),
        },
    )
    what_helps = forms.CharField(
        label=_("Wat helpt de leerlingen?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Schrijf hoogstens 2000 tekens.")},
    )
    suggestions = forms.CharField(
        label=_("Ideeën van de leerlingen"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Schrijf op wat de leerlingen voorstelden."),
            "max_length": _("Schrijf hoogstens 2000 tekens."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("week", clock.this_week())
        # A talk with pupils is recent: the last eight weeks (a cycle's longest) up to this one.
        self.fields["week"].offer(
            lambda: clock.weeks_between(clock.this_week() - dt.timedelta(weeks=7), clock.this_week())
        )
