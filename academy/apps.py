from django.apps import AppConfig


class AcademyConfig(AppConfig):
    """Modules, videos, step plans and techniques (later issues). Only reads roles."""

    name = "academy"
    verbose_name = "Academie"
