from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    """Improvement boards, lesson design, lesson visits and feedback (stem van de leerling)."""

    name = "instruments"
    verbose_name = "Instrumenten"
