from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    """Improvement boards, lesson design, lesson visits and feedback (stem van de leerling)."""

    name = "instruments"
    verbose_name = _("Instrumenten")

    def ready(self):
        from instruments import receivers  # noqa: F401 - connects the receivers of schools' signals
