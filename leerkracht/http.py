"""The request type our views receive, once the middleware has hung its helpers on it, and the
few answers every htmx view gives the same way."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from leerkracht.access import NOT_FOUND_MESSAGE, Access


class AppRequest(HttpRequest):
    """An HttpRequest after TenancyMiddleware and HtmxMiddleware (for type checkers only)."""

    access: Access
    htmx: HtmxDetails


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's, or behind PROXY_COUNT trusted proxies the entry the
    outermost of them wrote into X-Forwarded-For. Every throttle (login, password reset, pupil
    pages) counts clients by this one function."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        # Without a trusted proxy the header is whatever the client wrote: never read it.
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if not any(entries):
        return remote
    # Each trusted proxy appends the address it saw, so only the right-most PROXY_COUNT entries
    # are ours; anything left of them came from the client and may be made up. A shorter chain
    # (one proxy skipped) gives the furthest hop a trusted proxy recorded.
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    try:
        # Throttles store the address in an address column (PostgreSQL's inet): garbage must not
        # reach it, and a proxy that writes garbage is better counted as itself.
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one more try under `key` in a fixed window of `window` seconds (in the shared
    cache); True once the window holds more than `limit`. Callers pass a keyed hash, never an
    address or an e-mail address, so the cache holds neither."""
    from django.core.cache import cache

    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first try
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def wants_fragment(request: AppRequest) -> bool:
    """Whether to answer with a `{% partialdef %}` fragment: an htmx request, except a history
    restore, which asks with HX-Request too but needs the whole page back."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def redirect_after(request: AppRequest, url: str) -> HttpResponse:
    """After a successful POST: htmx follows a client redirect, a plain form a 302."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def found_or_404(selector, **kwargs):
    """What a selector finds inside the school, or the same 404 as for another school's object."""
    try:
        return selector(**kwargs)
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's refusal on the form: per field where the service named one the form has,
    else at the top, so the page shows each message next to what it is about."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def no_store(response: HttpResponse) -> HttpResponse:
    """Keep a page out of every cache, the browser's back button included: for pages on shared
    devices that carry a personal link or answers being typed (pupil and barometer pages)."""
    from django.utils.cache import patch_cache_control

    patch_cache_control(response, private=True, no_store=True)
    return response
