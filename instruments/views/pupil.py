"""The pupils' pages of the feedback instrument (stem van de leerling): no login, no name,
nothing stored that identifies them.

- /stem/: type the round's code; /s/<code>: the short address (and QR code) → the answer page;
- /stem/<code>/: the answer page (GET) and the answer (POST).

Tenancy: these are `@public` views, so the request's tenant scope is empty. The round is found by
its code (the one unscoped read, in `selectors.round_by_code`), and every other query runs inside
`tenancy.scope(school_ids=[round.school_id])`, opened here, conspicuously.

One answer per device: a random value in an HttpOnly cookie, set on the first visit and signed
with the server's secret (`set_signed_cookie`): only a value this server issued counts, so a
script that invents a fresh value for every answer is answered as a device without a cookie
(it gets a value of the server's own and the page back, never a stored answer). The cookie
lives under /stem only (it has no business on the rest of the site), so only the pages under
/stem read or set it; every way in (the QR code and short address /s/<code>, the typed code, a
direct link) ends on /stem/<code>/, where the same cookie is read. The answer stores
HMAC(round.device_key, value) as a `FeedbackDeviceMark`; the answer itself waits sealed in the
round's pool and is moved into the answer tables in a later transaction, in a batch
(services/feedback.py), so nothing in the database joins the two. The value itself, the address
and the browser are never stored.

Flooding and guessing are stopped with counters in the cache (`instruments/pupil_guard.py`, which
also decides whether a device value counts and whether the device already answered); this module
keeps the HTTP side: the cookie, the client's address, the limits and the 429 answers.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from instruments import pupil_guard
from instruments.forms.feedback import AnswerForm
from instruments.selectors import feedback as selectors
from instruments.services import feedback as services
from leerkracht import tenancy
from leerkracht.access import public
from leerkracht.http import client_address, no_store

DEVICE_COOKIE = "stem_apparaat"
DEVICE_COOKIE_PATH = "/stem"  # read and set only by the pages under it (see pupil_short)
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365  # a school year and a bit: one value per device
DEVICE_COOKIE_SALT = "instruments.pupil.device"  # the signature of this cookie, no other

# A whole class answers from one school address: 120 answers per 10 minutes per address and
# round is four classes' worth. One device gets a few tries per few seconds (a double tap, a
# correction after a message), not a script's worth.
ADDRESS_LIMIT, ADDRESS_WINDOW = 120, 10 * 60
DEVICE_LIMIT, DEVICE_WINDOW = 4, 5
# Codes that name no round, per address: a class with a few typos stays far below it; a script
# trying codes (a billion of them, a few hundred open) stops after this many per ten minutes.
CODE_MISS_LIMIT, CODE_MISS_WINDOW = 30, 10 * 60

ANSWER = "instruments/pupil_answer.html"
CODE = "instruments/pupil_code.html"
NOTICE = "instruments/pupil_notice.html"


def _device_value(request) -> str | None:
    """The device's value, if the cookie holds one this server issued; None for no cookie and for
    a value that is unsigned, forged or changed alike."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    return pupil_guard.device_value_valid(value)


def _set_device_cookie(response: HttpResponse, value: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=DEVICE_COOKIE_SALT,
        max_age=DEVICE_COOKIE_MAX_AGE,
        path=DEVICE_COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _notice(request, kind: str, *, status: int, feedback_round=None) -> HttpResponse:
    # "sent": this request carried an answer, so the page says that this answer was not counted.
    context = {"kind": kind, "round": feedback_round, "sent": request.method == "POST"}
    response = render(request, NOTICE, context, status=status)
    if status == 429:
        response["Retry-After"] = "60"
    return no_store(response)


def _rate_limited(request, feedback_round, device_value: str | None) -> bool:
    """Whether this answer goes past the limits above, per address and round and per device."""
    return pupil_guard.answer_over_limit(
        round_id=feedback_round.pk,
        address=client_address(request),
        device_value=device_value,
        per_address=pupil_guard.Limit(ADDRESS_LIMIT, ADDRESS_WINDOW),
        per_device=pupil_guard.Limit(DEVICE_LIMIT, DEVICE_WINDOW),
    )


def _round_by_code(request, code: str):
    """The round a code names, or None; raises `pupil_guard.Guessing` past the misses' limit."""
    return pupil_guard.round_by_code(
        code=code, address=client_address(request), misses=pupil_guard.Limit(CODE_MISS_LIMIT, CODE_MISS_WINDOW)
    )


def _too_many_misses(request, *, page: str = NOTICE, context: dict | None = None) -> HttpResponse:
    context = {"kind": "guessing", "round": None, "sent": False, "code": "", **(context or {}), "guessing": True}
    response = render(request, page, context, status=429)
    response["Retry-After"] = str(CODE_MISS_WINDOW)
    return no_store(response)


def _answer_url(code: str) -> str:
    return reverse("instruments:pupil_answer", kwargs={"code": code})


@public
@require_GET
def pupil_code(request):
    """Type the code the teacher shows. With ?code=… the answer page of that round."""
    code = "".join(request.GET.get("code", "").split()).upper()
    if not code:
        return no_store(render(request, CODE, {"code": ""}))
    try:
        feedback_round = _round_by_code(request, code)
    except pupil_guard.Guessing:
        return _too_many_misses(request, page=CODE, context={"code": code})
    if feedback_round is None:
        return no_store(render(request, CODE, {"code": code, "unknown": True}, status=404))
    return redirect(_answer_url(feedback_round.code))


@public
@require_GET
def pupil_short(request, code: str):
    """The short address behind the QR code: on to the answer page, which reads the device
    cookie and sets it on a first visit.

    This address lies outside the cookie's path, so the browser never sends the cookie here: it
    must not set one either. A cookie set here would replace the device's value on every scan,
    and a second scan of the same QR code would then be a "new" device that may answer again."""
    try:
        feedback_round = _round_by_code(request, code)
    except pupil_guard.Guessing:
        return _too_many_misses(request)
    if feedback_round is None:
        return _notice(request, "unknown", status=404)
    return no_store(redirect(_answer_url(feedback_round.code)))


@public
@require_http_methods(["GET", "POST"])
def pupil_answer(request, code: str):
    """The answer page: tops, one tip and the round's questions; one answer per device."""
    try:
        feedback_round = _round_by_code(request, code)
    except pupil_guard.Guessing:
        return _too_many_misses(request)
    if feedback_round is None:
        return _notice(request, "unknown", status=404)
    if feedback_round.code != code:
        return redirect(_answer_url(feedback_round.code))  # typed in lower case or with spaces
    # Pupils have no account, so the request's scope is empty: open the round's school, and
    # only that school, for everything this page reads and writes.
    with tenancy.scope(school_ids=[feedback_round.school_id]):
        response = _answer(request, feedback_round)
    return no_store(response)


def _answer(request, feedback_round) -> HttpResponse:
    if not services.round_is_open(feedback_round):
        return _notice(request, "closed", status=410, feedback_round=feedback_round)
    device_value = _device_value(request)
    if request.method == "POST" and _rate_limited(request, feedback_round, device_value):
        return _notice(request, "busy", status=429, feedback_round=feedback_round)
    answered = device_value is not None and pupil_guard.device_answered(
        feedback_round=feedback_round, device_value=device_value
    )
    if answered:
        kind = "thanks" if request.GET.get("klaar") else "already"
        return _notice(request, kind, status=200, feedback_round=feedback_round)
    statements = selectors.round_statements(feedback_round=feedback_round)
    questions = selectors.round_questions(feedback_round=feedback_round)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        feedback_round=feedback_round,
        statements=statements,
        questions=questions,
    )
    context = {"round": feedback_round, "form": form, "no_cookie": False}
    if request.method == "GET" or device_value is None:
        if request.method == "POST":
            # No cookie came with the answer (a first visit straight to this POST, or cookies
            # cleared): set one and ask to send again; the choices stay in the form.
            context["no_cookie"] = True
        response = render(request, ANSWER, context)
        if device_value is None:
            _set_device_cookie(response, pupil_guard.device_value_new())
        return response
    if form.is_valid():
        try:
            services.feedback_response_submit(
                feedback_round=feedback_round,
                device_value=device_value,
                top_ids=form.cleaned_data["tops"],
                tip_id=int(form.cleaned_data["tip"]),
                answers=form.answers(),
                statements=statements,
                questions=questions,
            )
        except services.AlreadyAnswered:
            return _notice(request, "already", status=200, feedback_round=feedback_round)
        except services.RoundClosed:
            return _notice(request, "closed", status=410, feedback_round=feedback_round)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
            return render(request, ANSWER, context, status=422)
        return redirect(f"{_answer_url(feedback_round.code)}?klaar=1", permanent=False)
    return render(request, ANSWER, context, status=422)
