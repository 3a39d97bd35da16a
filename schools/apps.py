from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = _("Scholen en mensen")

    def ready(self):
        # Registers the finisher that puts the invitation link into outbox messages at send time.
        from schools.services import people  # noqa: F401
