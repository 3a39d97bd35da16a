from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeerkrachtConfig(AppConfig):
    name = "leerkracht"
    verbose_name = _("leerKRACHT platform")

    def ready(self):
        # Registers the finisher that makes the password-reset token when the relay sends it.
        from leerkracht import auth_views  # noqa: F401
