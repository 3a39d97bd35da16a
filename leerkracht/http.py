"""The request type our views receive, once the middleware has hung its helpers on it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from leerkracht.access import Access


class AppRequest(HttpRequest):
    """An HttpRequest after TenancyMiddleware and HtmxMiddleware (for type checkers only)."""

    access: Access
    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The client's address as the login throttle reads it (behind PROXY_COUNT proxies, from
    X-Forwarded-For), so every rate limit counts the same client the same way."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""
