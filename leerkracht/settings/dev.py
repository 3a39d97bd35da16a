"""Local development: debug on, mail to the console, everything works without services."""

from leerkracht import env
from leerkracht.settings.base import *  # noqa: F403
from leerkracht.settings.base import REST_FRAMEWORK

DEBUG = env.get_bool("DEBUG", True)

# The browsable API, for exploring the API in a browser while developing; JSON only elsewhere.
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
    *REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"],
    "rest_framework.renderers.BrowsableAPIRenderer",
]
