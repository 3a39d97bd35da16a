from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    """Improvement boards, lesson design, lesson visits and pupil feedback (later issues)."""

    name = "instruments"
    verbose_name = "Instrumenten"
