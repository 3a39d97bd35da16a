"""Planning barometer waves (admins): the list of waves with where each stands, planning a new
one with a live preview of the schools and teachers it will invite, changing or cancelling one
until its first school's moment opens, and "Herinnering nu versturen" on the national response
page.

The preview is the page's own URL asked with the form's values (GET): htmx swaps only the
preview as the form changes; without JavaScript the "Bekijk wie meedoet" button posts the form,
which shows the page with the preview and saves nothing.

Access: Capability.NATIONAL_VIEW on the platform level (admins), as the questionnaire editor;
anyone else gets the middleware's 404. A wave is a platform object (`wave_id`); a school's moment
travels as a form field, not in the URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from barometer.forms.planning import WaveForm, wave_initial
from barometer.selectors import planning as selectors
from barometer.services import planning as services
from leerkracht.access import NOT_FOUND_MESSAGE, requires
from leerkracht.http import AppRequest, add_service_errors, found_or_404, redirect_after, wants_fragment
from leerkracht.roles import Capability

LIST = "barometer/wave_list.html"
FORM = "barometer/wave_form.html"
OVERVIEW = "barometer/response_overview.html"
PREVIEW_BUTTON = "voorbeeld"


@requires(Capability.NATIONAL_VIEW)
@require_GET
def wave_list(request: AppRequest):
    """Every wave, newest first: its questionnaire, timing, schools and state."""
    return render(request, LIST, {"rows": selectors.wave_list(access=request.access)})


def _preview(request: AppRequest, form: WaveForm) -> dict:
    """The preview of what the form says so far (only valid parts are read)."""
    form.is_valid()
    wave, selection = form.timing_wave(), form.selection_value()
    if wave is None or selection is None:
        return {"preview": None, "preview_wave": wave}
    preview = selectors.wave_preview(access=request.access, wave=wave, selection=selection, now=timezone.now())
    return {"preview": preview, "preview_wave": wave}


def _page(request: AppRequest, form: WaveForm, *, row=None, status: int = 200, refusal: str = "", preview=True):
    """The plan page, or a wave's page. `preview`: True to preview what the form says, False for
    none, or the preview already made (of a saved wave)."""
    context = {"form": form, "row": row, "wave": row.wave if row else None, "refusal": refusal}
    if isinstance(preview, selectors.WavePreview):
        context["preview"] = preview
    elif preview and not refusal:
        context.update(_preview(request, form))
    context["form_url"] = (
        reverse("barometer:wave_detail", args=[row.wave.pk]) if row else reverse("barometer:wave_create")
    )
    return render(request, FORM, context, status=status)


def _wants_preview(request: AppRequest) -> bool:
    return request.method == "GET" and any(name in request.GET for name in WaveForm.base_fields)


@requires(Capability.NATIONAL_VIEW)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def wave_create(request: AppRequest):
    """Plan a wave. GET with the form's values answers the preview (a fragment for htmx); POST
    plans it and goes to its page, or answers 422 with the messages and what was typed."""
    if request.method == "POST":
        form = WaveForm(request.POST)
        if PREVIEW_BUTTON in request.POST:
            return _page(request, form)
        if form.is_valid():
            try:
                wave = services.wave_create(settings=form.settings(), user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Het meetmoment ‘%(name)s’ is gepland.") % {"name": wave.name})
                return redirect_after(request, reverse("barometer:wave_detail", args=[wave.pk]))
        return _page(request, form, status=422)
    if _wants_preview(request):
        form = WaveForm(request.GET)
        if wants_fragment(request):
            return render(request, f"{FORM}#wave-preview", _preview(request, form))
        return _page(request, form)
    initial = {}
    if (version := request.GET.get("versie", "")).isdigit():
        initial["version"] = int(version)
    return _page(request, WaveForm(initial=initial), preview=False)


def _row(request: AppRequest, wave_id: int):
    return found_or_404(selectors.wave_get, access=request.access, wave_id=wave_id)


@requires(Capability.NATIONAL_VIEW)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def wave_detail(request: AppRequest, wave_id: int):
    """A wave: its form while it may change (POST saves, 422 with the messages), else what it
    is and why it can no longer change (a POST then answers 409 with that reason)."""
    row = _row(request, wave_id)
    refusal = selectors.wave_change_refusal(wave=row.wave, now=timezone.now())
    if request.method == "POST":
        form = WaveForm(request.POST)
        if refusal:
            return _page(request, form, row=row, status=409, refusal=refusal)
        if PREVIEW_BUTTON in request.POST:
            return _page(request, form, row=row)
        if form.is_valid():
            try:
                wave = services.wave_update(wave=row.wave, settings=form.settings())
            except ValidationError as error:
                if refusal := selectors.wave_change_refusal(wave=row.wave, now=timezone.now()):
                    return _page(request, form, row=row, status=409, refusal=refusal)
                add_service_errors(form, error)
            else:
                messages.success(request, _("Het meetmoment ‘%(name)s’ is aangepast.") % {"name": wave.name})
                return redirect_after(request, reverse("barometer:wave_detail", args=[wave.pk]))
        return _page(request, form, row=row, status=422)
    if _wants_preview(request) and not refusal:
        form = WaveForm(request.GET)
        if wants_fragment(request):
            return render(request, f"{FORM}#wave-preview", _preview(request, form))
        return _page(request, form, row=row)
    selection = selectors.wave_selection(wave=row.wave)
    form = WaveForm(initial=wave_initial(row.wave, selection))
    if refusal:
        return _page(request, form, row=row, refusal=refusal, preview=False)
    preview = selectors.wave_preview(access=request.access, wave=row.wave, selection=selection, now=timezone.now())
    return _page(request, form, row=row, preview=preview)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def wave_cancel(request: AppRequest, wave_id: int):
    """Cancel a wave that has not started; 409 with the reason on its page when it has."""
    row = _row(request, wave_id)
    try:
        services.wave_cancel(wave=row.wave, user=request.user)
    except ValidationError as error:
        refusal = " ".join(error.messages)
        form = WaveForm(initial=wave_initial(row.wave, selectors.wave_selection(wave=row.wave)))
        return _page(request, form, row=row, status=409, refusal=refusal)
    messages.success(
        request, _("Het meetmoment ‘%(name)s’ is geannuleerd: geen school krijgt het.") % {"name": row.wave.name}
    )
    return redirect_after(request, reverse("barometer:wave_list"))


# --- Herinnering nu versturen -----------------------------------------------------------------


def _reminder_notice(result: services.ManualReminder) -> str:
    if not result.unanswered:
        return _("Iedereen heeft al geantwoord.")
    if not result.sent:
        return _("Wie nog niet antwoordde, kreeg vandaag al een herinnering. Morgen kan het weer.")
    return ngettext(
        "Herinnering verstuurd aan %(count)d leraar.", "Herinnering verstuurd aan %(count)d leraren.", result.sent
    ) % {"count": result.sent}


@requires(Capability.NATIONAL_VIEW)
@require_POST
def reminder_send(request: AppRequest):
    """Remind everyone in one school's open moment who has not answered, once per person per day.
    htmx gets the row's action cell back with what happened; a plain form goes back to the
    overview of the moment's wave with a message."""
    raw = request.POST.get("moment", "")
    if not raw.isdigit() or len(raw) > 12:
        raise Http404(NOT_FOUND_MESSAGE)
    wave_school = found_or_404(selectors.reminder_moment, access=request.access, wave_school_id=int(raw))
    try:
        result = services.wave_school_remind_now(wave_school_id=wave_school.pk)
    except ValidationError as error:
        notice, failed = " ".join(error.messages), True
    else:
        notice, failed = _reminder_notice(result), False
    if wants_fragment(request):
        context = {"ws": wave_school, "notice": notice, "failed": failed}
        return render(request, f"{OVERVIEW}#reminder-action", context, status=409 if failed else 200)
    (messages.error if failed else messages.success)(request, f"{wave_school.school.name}: {notice}")
    url = reverse("barometer:response_overview") + "?" + urlencode({"meetmoment": wave_school.wave_id})
    return redirect_after(request, url)
