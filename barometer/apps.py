from django.apps import AppConfig


class BarometerConfig(AppConfig):
    """Impact-barometer questionnaires, waves, anonymous answers and results (later issues)."""

    name = "barometer"
    verbose_name = "Impact-barometer"
