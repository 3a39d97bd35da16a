"""Forms of the lesson design. Choices (teams, goals, colleagues) come from the view's selectors,
so nothing here queries a tenant model; the services check the same rules again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import DesignStatus, GoalReached, LessonDesign
from instruments.services.lesson_design import CONTENT_FIELDS
from leerkracht.http import MAX_ID

CHOOSE_COLLEAGUE = _("Kies alleen collega's van deze school als auteur.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _text(max_length: int, *, rows: int | None = None, attrs=None, **kwargs) -> forms.CharField:
    attrs = {"rows": rows} if rows else {"autocomplete": "off", **(attrs or {})}
    widget = forms.Textarea(attrs=attrs) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(max_length=max_length, widget=widget, **kwargs)


class LessonDesignForm(forms.Form):
    """Make or edit a design. `team` is asked only when making one and there is a choice."""

    team = forms.TypedChoiceField(
        label=_("Team"), coerce=int, error_messages={"invalid_choice": _("Kies een van je teams.")}
    )
    title = _text(120, label=_("Titel"), error_messages={"required": _("Geef het lesontwerp een titel.")})
    subject = _text(
        80,
        label=_("Vak of leergebied"),
        error_messages={"required": _("Vul het vak of leergebied in.")},
    )
    group = _text(
        60,
        attrs={"list": "pupil-groups"},
        label=_("Groep of klas"),
        help_text=_("Bijvoorbeeld groep 7 of 3havo-b. Kies een bestaande groep of typ een nieuwe."),
        error_messages={"required": _("Vul de groep of klas in.")},
    )
    planned_on = forms.DateField(
        label=_("Geplande datum"),
        required=False,
        widget=DateInput,
        error_messages={"invalid": _("Vul een datum in, bijvoorbeeld 24-11-2026.")},
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d-%m-%y"],
    )
    lesson_goal = _text(
        1000,
        rows=3,
        label=_("Lesdoel"),
        help_text=_("Wat kunnen de leerlingen aan het eind van de les?"),
        error_messages={"required": _("Schrijf op wat de leerlingen aan het eind van de les kunnen: het lesdoel.")},
    )
    success_criteria = _text(
        2000,
        rows=3,
        required=False,
        label=_("Succescriteria"),
        help_text=_("Waaraan zien de leerlingen zelf dat ze het kunnen? Eén criterium per regel."),
    )
    checks = _text(
        2000,
        rows=3,
        required=False,
        label=_("Zo checken we tijdens de les"),
        help_text=_("De formatieve stappen: hoe zie je onderweg of de leerlingen er komen (wisbordjes, exit ticket)?"),
    )
    activities = _text(4000, rows=5, required=False, label=_("Activiteiten"))
    goal = forms.TypedChoiceField(
        label=_("Teamdoel"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Het doel op jullie verbeterbord (lopende cyclus) waar deze les aan bijdraagt."),
        error_messages={"invalid_choice": _("Kies een doel van het verbeterbord van jullie team.")},
    )
    techniques = _text(
        400,
        required=False,
        label=_("Technieken (doorloopjes)"),
        help_text=_(
            "Typ de namen of codes, gescheiden door komma's, bijvoorbeeld: wisbordjes, beurtstokjes. "
            "Later kies je ze uit de techniekenbibliotheek van de academie."
        ),
    )
    authors = forms.TypedMultipleChoiceField(
        label=_("Mede-auteurs"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": CHOOSE_COLLEAGUE},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, teams=(), goals=(), colleagues=(), always_author=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing or len(teams) < 2:
            # The owning team is chosen once, when the design is made.
            del self.fields["team"]
            self.single_team = teams[0] if (teams and not editing) else None
        else:
            self.fields["team"].choices = [(t.pk, t.name) for t in teams]
            self.single_team = None
        self.fields["goal"].choices = [("", _("geen teamdoel"))] + [
            (g.pk, f"{g.board.team.name}: {g.big_goal}" if len({x.board.team_id for x in goals}) > 1 else g.big_goal)
            for g in goals
        ]
        self.fields["authors"].choices = [
            (c.pk, c.full_name) for c in colleagues if c.pk != getattr(always_author, "pk", None)
        ]
        if always_author is not None:
            self.fields["authors"].help_text = _(
                "%(name)s is altijd auteur. Een ontwerp kan pas op ‘klaar’ met minstens %(min)s auteurs."
            ) % {"name": always_author.full_name, "min": LessonDesign.MIN_AUTHORS}
        if not editing:
            del self.fields["version"]

    def chosen_team(self, teams):
        """The owning team for a new design: the one chosen, or the only one there is."""
        if "team" in self.fields:
            return next((t for t in teams if t.pk == self.cleaned_data.get("team")), None)
        return self.single_team

    def values(self) -> dict:
        """The content fields as the services take them (goal still an id)."""
        data = self.cleaned_data
        return {name: data.get(name) for name in CONTENT_FIELDS}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=DesignStatus.choices)


class EvaluationForm(forms.Form):
    goal_reached = forms.ChoiceField(
        label=_("Hebben de leerlingen het lesdoel bereikt?"),
        choices=GoalReached.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies of de leerlingen het lesdoel bereikt hebben: ja, gedeeltelijk of nee."),
            "invalid_choice": _("Kies ja, gedeeltelijk of nee."),
        },
    )
    evaluation = forms.CharField(
        label=_("Wat zagen we bij de leerlingen?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_step = forms.CharField(
        label=_("Wat doen we nu?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Schrijf op wat jullie nu gaan doen.")},
    )


class TeamForm(forms.Form):
    """A team of the school (share, unshare, copy to)."""

    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        error_messages={
            "required": _("Kies een team."),
            "invalid_choice": _("Kies een team van deze school."),
        },
    )

    def __init__(self, *args, teams=(), label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        self.fields["team"].choices = [(t.pk, t.name) for t in self.teams]
        if label:
            self.fields["team"].label = label

    def chosen(self):
        return next((t for t in self.teams if t.pk == self.cleaned_data["team"]), None)


class LibraryForm(forms.Form):
    """The library's search and filters, read from the query string (never invalid: an unknown
    value just filters nothing)."""

    q = forms.CharField(required=False, max_length=100)
    vak = forms.CharField(required=False, max_length=80)
    groep = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    doel = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    techniek = forms.CharField(required=False, max_length=64)
    auteur = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(required=False, choices=[("", "")] + list(DesignStatus.choices))
    team = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    pagina = forms.IntegerField(required=False, min_value=1)

    def cleaned(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
