from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    """Impact-barometer questionnaires, waves, anonymous answers and results (later issues)."""

    name = "barometer"
    verbose_name = _("Impact-barometer")

    def ready(self):
        # Registers the finisher that puts the answer link into outbox messages at send time.
        from barometer import mail  # noqa: F401
