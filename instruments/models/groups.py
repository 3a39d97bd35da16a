"""A group of pupils (groep 7, 3havo-b): what lesson designs, lesson visits and feedback rounds
are for. Pupils themselves are never stored; the group is a name within a school."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class PupilGroup(TenantModel):
    """A class or group of pupils in a school, named the way the school names it. Its feedback
    criteria (the class's own statements) are kept with it and reused round after round."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("groep of klas"), max_length=60)
    team = models.ForeignKey("schools.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(TenantModel.Meta):
        ordering = ["name"]
        verbose_name = _("groep")
        verbose_name_plural = _("groepen")
        constraints = [
            models.UniqueConstraint("school", Lower("name"), name="pupil_group_name_unique_per_school"),
        ]

    def __str__(self):
        return self.name
