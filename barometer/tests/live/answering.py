"""Answering like a person: open the link from the e-mail, read the form the page shows, pick an
option in every question, and press "Versturen". The form is read from the HTML, so a question the
page does not show cannot be answered and a field it does show cannot be missed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client


@dataclass
class AnswerPage:
    """What a person sees of the answer form: where it posts, its hidden fields, the options of
    every question (radio groups, in order) and its text areas."""

    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    buttons: dict[str, list[str]] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.page = AnswerPage()
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("method", "").lower() == "post":
            self._in_form = True
            self.page.action = attributes.get("action") or ""
        if not self._in_form:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind == "hidden":
                self.page.hidden[name] = attributes.get("value") or ""
            elif kind == "radio":
                self.page.choices.setdefault(name, []).append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self.page.texts.append(name)
        elif tag == "button" and name:
            self.page.buttons.setdefault(name, []).append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def read_answer_page(html: str) -> AnswerPage:
    reader = _FormReader()
    reader.feed(html)
    return reader.page


def answer_questionnaire(
    path: str, *, choose: Callable[[str, list[str]], str], text: str = ""
) -> tuple[AnswerPage, dict[str, str]]:
    """Open the answer page at `path` in a fresh browser (CSRF enforced), choose an option in every
    question with `choose(field name, options)`, write `text` in every text area and submit.
    Returns the page as read and what was posted; fails unless the submit is accepted."""
    client = Client(enforce_csrf_checks=True)
    opened = client.get(path)
    assert opened.status_code == 200, (path, opened.status_code)
    page = read_answer_page(opened.content.decode())
    assert page.action == path, f"the form posts to {page.action!r}, not to its own page"
    assert page.choices, "the answer page shows no question"
    assert "versturen" in page.buttons.get("actie", []), "the answer page has no Versturen button"
    data = {**page.hidden, "actie": "versturen"}
    for name, options in page.choices.items():
        data[name] = choose(name, options)
    for name in page.texts:
        data[name] = text
    submitted = client.post(page.action, data)
    assert submitted.status_code == 302, (path, submitted.status_code, submitted.content[:2000])
    thanks = client.get(submitted["Location"])
    assert thanks.status_code == 200, (path, thanks.status_code)
    return page, data
