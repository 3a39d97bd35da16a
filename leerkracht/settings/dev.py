"""Local development: debug on, mail to the console, everything works without services."""

from leerkracht import env
from leerkracht.settings.base import *  # noqa: F403

DEBUG = env.get_bool("DEBUG", True)
