from django.apps import AppConfig


class LeerkrachtConfig(AppConfig):
    name = "leerkracht"
    verbose_name = "leerKRACHT platform"
