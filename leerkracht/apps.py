from django.apps import AppConfig


class LeerkrachtConfig(AppConfig):
    name = "leerkracht"
    verbose_name = "leerKRACHT platform"

    def ready(self):
        # Registers the finisher that makes the password-reset token when the relay sends it.
        from leerkracht import auth_views  # noqa: F401
