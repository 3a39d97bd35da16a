"""Forms of schools/: the school list's filters; inviting and importing a school's people."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from leerkracht.http import BoundedModelMultipleChoiceField
from schools.models import HolidayRegion, Phase, Sector, Team, User
from schools.selectors import SchoolFilters


class SchoolFilterForm(forms.Form):
    """The school list's filters. A phase or sector that does not exist is an error the page
    shows (someone typed or kept a wrong address); a region outside the user's reach simply
    finds nothing, as a missing one does."""

    fase = forms.ChoiceField(
        label=_("Fase"),
        required=False,
        choices=[("", _("alle fasen")), *Phase.choices],
        error_messages={"invalid_choice": _("Onbekende fase ‘%(value)s’: kies een fase uit de lijst.")},
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("alle sectoren")), *Sector.choices],
        error_messages={"invalid_choice": _("Onbekende sector ‘%(value)s’: kies een sector uit de lijst.")},
    )
    regio = forms.IntegerField(
        label=_("Regio"),
        required=False,
        min_value=1,
        error_messages={"invalid": _("Kies een regio uit de lijst."), "min_value": _("Kies een regio uit de lijst.")},
    )

    def filters(self) -> SchoolFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return SchoolFilters(phase=data["fase"], sector=data["sector"], region=data["regio"])


class StaffInviteForm(forms.Form):
    """Invite one person: address, name, the roles the inviter may give, the school's teams."""

    email = forms.CharField(
        label=_("E-mailadres"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Vul een e-mailadres in.")},
    )
    first_name = forms.CharField(
        label=_("Voornaam"), max_length=80, error_messages={"required": _("Vul een voornaam in.")}
    )
    last_name = forms.CharField(
        label=_("Achternaam"),
        max_length=120,
        help_text=_("Met tussenvoegsel: van der Berg."),
        error_messages={"required": _("Vul een achternaam in.")},
    )
    roles = forms.MultipleChoiceField(
        label=_("Rollen in deze school"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Kies minstens één rol."),
            "invalid_choice": _("Die rol bestaat niet of je kunt hem niet geven: kies uit de lijst."),
        },
    )
    teams = BoundedModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.unscoped.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Wie in een team zit, is ook leraar van de school."),
        error_messages={
            "invalid_choice": _("Kies teams van deze school."),
            "invalid_pk_value": _("Kies teams van deze school."),
        },
    )

    def __init__(self, *args, roles: list, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(str(role), role.label) for role in roles]
        self.fields["teams"].queryset = teams
        self.fields["teams"].widget.attrs.pop("required", None)
        self.initial.setdefault("roles", [str(roles[0])] if roles else [])


class NewLeaderField(forms.ModelChoiceField):
    """Who becomes school leader when the only one stops being it: someone of the school."""

    def label_from_instance(self, obj):
        return obj.full_name


def _new_leader_field() -> NewLeaderField:
    return NewLeaderField(
        label=_("Nieuwe schoolleider"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— kies iemand —"),
        help_text=_("Een school heeft altijd een schoolleider. Deze persoon krijgt die rol erbij."),
        error_messages={"invalid_choice": _("Kies als nieuwe schoolleider iemand van deze school.")},
    )


class PersonRolesForm(forms.Form):
    """A person's roles in the school: the roles the changer may give and take; the others the
    person holds stay as they are."""

    roles = forms.MultipleChoiceField(
        label=_("Rollen in deze school"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": _("Die rol bestaat niet of je kunt hem niet geven: kies uit de lijst.")},
    )
    new_leader = _new_leader_field()

    def __init__(self, *args, roles: list, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(str(role), role.label) for role in roles]
        if candidates is None:
            del self.fields["new_leader"]
        else:
            self.fields["new_leader"].queryset = candidates


class PersonRemoveForm(forms.Form):
    """Confirming that a person leaves the school (naming a new leader when they were the only one)."""

    new_leader = _new_leader_field()

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is None:
            del self.fields["new_leader"]
        else:
            self.fields["new_leader"].queryset = candidates


class PeopleFileForm(forms.Form):
    """A people file to import: CSV or XLSX, within the size limit."""

    file = forms.FileField(
        label=_("Bestand (CSV of Excel)"),
        help_text=_(
            "Kolommen: e-mailadres, voornaam, achternaam, rol en team(s). Nederlandse en Engelse kolomnamen worden "
            "herkend; puntkomma's en komma's allebei. Eerst zie je wat er gebeurt; er verandert pas iets als je "
            "bevestigt."
        ),
        error_messages={
            "required": _("Kies een bestand."),
            "empty": _("Het bestand is leeg."),
            "invalid": _("Kies een bestand."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class InvitationAcceptForm(SetPasswordForm):
    """The invited person chooses their password (Django's rules: length, not common, not like
    their name or address)."""


class TeamNameForm(forms.Form):
    """A team's name, to make a team or rename one."""

    name = forms.CharField(
        label=_("Naam van het team"),
        max_length=Team._meta.get_field("name").max_length,
        error_messages={
            "required": _("Vul een naam voor het team in."),
            "max_length": _("Een teamnaam is hoogstens %(limit_value)d tekens lang."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class TeamPersonForm(forms.Form):
    """A person chosen from a list already read (to put in a team, take out, or move): an id
    that is not on the list is refused without a query, whatever it is."""

    user = forms.TypedChoiceField(
        label=_("Persoon"),
        coerce=int,
        error_messages={
            "required": _("Kies iemand uit de lijst."),
            "invalid_choice": _("Deze persoon staat niet (meer) in de lijst: laad de pagina opnieuw."),
        },
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        self.fields["user"].choices = [("", _("Kies iemand")), *((p.pk, p.full_name) for p in self.people)]

    def chosen_user(self):
        return next(p for p in self.people if p.pk == self.cleaned_data["user"])


class TeamMemberMoveForm(TeamPersonForm):
    """A member of this team, and the team to move them to (another team of the school that is
    not archived)."""

    to_team = forms.TypedChoiceField(
        label=_("Naar team"),
        coerce=int,
        error_messages={
            "required": _("Kies het team waar de persoon naartoe gaat."),
            "invalid_choice": _("Kies een team van deze school dat niet gearchiveerd is."),
        },
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].label = _("Wie")
        self.teams = list(teams)
        self.fields["to_team"].choices = [("", _("Kies een team")), *((t.pk, t.name) for t in self.teams)]

    def chosen_team(self):
        return next(t for t in self.teams if t.pk == self.cleaned_data["to_team"])


class SchoolHolidayForm(forms.Form):
    """A school holiday: its name, its dates and (when it is new) the regions it holds for."""

    name = forms.CharField(
        label=_("Vakantie"),
        max_length=60,
        error_messages={"required": _("Vul de naam van de vakantie in, zoals Kerstvakantie.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "holiday-names"}),
    )
    regions = forms.MultipleChoiceField(
        label=_("Vakantieregio's"),
        choices=HolidayRegion.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Kies minstens één vakantieregio.")},
    )
    starts_on = forms.DateField(
        label=_("Eerste dag"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Vul de eerste dag in."), "invalid": _("Vul een datum in, zoals 19-12-2026.")},
    )
    ends_on = forms.DateField(
        label=_("Laatste dag"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Vul de laatste dag in."), "invalid": _("Vul een datum in, zoals 3-1-2027.")},
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # a holiday belongs to one region; another region's dates are a holiday of their own
            del self.fields["regions"]
