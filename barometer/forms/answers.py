"""The teacher's answer form: one field per question of the version, radio buttons for the
scales, a text area for open questions. Nothing is required here: saving for later takes any
part, and submitting checks required questions in the service (one rule, one place); the form
gives the Dutch message for a value that is not one of the options and keeps what was chosen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from barometer.models import Question, QuestionKind
from barometer.selectors.answers import sections_of
from barometer.services.answers import OPEN_TEXT_MAX, field_name


class AnswerForm(forms.Form):
    def __init__(self, *args, questions: list[Question], draft: dict[int, int | str] | None = None, **kwargs):
        kwargs.setdefault("auto_id", "antwoord-%s")
        if draft:
            kwargs.setdefault("initial", {f"q{question_id}": str(value) for question_id, value in draft.items()})
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            if question.kind == QuestionKind.OPEN:
                field = forms.CharField(
                    max_length=OPEN_TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    error_messages={"max_length": _("Schrijf hoogstens %(limit_value)d tekens.")},
                )
            else:
                field = forms.ChoiceField(
                    choices=[(str(value), label) for value, label in question.options],
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": _("Kies een van de antwoorden.")},
                )
            field.required = False
            field.label = question.text
            field.help_text = question.help_text
            self.fields[field_name(question)] = field

    def answers(self) -> dict[int, str]:
        """What was chosen or typed per question id (empty strings for nothing)."""
        return {question.pk: self.cleaned_data.get(field_name(question)) or "" for question in self.questions}

    def sections(self):
        """(section, [(question, bound field)]) in the order of the questionnaire, for the page."""
        return [
            (group.section, [(question, self[field_name(question)]) for question in group.questions])
            for group in sections_of(self.questions)
        ]
