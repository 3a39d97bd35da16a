from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    """Modules, videos, step plans and techniques (later issues). Only reads roles."""

    name = "academy"
    verbose_name = _("Academie")
