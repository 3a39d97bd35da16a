"""Forms of the improvement board. Edit forms travel with the card's `version` and a hidden copy of
the values the person started from (the same form with prefix "base"): the service writes only
what this person changed and recognises a colleague's edit of the same field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from instruments.models import (
    Action,
    ActionStatus,
    Goal,
    GoalCycle,
    Measurement,
    Mood,
    Obstacle,
    Success,
    Theme,
)
from leerkracht import clock
from leerkracht.http import BoundedModelMultipleChoiceField

BASE_PREFIX = "base"


def week_choice_label(monday, *, this_week) -> str:
    """ "week 49 (1–5 dec)", and "deze week" after the current one."""
    label = clock.week_days_label(monday)
    return f"{label} · {_('deze week')}" if monday == this_week else label


def week_of(value):
    """The Monday of a stored date, or of what a form sent ("2026-W47", "2026-11-16")."""
    if hasattr(value, "isocalendar"):
        return clock.monday_of(value)
    return clock.parse_week(str(value)) if value else None


class WeekSelect(forms.Select):
    """A list of weeks (works in every browser, unlike the week input of Chromium). The weeks on offer
    come from the form (`weeks`, a callable so a cycle is only fetched when the list is shown);
    the week already chosen is always offered too, so an action whose due week lies outside the
    offer keeps it instead of losing it on the next save."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.weeks = list
        self.empty_label = None

    def format_value(self, value):
        monday = week_of(value)
        return [clock.week_input_value(monday) if monday else str(value or "")]

    def optgroups(self, name, value, attrs=None):
        self.choices = week_choices(self.weeks(), chosen=value[0] if value else None, empty_label=self.empty_label)
        return super().optgroups(name, value, attrs)


def week_choices(mondays, *, chosen=None, empty_label=None) -> list[tuple[str, str]]:
    """(value, label) of each week on offer, in order, with the chosen one added if it is not."""
    mondays = set(mondays)
    if (chosen := week_of(chosen)) is not None:
        mondays.add(chosen)
    this_week = clock.this_week()
    choices = [("", empty_label)] if empty_label is not None else []
    return choices + [(clock.week_input_value(m), week_choice_label(m, this_week=this_week)) for m in sorted(mondays)]


def measurement_weeks(cycle) -> list:
    """A measurement is for this week or one that is over: the cycle's weeks up to this one."""
    return clock.weeks_between(cycle.starts_on, clock.this_week())


class WeekField(forms.Field):
    """A week, cleaned to its Monday. Its list shows the weeks the form offers; what an older
    form sent ("2026-W47", or any date in that week) is read as well. Whether the week is allowed
    is the service's rule, which answers in words."""

    widget = WeekSelect
    default_error_messages = {"invalid": _("Kies een week, bijvoorbeeld week 47 van 2026.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        monday = week_of(value)
        if monday is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return monday

    def offer(self, weeks, *, empty_label=None) -> None:
        """The weeks to list (a callable returning Mondays), and the label of "no week"."""
        self.widget.weeks = weeks
        self.widget.empty_label = empty_label


class DutchDecimalField(forms.DecimalField):
    """A number typed the Dutch way (12,5) or the other (12.5)."""

    # A text input: a number input refuses the comma in some browsers and drops what was typed.
    widget = forms.TextInput
    default_error_messages = {"invalid": _("Vul een getal in, bijvoorbeeld 12 of 12,5.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace(",", ".")
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for key in ("step", "min", "max"):
            attrs.pop(key, None)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


class BoardFormMixin:
    """Restricts choices to this board: owners from the team, goals of the open cycle, themes of
    the school. Invalid choices are caught here and again by the services."""

    def __init__(self, *args, board=None, members=(), goals=(), themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        if "owners" in self.fields:
            self.fields["owners"].queryset = _users_in(members)
        if "goal" in self.fields:
            self.fields["goal"].queryset = Goal.unscoped.filter(pk__in=[g.pk for g in goals])
            self.fields["goal"].choices = [("", _("geen doel"))] + [(g.pk, g.big_goal) for g in goals]
        if "theme" in self.fields:
            self.fields["theme"].queryset = _themes_in(themes)
            self.fields["theme"].choices = [("", _("geen thema"))] + [(t.pk, t.name) for t in themes]
        if self.prefix == BASE_PREFIX:
            for field in self.fields.values():
                field.required = False

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


def _users_in(members):
    from schools.models import User

    return User.objects.filter(pk__in=[m.pk for m in members])


def _themes_in(themes):
    return Theme.unscoped.filter(pk__in=[t.pk for t in themes])


class OwnersField(BoundedModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_choice": _("Kies alleen mensen uit het team."),
        "invalid_pk_value": _("Kies alleen mensen uit het team."),
    }

    def label_from_instance(self, obj):
        return obj.full_name


class ActionForm(BoardFormMixin, forms.ModelForm):
    # Relation fields are declared here: a generated one would query its model's tenant manager
    # when this module is imported, outside any scope. BoardFormMixin sets the real choices.
    owners = OwnersField(queryset=None, required=False, label=_("wie"))
    goal = forms.ModelChoiceField(queryset=Goal.unscoped.none(), required=False, label=_("Hoort bij doel"))
    due_week = WeekField(required=False, label=_("klaar in week"))

    class Meta:
        model = Action
        fields = ["title", "owners", "due_week", "goal", "status"]
        labels = {"title": _("Wat gaan we doen?"), "goal": _("Hoort bij doel"), "status": _("Status")}
        error_messages = {"title": {"required": _("Schrijf op wat er gedaan wordt.")}}
        widgets = {"title": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, cycle=None, **kwargs):
        """`cycle`: the action's cycle (the open one for a new action), whose weeks are offered;
        it may be lazy, and is read only when the form is shown."""
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False
        self.fields["due_week"].offer(
            lambda: clock.weeks_between(cycle.starts_on, cycle.last_week) if cycle is not None else [],
            empty_label=_("geen week"),
        )


class GoalForm(BoardFormMixin, forms.ModelForm):
    theme = forms.ModelChoiceField(queryset=Theme.unscoped.none(), required=False, label=_("thema"))
    baseline = DutchDecimalField(required=False, max_digits=9, decimal_places=2, label=_("beginwaarde"))
    target = DutchDecimalField(required=False, max_digits=9, decimal_places=2, label=_("streefwaarde"))

    class Meta:
        model = Goal
        fields = [
            "big_goal",
            "concrete",
            "measure_what",
            "measure_how",
            "baseline",
            "target",
            "unit",
            "theme",
            "status",
        ]
        labels = {
            "big_goal": _("1. Groot doel: wat willen we voor onze leerlingen bereiken?"),
            "concrete": _("2. Klein en concreet: wat precies, bij welke leerlingen, wanneer?"),
            "measure_what": _("3. Meetbaar: wat meten we?"),
            "measure_how": _("Hoe meten we het?"),
            "unit": _("eenheid (bijv. %, leerlingen, minuten)"),
            "theme": _("thema"),
            "status": _("status"),
        }
        widgets = {"concrete": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"big_goal": {"required": _("Schrijf op wat jullie willen bereiken.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False


class ObstacleForm(forms.ModelForm):
    class Meta:
        model = Obstacle
        fields = ["title", "description"]
        labels = {"title": _("Wat houdt ons tegen?"), "description": _("toelichting")}
        error_messages = {"title": {"required": _("Schrijf op wat jullie tegenhoudt.")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        for key in ("board", "members", "goals", "themes"):
            kwargs.pop(key, None)
        super().__init__(*args, **kwargs)
        if self.prefix == BASE_PREFIX:
            for field in self.fields.values():
                field.required = False

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Hoe is het opgelost?"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SuccessForm(forms.ModelForm):
    class Meta:
        model = Success
        fields = ["title", "who", "happened_on"]
        labels = {"title": _("Wat vieren we?"), "who": _("wie"), "happened_on": _("wanneer")}
        error_messages = {"title": {"required": _("Schrijf op wat er te vieren is.")}}
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        for key in ("board", "members", "goals", "themes"):
            kwargs.pop(key, None)
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].required = False
        if self.prefix == BASE_PREFIX:
            for field in self.fields.values():
                field.required = False

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class MeasurementForm(forms.ModelForm):
    week = WeekField(label=_("week"))
    value = DutchDecimalField(max_digits=9, decimal_places=2, label=_("gemeten waarde"))

    class Meta:
        model = Measurement
        fields = ["week", "value", "note"]
        labels = {"note": _("toelichting (mag leeg)")}


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    version = forms.IntegerField(min_value=1)


class MoodForm(forms.Form):
    mood = forms.ChoiceField(choices=Mood.choices)


class AttendanceForm(forms.Form):
    member = forms.IntegerField()
    present = forms.BooleanField(required=False)


class RolesForm(forms.Form):
    lead = forms.ModelChoiceField(queryset=None, required=False, label=_("leidt de sessie"))
    note_taker = forms.ModelChoiceField(queryset=None, required=False, label=_("notuleert"))
    timekeeper = forms.ModelChoiceField(queryset=None, required=False, label=_("bewaakt de tijd"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead", "note_taker", "timekeeper"):
            self.fields[name].queryset = _users_in(members)
            self.fields[name].label_from_instance = lambda u: u.full_name


class SessionCloseForm(forms.Form):
    decisions = forms.CharField(
        label=_("Besluiten en afspraken van deze sessie"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CycleCloseForm(forms.Form):
    went_well = forms.CharField(label=_("Wat ging goed?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    to_change = forms.CharField(
        label=_("Wat doen we de volgende cyclus anders?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goals_reached = forms.CharField(
        label=_("Hebben we onze doelen gehaald?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_weeks = forms.IntegerField(
        label=_("Hoeveel weken duurt de volgende cyclus?"),
        min_value=GoalCycle.MIN_WEEKS,
        max_value=GoalCycle.MAX_WEEKS,
        initial=6,
        error_messages={
            "min_value": _("Een cyclus duurt 4 tot 8 weken."),
            "max_value": _("Een cyclus duurt 4 tot 8 weken."),
        },
    )
    carry_over = forms.TypedMultipleChoiceField(
        label=_("Welke open acties nemen we mee?"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, open_actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carry_over"].choices = [(a.pk, a.title) for a in open_actions]
        if not self.is_bound:
            self.initial.setdefault("carry_over", [a.pk for a in open_actions])

    def clean(self):
        data = super().clean()
        if not any((data.get(k) or "").strip() for k in ("went_well", "to_change", "goals_reached")):
            raise forms.ValidationError(_("Schrijf in een paar woorden terug hoe de cyclus ging."))
        return data


class BoardCreateForm(forms.Form):
    KIND_CHOICES = [("class", _("Klassenbord")), ("organisational", _("Organisatorisch bord"))]

    kind = forms.ChoiceField(label=_("soort bord"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    title = forms.CharField(label=_("naam (bijv. groep 5b)"), max_length=120)
    team = forms.TypedChoiceField(label=_("team"), coerce=int, required=False)

    def __init__(self, *args, teams=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "—")] + [(t.pk, t.name) for t in teams]
        self.fields["kind"].choices = [(k, label) for k, label in self.KIND_CHOICES if k in kinds]
