"""The questionnaire editor for admins: the list, one questionnaire with its versions, and a
version — a draft edited in place (sections and questions added, changed, moved and deleted as
htmx swaps of the section list, which also work as plain forms), or a published version, read
only, with "Nieuwe versie maken".

Access: Capability.NATIONAL_VIEW on the platform level; anyone else gets the middleware's 404.
Sections and questions are found only inside the version in the URL (a foreign id is a 404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from barometer.forms.questionnaires import IntroForm, QuestionForm, QuestionnaireForm, SectionForm
from barometer.models import QuestionKind
from barometer.models.questionnaire import OPTIONS
from barometer.selectors import questionnaires as selectors
from barometer.services import questionnaires as services
from leerkracht.access import NOT_FOUND_MESSAGE, requires
from leerkracht.http import AppRequest, add_service_errors, found_or_404, redirect_after, wants_fragment
from leerkracht.roles import Capability

LIST = "barometer/questionnaire_list.html"
DETAIL = "barometer/questionnaire_detail.html"
VERSION = "barometer/questionnaire_version.html"


def _version_url(version, anchor: str = "") -> str:
    url = reverse(
        "barometer:version_detail",
        kwargs={"questionnaire_id": version.questionnaire_id, "version_id": version.pk},
    )
    return f"{url}#{anchor}" if anchor else url


# --- Questionnaires --------------------------------------------------------------------------------


@requires(Capability.NATIONAL_VIEW)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def questionnaire_list(request: AppRequest):
    """Every questionnaire with where its versions stand; POST makes a new one (with an empty
    draft version 1, opened next) or answers 422 with what was typed."""
    form = QuestionnaireForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                questionnaire = services.questionnaire_create(**form.cleaned_data, user=request.user)
                draft = selectors.version_draft_of(questionnaire_id=questionnaire.pk)
                return redirect_after(request, _version_url(draft))
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    if wants_fragment(request) and request.method == "POST":
        return render(request, f"{LIST}#questionnaire-new", {"form": form, "open": True}, status=status)
    context = {
        "questionnaires": selectors.questionnaire_list(access=request.access),
        "form": form,
        "open": status == 422,
    }
    return render(request, LIST, context, status=status)


def _detail(request: AppRequest, questionnaire_id: int, *, status: int = 200, error: str = "") -> HttpResponse:
    questionnaire = found_or_404(selectors.questionnaire_get, access=request.access, questionnaire_id=questionnaire_id)
    versions = selectors.questionnaire_versions(questionnaire=questionnaire)
    context = {
        "questionnaire": questionnaire,
        "versions": versions,
        "draft": next((v for v in versions if not v.is_published), None),
        "error": error,
    }
    return render(request, DETAIL, context, status=status)


@requires(Capability.NATIONAL_VIEW)
@require_GET
def questionnaire_detail(request: AppRequest, questionnaire_id: int):
    """A questionnaire with its versions: which are published (and when) and the open draft."""
    return _detail(request, questionnaire_id)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def version_draft_create(request: AppRequest, questionnaire_id: int):
    """Start a new draft version copied from the latest; then edit it. Refused (422, with the
    reason on the questionnaire's page) while a draft exists."""
    questionnaire = found_or_404(selectors.questionnaire_get, access=request.access, questionnaire_id=questionnaire_id)
    try:
        draft = services.version_draft_create(questionnaire=questionnaire, user=request.user)
    except ValidationError as error:
        return _detail(request, questionnaire_id, status=422, error=" ".join(error.messages))
    return redirect_after(request, _version_url(draft))


# --- One version ---------------------------------------------------------------------------------


def _version(request: AppRequest, questionnaire_id: int, version_id: int):
    return found_or_404(
        selectors.version_get, access=request.access, questionnaire_id=questionnaire_id, version_id=version_id
    )


def _context(version, *, contents=None, **extra) -> dict:
    """What the version's page shows. The sections come in two queries; the open draft (for a
    published version's "go to the draft") only when the header is rendered."""
    contents = contents or selectors.version_contents(version=version)
    for section in contents.sections:
        if section.pk == extra.get("adding_to"):
            section.add_form = extra["add_form"]  # what was typed, with its messages
        else:
            section.add_form = QuestionForm(prefix_id=f"question-new-{section.pk}", initial={"required": True})
    context = {
        "questionnaire": version.questionnaire,
        "version": version,
        "version_url": _version_url(version),
        "contents": contents,
        "editable": not version.is_published,
        "options": {kind: ", ".join(str(label) for _, label in OPTIONS[kind]) for kind in QuestionKind.values},
        "components": selectors.STAIRCASE_COMPONENTS + selectors.CULTURE_COMPONENTS,
        "section_form": SectionForm(prefix_id="section-new"),
        "intro_form": IntroForm(initial={"intro": version.intro}),
        "draft": SimpleLazyObject(lambda: selectors.version_draft_of(questionnaire_id=version.questionnaire_id)),
    }
    context.update(extra)
    return context


def _editing(request: AppRequest, contents) -> dict:
    """`?bewerk=vraag-12` or `?bewerk=onderdeel-5`: which item shows its edit form (404 when it
    is not in this version)."""
    wanted = request.GET.get("bewerk", "")
    kind, _, raw_id = wanted.partition("-")
    if not wanted:
        return {}
    item_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 12 else None
    if kind == "vraag" and (question := contents.question(item_id)):
        form = QuestionForm(
            prefix_id=f"question-{question.pk}",
            sections=contents.sections,
            initial={
                "text": question.text,
                "kind": question.kind,
                "code": question.code,
                "help_text": question.help_text,
                "required": question.required,
                "section": question.section_id,
            },
        )
        return {"editing_question": question, "question_form": form}
    if kind == "onderdeel" and (section := contents.section(item_id)):
        initial = {"title": section.title, "component": section.component}
        form = SectionForm(prefix_id=f"section-edit-{section.pk}", initial=initial)
        return {"editing_section": section, "section_edit_form": form}
    raise Http404(NOT_FOUND_MESSAGE)


@requires(Capability.NATIONAL_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def version_detail(request: AppRequest, questionnaire_id: int, version_id: int):
    """A version: the editor for a draft, read only once published. As htmx: the section list, or
    with `?bewerk=` one item's edit form in its place."""
    version = _version(request, questionnaire_id, version_id)
    contents = selectors.version_contents(version=version)
    editing = _editing(request, contents) if not version.is_published else {}
    context = _context(version, contents=contents, **editing)
    if wants_fragment(request):
        if "editing_question" in editing:
            return render(request, f"{VERSION}#question-edit", context)
        if "editing_section" in editing:
            return render(request, f"{VERSION}#section-edit", context)
        return render(request, f"{VERSION}#version-sections", context)
    return render(request, VERSION, context)


def _answer(request: AppRequest, version, *, status: int = 200, part: str = "version-sections", **extra):
    """A change answered with the part it changed (htmx), or for a plain form the version's page:
    a redirect when it worked, the page with the messages when it did not."""
    if wants_fragment(request):
        return render(request, f"{VERSION}#{part}", _context(version, **extra), status=status)
    if status == 200:
        return redirect(_version_url(version, part))
    return render(request, VERSION, _context(version, **extra), status=status)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def version_intro(request: AppRequest, questionnaire_id: int, version_id: int):
    """Save the draft's introduction for the teacher."""
    version = _version(request, questionnaire_id, version_id)
    form = IntroForm(request.POST)
    if form.is_valid():
        try:
            version.intro = services.version_intro_update(version=version, intro=form.cleaned_data["intro"]).intro
            return _answer(request, version, part="version-intro", intro_saved=True)
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, version, status=422, part="version-intro", intro_form=form)


def _saved(request: AppRequest, version, form, write, *, contents=None, **extra) -> HttpResponse:
    """Run `write()` once `form` is valid and answer the section list; otherwise 422 with the
    form as typed and its messages (`extra` says where it shows), or with the refusal of a
    published version above the list."""
    if form.is_valid():
        try:
            write()
            return _answer(request, version)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the version is published: no field to put it on
                return _answer(request, version, status=422, contents=contents, error=" ".join(error.messages))
            add_service_errors(form, error)
    # Nothing was written: the sections read before are still what the page shows.
    return _answer(request, version, status=422, contents=contents, **extra)


def _changed(request: AppRequest, version, contents, write) -> HttpResponse:
    """Run `write()` (a move or a delete) and answer the section list, or 422 with the refusal of
    a published version above it."""
    try:
        write()
    except ValidationError as error:
        return _answer(request, version, status=422, contents=contents, error=" ".join(error.messages))
    return _answer(request, version)


def _section(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """The version, its sections and questions, and the section in the URL (404 when it is not
    one of this version's)."""
    version = _version(request, questionnaire_id, version_id)
    contents = selectors.version_contents(version=version)
    if (section := contents.section(section_id)) is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return version, contents, section


def _question(request: AppRequest, questionnaire_id: int, version_id: int, question_id: int):
    """The version, its sections and questions, and the question in the URL (404 when it is not
    one of this version's)."""
    version = _version(request, questionnaire_id, version_id)
    contents = selectors.version_contents(version=version)
    if (question := contents.question(question_id)) is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return version, contents, question


# --- Sections ------------------------------------------------------------------------------------


@requires(Capability.NATIONAL_VIEW)
@require_POST
def section_add(request: AppRequest, questionnaire_id: int, version_id: int):
    """Add a section at the end of the draft."""
    version = _version(request, questionnaire_id, version_id)
    # Adding needs no section to find; the page is then read once, after the write.
    form = SectionForm(request.POST, prefix_id="section-new")

    def write():
        services.section_add(version=version, **form.cleaned_data)

    return _saved(request, version, form, write, section_form=form, section_form_open=True)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def section_save(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """Save a section's title and component."""
    version, contents, section = _section(request, questionnaire_id, version_id, section_id)
    form = SectionForm(request.POST, prefix_id=f"section-edit-{section.pk}")

    def write():
        services.section_update(section=section, **form.cleaned_data)

    return _saved(request, version, form, write, contents=contents, editing_section=section, section_edit_form=form)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def section_up(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """Move a section one place up."""
    version, contents, section = _section(request, questionnaire_id, version_id, section_id)
    return _changed(request, version, contents, lambda: services.section_move(section=section, direction="up"))


@requires(Capability.NATIONAL_VIEW)
@require_POST
def section_down(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """Move a section one place down."""
    version, contents, section = _section(request, questionnaire_id, version_id, section_id)
    return _changed(request, version, contents, lambda: services.section_move(section=section, direction="down"))


@requires(Capability.NATIONAL_VIEW)
@require_POST
def section_delete(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """Delete a section with its questions."""
    version, contents, section = _section(request, questionnaire_id, version_id, section_id)
    return _changed(request, version, contents, lambda: services.section_delete(section=section))


# --- Questions -----------------------------------------------------------------------------------


@requires(Capability.NATIONAL_VIEW)
@require_POST
def question_add(request: AppRequest, questionnaire_id: int, version_id: int, section_id: int):
    """Add a question at the end of a section."""
    version, contents, section = _section(request, questionnaire_id, version_id, section_id)
    form = QuestionForm(request.POST, prefix_id=f"question-new-{section.pk}")

    def write():
        services.question_add(section=section, **form.values())

    return _saved(request, version, form, write, contents=contents, adding_to=section.pk, add_form=form)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def question_save(request: AppRequest, questionnaire_id: int, version_id: int, question_id: int):
    """Save a question, also into another section of the version."""
    version, contents, question = _question(request, questionnaire_id, version_id, question_id)
    form = QuestionForm(request.POST, prefix_id=f"question-{question.pk}", sections=contents.sections)

    def write():
        target = contents.section(form.cleaned_data.get("section")) if "section" in form.fields else None
        services.question_update(question=question, section=target, **form.values())

    return _saved(request, version, form, write, contents=contents, editing_question=question, question_form=form)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def question_up(request: AppRequest, questionnaire_id: int, version_id: int, question_id: int):
    """Move a question one place up within its section."""
    version, contents, question = _question(request, questionnaire_id, version_id, question_id)
    return _changed(request, version, contents, lambda: services.question_move(question=question, direction="up"))


@requires(Capability.NATIONAL_VIEW)
@require_POST
def question_down(request: AppRequest, questionnaire_id: int, version_id: int, question_id: int):
    """Move a question one place down within its section."""
    version, contents, question = _question(request, questionnaire_id, version_id, question_id)
    return _changed(request, version, contents, lambda: services.question_move(question=question, direction="down"))


@requires(Capability.NATIONAL_VIEW)
@require_POST
def question_delete(request: AppRequest, questionnaire_id: int, version_id: int, question_id: int):
    """Delete a question."""
    version, contents, question = _question(request, questionnaire_id, version_id, question_id)
    return _changed(request, version, contents, lambda: services.question_delete(question=question))


@requires(Capability.NATIONAL_VIEW)
@require_POST
def version_publish(request: AppRequest, questionnaire_id: int, version_id: int):
    """Publish the draft (then the page is read only), or 422 with what is missing."""
    version = _version(request, questionnaire_id, version_id)
    try:
        services.version_publish(version=version)
    except ValidationError as error:
        return _answer(request, version, status=422, part="version-publish", publish_errors=error.messages)
    return redirect_after(request, _version_url(version))
