"""The request our WSGI application builds, the type our views receive once the middleware has
hung its helpers on it, the bounds of what a client may send, and the few answers every htmx view
gives the same way."""

import datetime as dt
import ipaddress

from django import forms
from django.conf import settings
from django.core.exceptions import BadRequest, ObjectDoesNotExist, ValidationError
from django.core.handlers.wsgi import WSGIHandler as DjangoWSGIHandler
from django.core.handlers.wsgi import WSGIRequest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget
from django_htmx.middleware import HtmxDetails

from leerkracht.access import NOT_FOUND_MESSAGE, Access
from leerkracht.conflicts import EditConflict


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


def edit_conflict_response(
    request: AppRequest,
    conflict: EditConflict,
    *,
    form,
    page: str,
    fragment: str,
    context: dict,
    title: str = "",
    note: str = "",
    anchors: dict[str, str] | None = None,
) -> HttpResponse:
    """Answer a save refused by an `EditConflict`: 409, the form as this person typed it and,
    above it, what is saved now beside what they typed (templates/includes/conflict.html, which
    the form's template includes). The form's version moves to the stored one, so saving again
    keeps what was typed. htmx gets `fragment` (a template name with its #partial), a plain form
    post the whole `page`. `title` says what was changed ("dit lesontwerp"); `note` replaces the
    closing advice where the form is gone (`form=None`: what was typed survives in the box only);
    `anchors` maps a conflict field to the form field that edits it where their names differ."""
    anchors = anchors or {}
    fields = form.fields if form is not None else {}
    if "version" in fields:
        data = form.data.copy()
        data[form.add_prefix("version")] = str(conflict.version)
        form.data = data
        form.full_clean()
    rows = []
    for field in conflict.fields:
        name = anchors.get(field.field, field.field)
        bound = form[name] if name in fields else None
        rows.append(
            {
                "label": bound.label if bound is not None and name == field.field else field.label,
                "anchor": bound.id_for_label if bound is not None else "",
                "theirs": field.theirs,
                "yours": field.yours,
                "by": field.by or conflict.saved_by,
                "at": field.at or conflict.saved_at,
            }
        )
    auto_id = str(getattr(form, "auto_id", ""))
    context = {
        **context,
        "version": conflict.version,
        "conflict": conflict,
        "conflict_rows": rows,
        "conflict_title": title,
        "conflict_note": note,
        # Unique where several forms share a page (a board's cards): the form's own id prefix.
        "conflict_id": auto_id % "conflict" if "%s" in auto_id else "conflict",
    }
    return render(request, fragment if wants_fragment(request) else page, context, status=409)


# Marks a 404 that is the page itself, saying in place that what was asked for is not (or no
# longer) there; htmx swaps it in like a 409 (static/js/app.js), where it swaps no other 404.
GONE_HEADER = "X-Gone"


def gone_response(request: AppRequest, *, page: str, fragment: str, context: dict, target: str = "") -> HttpResponse:
    """Answer an edit or a delete of an object someone deleted meanwhile (a second tab, a
    colleague): 404, as for any missing object, but with the page (a plain form post) or its
    `fragment` (htmx, swapped into `target` when the request aimed elsewhere) saying so in place,
    where the bare 404 page would lose what was typed. Another school's object gets the same
    answer: nothing tells the two apart."""
    if wants_fragment(request):
        response = render(request, fragment, context, status=404)
        if target:
            response = reswap(retarget(response, target), "outerHTML")
    else:
        response = render(request, page, context, status=404)
    response[GONE_HEADER] = "1"
    return response


def no_store(response: HttpResponse) -> HttpResponse:
    """Keep a page out of every cache, the browser's back button included: for pages on shared
    devices that carry a personal link or answers being typed (pupil and barometer pages)."""
    from django.utils.cache import patch_cache_control

    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Reading what a client sends ------------------------------------------------------------------

# The largest id a row can have (our keys are 64-bit). A larger number in a request names nothing,
# and SQLite cannot even compare a column with one: it raises OverflowError instead of finding
# nothing, as PostgreSQL does. Ids read from a request are bounded by it.
MAX_ID = 2**63 - 1

# The days a client may name (a visit, a wave's opening, a calendar's week or month): wide enough
# for any plan, and far from the calendar's own ends (years 1 and 9999), where adding a lesson's
# length or turning Amsterdam time into UTC left the calendar (OverflowError: 500).
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


class Request(WSGIRequest):
    """The request our WSGI application builds (leerkracht/wsgi.py): Django's, except that a
    Content-Type header it cannot parse (too long, or naming an RFC 2231 charset that does not
    exist) does not raise while the request is built. Raised there, outside every middleware, it
    reached the server as a bare 500 without our headers; marked instead, the request reaches
    RefuseBadInputMiddleware, which answers our 400 page. Until then it has no content type, so
    nothing reads its body."""

    unreadable_content_type = False

    def _set_content_type_params(self, meta):
        try:
            super()._set_content_type_params(meta)
        except BadRequest:
            self.content_type, self.content_params = "", {}
            self.unreadable_content_type = True


class WSGIHandler(DjangoWSGIHandler):
    request_class = Request


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field for several rows by id, refusing a number past MAX_ID as it refuses any other
    id that is not a choice. Django asks the database for all the chosen ids at once, a lookup it
    does not bound itself: on SQLite one huge number answered 500."""

    def clean(self, value):
        if isinstance(value, (list, tuple)):
            for pk in value:
                if _past_any_id(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super().clean(value)


class BoundedDateField(forms.DateField):
    """Django's date field, taking only days from FIRST_DAY to LAST_DAY."""

    default_validators = [
        MinValueValidator(FIRST_DAY, message=gettext_lazy("Kies een datum tussen 2000 en 2100.")),
        MaxValueValidator(LAST_DAY, message=gettext_lazy("Kies een datum tussen 2000 en 2100.")),
    ]


def _past_any_id(value) -> bool:
    try:
        return abs(int(value)) > MAX_ID
    except (TypeError, ValueError):
        return False  # not a number at all: Django's own check refuses it
