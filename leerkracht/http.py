"""The request type our views receive, once the middleware has hung its helpers on it, and the
few answers every htmx view gives the same way."""

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
    """The client's address as the login throttle reads it (behind PROXY_COUNT proxies, from
    X-Forwarded-For), so every rate limit counts the same client the same way."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


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
