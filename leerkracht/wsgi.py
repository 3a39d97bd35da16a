import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkracht.settings.production")

# As django.core.wsgi.get_wsgi_application, with our request class (leerkracht.http.Request): a
# Content-Type header Django cannot parse answers our 400 page instead of a bare 500.
django.setup(set_prefix=False)

from leerkracht.http import WSGIHandler  # noqa: E402 (needs the apps loaded)

application = WSGIHandler()
