"""Writes on questionnaires: making one, drafting a new version from the last, editing the draft's
sections and questions, and publishing it.

A published version never changes again (DESIGN.md, issue 5: answers keep meaning what they
meant). Every edit therefore locks its version row and re-reads the status from the database
before writing, so an edit racing a publish either lands before it or is refused after it —
never half-way. Who may call these is decided before (Capability.NATIONAL_VIEW on the routes);
these services check what the data must satisfy whoever asks.
"""

from __future__ import annotations

import re
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from barometer.models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Section,
    VersionStatus,
)

Direction = Literal["up", "down"]

# A question's code is the item's name across versions and waves, and a column name in the
# results (pandas): plain lowercase ASCII, starting with a letter.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COMPONENT_PATTERN = re.compile(r"^[a-z0-9_-]*$")


def published_refusal() -> ValidationError:
    return ValidationError(_("Een gepubliceerde versie verandert niet meer; maak een nieuwe versie."), code="published")


# --- Checks -------------------------------------------------------------------------------------


def _locked_draft(version_id: int) -> QuestionnaireVersion:
    """The version row, locked for this transaction; refused when it is published (read from the
    database, not from the caller's possibly stale object)."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise published_refusal()
    return version


def _clean_text(errors: dict, name: str, value: str, *, max_length: int, required: str | None = None) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        errors[name] = required
    elif len(value) > max_length:
        errors[name] = _("Maximaal %(n)s tekens.") % {"n": max_length}
    return value


def _clean_component(errors: dict, component: str) -> str:
    component = (component or "").strip().lower()
    if len(component) > 60 or not COMPONENT_PATTERN.match(component):
        errors["component"] = _(
            "Een onderdeelcode bestaat uit kleine letters, cijfers, - en _, bijvoorbeeld feedback_culture."
        )
    return component


def _clean_question(errors: dict, *, code: str, kind: str, text: str, help_text: str) -> tuple[str, str, str, str]:
    code = (code or "").strip().lower()
    if not code:
        errors["code"] = _("Geef de vraag een itemcode, bijvoorbeeld helps_results.")
    elif len(code) > 60 or not CODE_PATTERN.match(code):
        errors["code"] = _(
            "Een itemcode bestaat uit kleine letters, cijfers en _ en begint met een letter, "
            "bijvoorbeeld helps_results."
        )
    if kind not in QuestionKind.values:
        errors["kind"] = _("Kies een soort vraag.")
    text = _clean_text(errors, "text", text, max_length=300, required=_("Schrijf de vraag op."))
    help_text = _clean_text(errors, "help_text", help_text, max_length=300)
    return code, kind, text, help_text


def _check_code_free(errors: dict, *, version_id: int, code: str, exclude_id: int | None = None) -> None:
    if "code" in errors:
        return
    taken = Question.objects.filter(version_id=version_id, code=code).exclude(pk=exclude_id).exists()
    if taken:
        errors["code"] = _("De itemcode %(code)s staat al in deze versie; kies een andere.") % {"code": code}


def _swap(items: list, index: int, direction: Direction) -> list:
    """The list with item `index` moved one place; unchanged at either end."""
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    return items


def _renumber(model, items: list) -> None:
    """Positions 0..n-1 in list order; only rows whose position changed are written."""
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        model.objects.bulk_update(changed, ["position"])


# --- Questionnaires and versions ----------------------------------------------------------------


@transaction.atomic
def questionnaire_create(*, slug: str, kind: str, title: str, description: str = "", user) -> Questionnaire:
    """Make a questionnaire with an empty draft version 1 to fill in."""
    errors: dict = {}
    slug = (slug or "").strip().lower()
    if not slug:
        errors["slug"] = _("Geef de vragenlijst een code, bijvoorbeeld impact-barometer.")
    elif len(slug) > 60 or not SLUG_PATTERN.match(slug):
        errors["slug"] = _("Een code bestaat uit kleine letters, cijfers en streepjes, bijvoorbeeld impact-barometer.")
    elif Questionnaire.objects.filter(slug=slug).exists():
        errors["slug"] = _("Er is al een vragenlijst met de code %(slug)s.") % {"slug": slug}
    if kind not in QuestionnaireKind.values:
        errors["kind"] = _("Kies de soort vragenlijst.")
    title = _clean_text(errors, "title", title, max_length=160, required=_("Geef de vragenlijst een titel."))
    description = (description or "").strip()
    if len(description) > 2000:
        errors["description"] = _("Maximaal %(n)s tekens.") % {"n": 2000}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(slug=slug, kind=kind, title=title, description=description)
    except IntegrityError:
        # Someone made the same code between the check and the insert.
        raise ValidationError({"slug": _("Er is al een vragenlijst met de code %(slug)s.") % {"slug": slug}}) from None
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1, created_by=user)
    return questionnaire


@transaction.atomic
def version_draft_create(*, questionnaire: Questionnaire, user) -> QuestionnaireVersion:
    """A new draft version copied from the latest one: its intro, sections and questions, codes
    and order kept. Refused while a draft exists (one draft per questionnaire)."""
    # The questionnaire row is the lock two admins clicking "new version" at once queue on.
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    versions = QuestionnaireVersion.objects.filter(questionnaire_id=questionnaire.pk)
    if versions.filter(status=VersionStatus.DRAFT).exists():
        raise ValidationError(
            _("Er is al een conceptversie van deze vragenlijst. Werk die bij of publiceer die eerst."), code="draft"
        )
    latest = versions.order_by("-number").first()
    draft = QuestionnaireVersion.objects.create(
        questionnaire_id=questionnaire.pk,
        number=(latest.number + 1) if latest else 1,
        intro=latest.intro if latest else "",
        created_by=user,
    )
    if latest is None:
        return draft
    sections = list(Section.objects.filter(version=latest).order_by("position", "id"))
    copies = Section.objects.bulk_create(
        [Section(version=draft, title=s.title, component=s.component, position=s.position) for s in sections]
    )
    copy_of = {old.pk: new for old, new in zip(sections, copies, strict=True)}
    Question.objects.bulk_create(
        [
            Question(
                version=draft,
                section=copy_of[q.section_id],
                code=q.code,
                kind=q.kind,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                position=q.position,
            )
            for q in Question.objects.filter(version=latest).order_by("section__position", "position", "id")
        ]
    )
    return draft


@transaction.atomic
def version_intro_update(*, version: QuestionnaireVersion, intro: str) -> QuestionnaireVersion:
    """Change the draft's introduction for the teacher."""
    locked = _locked_draft(version.pk)
    intro = (intro or "").strip()
    if len(intro) > 2000:
        raise ValidationError({"intro": _("Maximaal %(n)s tekens.") % {"n": 2000}})
    locked.intro = intro
    locked.save(update_fields=["intro"])
    return locked


@transaction.atomic
def version_publish(*, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Publish a draft: from now on it never changes. Needs at least one question and no empty
    section. Each item code is once in a version already: the database's unique constraint, and
    question_add/question_update refuse a taken code with a message on the field."""
    locked = _locked_draft(version.pk)
    sections = list(Section.objects.filter(version=locked).annotate(n=Count("questions")).order_by("position", "id"))
    problems = []
    if not any(s.n for s in sections):
        problems.append(_("Een versie heeft minstens één vraag nodig voordat je die publiceert."))
    empty = [s.title for s in sections if not s.n]
    if empty and len(empty) < len(sections):
        problems.append(
            _("Deze onderdelen hebben nog geen vragen: %(titles)s. Voeg vragen toe of verwijder ze.")
            % {"titles": ", ".join(empty)}
        )
    if problems:
        raise ValidationError(problems)
    locked.status = VersionStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    return locked


# --- Sections -----------------------------------------------------------------------------------


@transaction.atomic
def section_add(*, version: QuestionnaireVersion, title: str, component: str = "") -> Section:
    """Add a section at the end of a draft version."""
    locked = _locked_draft(version.pk)
    errors: dict = {}
    title = _clean_text(errors, "title", title, max_length=160, required=_("Geef het onderdeel een titel."))
    component = _clean_component(errors, component)
    if errors:
        raise ValidationError(errors)
    last = Section.objects.filter(version=locked).aggregate(m=Max("position"))["m"]
    return Section.objects.create(
        version=locked, title=title, component=component, position=0 if last is None else last + 1
    )


@transaction.atomic
def section_update(*, section: Section, title: str, component: str = "") -> Section:
    """Change a section's title and component."""
    _locked_draft(section.version_id)
    errors: dict = {}
    title = _clean_text(errors, "title", title, max_length=160, required=_("Geef het onderdeel een titel."))
    component = _clean_component(errors, component)
    if errors:
        raise ValidationError(errors)
    section.title, section.component = title, component
    section.save(update_fields=["title", "component"])
    return section


@transaction.atomic
def section_move(*, section: Section, direction: Direction) -> None:
    """Move a section one place up or down (nothing at either end)."""
    _locked_draft(section.version_id)
    sections = list(Section.objects.filter(version_id=section.version_id).order_by("position", "id"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    _renumber(Section, _swap(sections, index, direction))


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section of a draft with its questions."""
    _locked_draft(section.version_id)
    section.delete()
    _renumber(Section, list(Section.objects.filter(version_id=section.version_id).order_by("position", "id")))


# --- Questions ----------------------------------------------------------------------------------


@transaction.atomic
def question_add(
    *,
    section: Section,
    code: str,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = True,
) -> Question:
    """Add a question at the end of a section of a draft; its code must be new in the version."""
    _locked_draft(section.version_id)
    errors: dict = {}
    code, kind, text, help_text = _clean_question(errors, code=code, kind=kind, text=text, help_text=help_text)
    _check_code_free(errors, version_id=section.version_id, code=code)
    if errors:
        raise ValidationError(errors)
    last = Question.objects.filter(section=section).aggregate(m=Max("position"))["m"]
    return Question.objects.create(
        version_id=section.version_id,
        section=section,
        code=code,
        kind=kind,
        text=text,
        help_text=help_text,
        required=required,
        position=0 if last is None else last + 1,
    )


@transaction.atomic
def question_update(
    *,
    question: Question,
    code: str,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = True,
    section: Section | None = None,
) -> Question:
    """Change a question of a draft; with `section`, move it to the end of another section of the
    same version."""
    _locked_draft(question.version_id)
    errors: dict = {}
    code, kind, text, help_text = _clean_question(errors, code=code, kind=kind, text=text, help_text=help_text)
    _check_code_free(errors, version_id=question.version_id, code=code, exclude_id=question.pk)
    if section is not None and section.version_id != question.version_id:
        errors["section"] = _("Kies een onderdeel van deze versie.")
    if errors:
        raise ValidationError(errors)
    fields = ["code", "kind", "text", "help_text", "required"]
    question.code, question.kind, question.text, question.help_text, question.required = (
        code,
        kind,
        text,
        help_text,
        required,
    )
    if section is not None and section.pk != question.section_id:
        last = Question.objects.filter(section=section).aggregate(m=Max("position"))["m"]
        question.section = section
        question.position = 0 if last is None else last + 1
        fields += ["section", "position"]
    question.save(update_fields=fields)
    return question


@transaction.atomic
def question_move(*, question: Question, direction: Direction) -> None:
    """Move a question one place up or down within its section (nothing at either end)."""
    _locked_draft(question.version_id)
    questions = list(Question.objects.filter(section_id=question.section_id).order_by("position", "id"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    _renumber(Question, _swap(questions, index, direction))


@transaction.atomic
def question_delete(*, question: Question) -> None:
    """Delete a question of a draft."""
    _locked_draft(question.version_id)
    question.delete()
    _renumber(Question, list(Question.objects.filter(section_id=question.section_id).order_by("position", "id")))
