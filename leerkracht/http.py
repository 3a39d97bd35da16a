"""The request type our views receive, once the middleware has hung its helpers on it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from leerkracht.access import Access


class AppRequest(HttpRequest):
    """An HttpRequest after TenancyMiddleware and HtmxMiddleware (for type checkers only)."""

    access: Access
    htmx: HtmxDetails
