"""Forms of schools/: the school list's filters, read from the query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from schools.models import Phase, Sector
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
