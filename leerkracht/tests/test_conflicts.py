"""The core's edit-conflict protocol without any instrument: the type carries plain data (what
a page and an API serializer read alike), and the one view helper answers 409 with both values,
the typed form at the stored version, as htmx fragment or whole page. The instruments' own
conflicts are tested in instruments/tests/test_edit_conflicts.py."""

import datetime as dt
import json
import re

from django import forms
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from leerkracht.conflicts import EditConflict, FieldConflict, differing
from leerkracht.http import edit_conflict_response

SAVED_AT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)


class NoteForm(forms.Form):
    text = forms.CharField(label="Tekst")
    starts_on = forms.DateField(label="Datum", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


def conflict() -> EditConflict:
    return EditConflict(
        version=7,
        fields=differing(
            {"text": "Van hen", "starts_at": "dinsdag 10:00", "room": "Aula"},
            {"text": "Van mij", "starts_at": "woensdag 14:00", "room": " Aula "},
            {"text": "tekst", "starts_at": "wanneer", "room": "lokaal"},
        ),
        saved_by="Piet Bakker",
        saved_at=SAVED_AT,
    )


def answer(*, form, htmx: bool = True, page: str = "includes/conflict.html", **options):
    """The helper's answer to a POST (as htmx or a plain form) refused by `conflict()`."""
    request = RequestFactory().post("/", HTTP_HX_REQUEST="true") if htmx else RequestFactory().post("/")
    request.htmx = HtmxDetails(request)
    return edit_conflict_response(
        request, conflict(), form=form, page=page, fragment="includes/conflict.html", context={}, **options
    )


def test_only_fields_whose_values_differ_are_in_conflict_with_both_values_as_read():
    """White space alone is no difference; each field keeps its label and both values."""
    assert conflict().fields == (
        FieldConflict(field="text", label="tekst", theirs="Van hen", yours="Van mij"),
        FieldConflict(field="starts_at", label="wanneer", theirs="dinsdag 10:00", yours="woensdag 14:00"),
    )
    assert conflict().field("room") is None and conflict().field("text").theirs == "Van hen"


def test_the_conflict_is_plain_data_a_serializer_can_send():
    """Field names, both values, who saved and when, the stored version: JSON as it is."""
    body = json.loads(json.dumps(conflict().as_dict()))
    assert body == {
        "version": 7,
        "saved_by": "Piet Bakker",
        "saved_at": "2026-12-04T09:30:00+00:00",
        "fields": [
            {"field": "text", "label": "tekst", "theirs": "Van hen", "yours": "Van mij", "by": "", "at": None},
            {
                "field": "starts_at",
                "label": "wanneer",
                "theirs": "dinsdag 10:00",
                "yours": "woensdag 14:00",
                "by": "",
                "at": None,
            },
        ],
    }


def test_the_helper_answers_409_with_both_values_and_the_typed_form_at_the_stored_version():
    """The box shows theirs (with who) beside what was typed; the form keeps the typed text and
    now names version 7, so saving it again keeps that text. A field with another name in the
    form (the time edited as a date) links there under the conflict's own label."""
    form = NoteForm({"text": "Van mij", "version": "3"})
    assert form.is_valid()
    response = answer(
        form=form, title="Iemand anders heeft deze notitie intussen veranderd", anchors={"starts_at": "starts_on"}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "data-conflict" in html
    assert "Iemand anders heeft deze notitie intussen veranderd" in html
    assert '<a href="#id_text">Tekst</a>' in html, "the form's label, linking to its field"
    assert '<a href="#id_starts_on">Wanneer</a>' in html
    assert '<q class="conflict__theirs">Van hen</q>' in html and '<q class="conflict__yours">Van mij</q>' in html
    assert "Opgeslagen door Piet Bakker" in html
    assert form.cleaned_data["version"] == 7 and form["text"].value() == "Van mij"


def test_the_helper_gives_htmx_the_fragment_and_a_plain_post_the_page():
    answers = {}
    for htmx in (True, False):
        response = answer(form=NoteForm({"text": "Van mij", "version": "3"}), htmx=htmx, page="base.html")
        assert response.status_code == 409
        answers[htmx] = response.content.decode()
    assert "<html" in answers[False] and "<html" not in answers[True]
    assert re.search(r"Iemand anders heeft dit intussen ook veranderd", answers[True]), "the default heading"


def test_without_a_form_what_was_typed_survives_in_the_box_with_the_views_note():
    response = answer(form=None, note="Het staat nu elders.")
    html = response.content.decode()
    assert '<q class="conflict__yours">Van mij</q>' in html and "Het staat nu elders." in html
    assert 'href="#' not in html, "no link to a form that is not there"
