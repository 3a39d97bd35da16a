"""Stem van de leerling: the class's criteria, rounds, pupils' anonymous answers, live results with
their thresholds, and a pupil group's input on the team board."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import models
from django.http import HttpResponse
from django.test import Client, RequestFactory, TestCase
from django.utils import timezone

from instruments.models import (
    FeedbackAnswer,
    FeedbackCriterion,
    FeedbackDeviceMark,
    FeedbackResponse,
    FeedbackRound,
    FeedbackTop,
    PendingFeedback,
    PupilInput,
    QuestionKind,
    RoundStatement,
)
from instruments.selectors import feedback as feedback_selectors
from instruments.services import feedback as services
from instruments.services import lesson_design as lesson_design_services
from instruments.tests.factories import member
from instruments.views import pupil as pupil_views
from leerkracht.roles import Role
from leerkracht.tests.test_security import inline_code

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
COOKIE = pupil_views.DEVICE_COOKIE


# --- Builders ---------------------------------------------------------------------------------------


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def contents(world):
    return world.instruments[world.home.pk]


# Five more, after the one the world gives: six active criteria.
CRITERIA = [
    "Ik wist wat ik moest doen",
    "Ik kon vragen stellen",
    "We werkten samen",
    "Het tempo was goed",
    "Ik heb iets nieuws geleerd",
]


@pytest.fixture
def group(contents):
    """The home school's group with 6 active criteria (the world gives it one)."""
    for text in CRITERIA:
        services.feedback_criterion_add(group=contents.group, text=text)
    return contents.group


QUESTIONS = [
    services.QuestionSpec(kind=QuestionKind.RATING, text="Hoe goed begreep je de uitleg?"),
    services.QuestionSpec(kind=QuestionKind.CHOICE, text="Wat wil je nog oefenen?", choices=("Breuken", "Procenten")),
    services.QuestionSpec(kind=QuestionKind.TEXT, text="Wat wil je nog zeggen?"),
]


def open_round(world, teacher, group, *, questions=QUESTIONS, max_tops=3, **fields) -> FeedbackRound:
    return services.feedback_round_open(
        school_id=world.home.pk,
        teacher=teacher,
        group=group,
        title=fields.pop("title", "Breuken vergelijken"),
        closes_at=fields.pop("closes_at", timezone.now() + dt.timedelta(hours=1)),
        max_tops=max_tops,
        questions=questions,
        **fields,
    )


@pytest.fixture
def feedback_round(world, teacher, group):
    return open_round(world, teacher, group)


def parts(feedback_round):
    statements = list(RoundStatement.objects.filter(round=feedback_round).order_by("position"))
    questions = {q.kind: q for q in feedback_round.questions.all()}
    return statements, questions


def answer_data(feedback_round, *, tops=(0,), tip=1, rating=4, choice="Breuken", text="") -> dict:
    statements, questions = parts(feedback_round)
    data = {"tops": [str(statements[i].pk) for i in tops], "tip": str(statements[tip].pk)}
    if rating is not None:
        data[f"q{questions[QuestionKind.RATING].pk}"] = str(rating)
    if choice is not None:
        data[f"q{questions[QuestionKind.CHOICE].pk}"] = choice
    data[f"q{questions[QuestionKind.TEXT].pk}"] = text
    return data


def pupil_path(feedback_round) -> str:
    return f"/stem/{feedback_round.code}/"


def pupil(**extra) -> Client:
    """A pupil's device: its own cookie jar (and address, if given)."""
    return Client(**extra)


def committed():
    """The request's transactions commit as they do outside a test: what they leave for after the
    commit (the move of a full pool into the answers) runs when the block ends."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def answer(feedback_round, device: Client | None = None, **data_kwargs):
    """A pupil's visit and answer: GET (sets the device cookie), then POST, committed."""
    device = device or pupil()
    device.get(pupil_path(feedback_round))
    with committed():
        return device.post(pupil_path(feedback_round), answer_data(feedback_round, **data_kwargs))


def issued(value: str) -> str:
    """`value` as the device cookie the server issues it: signed."""
    response = HttpResponse()
    response.set_signed_cookie(COOKIE, value, salt=pupil_views.DEVICE_COOKIE_SALT)
    return response.cookies[COOKIE].value


def answers_stored(feedback_round) -> int:
    """Every answer stored for the round: sealed in its pool or already moved into the answers."""
    return (
        PendingFeedback.objects.filter(round=feedback_round).count()
        + FeedbackResponse.objects.filter(round=feedback_round).count()
    )


def round_url(feedback_round, path: str = "") -> str:
    return f"/school/{feedback_round.school_id}/stem/{feedback_round.pk}/{path}"


# --- Anonymity and one answer per device ---------------------------------------------------------------

PROBE_ADDRESS = "203.0.113.77"
PROBE_AGENT = "ProbeBrowser/9.9 (pupil-tablet-XYZ123)"
PROBE_COOKIE = "probe-cookie-value-0123456789abcdefghijklmnop"


def every_stored_value() -> list[str]:
    """Every column of every row of the models that hold pupils' answers, as text."""
    values = []
    for model in (FeedbackResponse, FeedbackTop, FeedbackAnswer, FeedbackDeviceMark, PendingFeedback):
        columns = [f.attname for f in model._meta.concrete_fields]
        for row in model.unscoped.values_list(*columns):
            values.extend(str(value) for value in row)
    return values


def test_no_stored_answer_holds_address_browser_cookie_or_time(feedback_round):
    """A pupil answers with a distinctive address, browser and cookie: no column of any answer row
    holds any of them, neither while the answer waits in the pool nor once the round closed and
    moved it, and the answer models have no date or time fields at all."""
    device = pupil(REMOTE_ADDR=PROBE_ADDRESS, HTTP_USER_AGENT=PROBE_AGENT)
    device.cookies[COOKIE] = issued(PROBE_COOKIE)
    response = answer(feedback_round, device, text="De uitleg met de pizza was fijn")
    assert response.status_code == 302
    assert PendingFeedback.objects.count() == 1 and FeedbackDeviceMark.objects.count() == 1
    pooled = every_stored_value()
    services.feedback_round_close(feedback_round=feedback_round)
    assert FeedbackResponse.objects.count() == 1 and PendingFeedback.objects.count() == 0
    for stored in (pooled, every_stored_value()):
        assert stored, "the answer was stored"
        for probe in (PROBE_ADDRESS, PROBE_AGENT, "pupil-tablet-XYZ123", PROBE_COOKIE, "ProbeBrowser"):
            assert not [value for value in stored if probe in value], probe
    for model in (FeedbackResponse, FeedbackTop, FeedbackAnswer, FeedbackDeviceMark, PendingFeedback):
        timed = [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateField | models.TimeField)]
        assert timed == [], model.__name__
    # The mark is the keyed hash of the cookie value under this round's key, nothing else.
    mark = FeedbackDeviceMark.objects.get()
    assert mark.digest == services.device_digest(feedback_round=feedback_round, device_value=PROBE_COOKIE)


def test_a_second_answer_from_the_same_device_is_refused_while_another_device_can_answer(feedback_round):
    first = pupil()
    assert answer(feedback_round, first).status_code == 302
    again = first.post(pupil_path(feedback_round), answer_data(feedback_round, tops=(2,), tip=3))
    assert again.status_code == 200
    assert "Je hebt al geantwoord, dank je!" in again.content.decode()
    assert answers_stored(feedback_round) == 1
    assert answer(feedback_round, pupil()).status_code == 302
    assert answers_stored(feedback_round) == 2
    services.feedback_round_close(feedback_round=feedback_round)
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 2


def test_the_same_device_may_answer_another_round(world, teacher, group, feedback_round):
    """Marks are per round (each round has its own key): one device, two rounds, two answers."""
    other = open_round(world, teacher, group, title="Procenten")
    device = pupil()
    assert answer(feedback_round, device).status_code == 302
    assert answer(other, device).status_code == 302
    digests = set(FeedbackDeviceMark.objects.values_list("digest", flat=True))
    assert len(digests) == 2


def test_the_service_refuses_a_second_answer_of_a_device_even_without_the_page(feedback_round):
    statements, _ = parts(feedback_round)
    submit = dict(feedback_round=feedback_round, device_value="x" * 40, top_ids=[statements[0].pk])
    services.feedback_response_submit(tip_id=statements[1].pk, **submit)
    with pytest.raises(services.AlreadyAnswered):
        services.feedback_response_submit(tip_id=statements[2].pk, **submit)
    assert answers_stored(feedback_round) == 1, "the refused answer left nothing behind"


def test_after_answering_the_pupil_sees_thanks(feedback_round):
    device = pupil()
    response = answer(feedback_round, device)
    assert response["Location"] == f"{pupil_path(feedback_round)}?klaar=1"
    thanks = device.get(response["Location"])
    assert thanks.status_code == 200 and "Dank je wel!" in thanks.content.decode()


def test_the_device_cookie_is_httponly_lax_and_limited_to_the_pupil_pages(feedback_round):
    response = pupil().get(pupil_path(feedback_round))
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/stem"
    # A random value, signed by the server (only values it issued count: test_pupil_guard.py).
    request = RequestFactory().get(pupil_path(feedback_round))
    request.COOKIES[COOKIE] = cookie.value
    value = request.get_signed_cookie(COOKIE, salt=pupil_views.DEVICE_COOKIE_SALT)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,64}", value)
    assert "no-store" in response["Cache-Control"]


def test_a_post_without_the_device_cookie_sets_it_and_keeps_the_choices(feedback_round):
    device = pupil()
    data = answer_data(feedback_round, tops=(0, 2), tip=4)
    response = device.post(pupil_path(feedback_round), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert COOKIE in response.cookies
    assert "tik nog een keer op Versturen" in html
    for top in data["tops"]:
        assert re.search(rf'value="{top}"[^>]*checked', html), "the chosen tops are still ticked"
    assert re.search(rf'value="{data["tip"]}"[^>]*checked', html)
    assert answers_stored(feedback_round) == 0
    assert device.post(pupil_path(feedback_round), data).status_code == 302


# --- The pupil's page: closed, unknown, rate limit, bad input ---------------------------------------------


def test_the_pupil_page_offers_tops_as_checkboxes_one_tip_as_radio_and_the_questions(feedback_round):
    html = pupil().get(pupil_path(feedback_round)).content.decode()
    statements, _ = parts(feedback_round)
    assert html.count('type="checkbox" name="tops"') == len(statements)
    assert html.count('type="radio" name="tip"') == len(statements)
    for question in QUESTIONS:
        assert question.text in html
    assert inline_code(html) == []


def test_the_pupil_page_names_neither_the_teacher_nor_other_rounds(world, teacher, group, feedback_round):
    other = open_round(world, teacher, group, title="Een andere les")
    html = pupil().get(pupil_path(feedback_round)).content.decode()
    assert teacher.first_name not in html and teacher.last_name not in html and teacher.email not in html
    assert other.title not in html and other.code not in html


@pytest.mark.parametrize("how", ["by_hand", "by_time"])
def test_a_closed_round_answers_with_a_friendly_page(feedback_round, how):
    if how == "by_hand":
        services.feedback_round_close(feedback_round=feedback_round)
    else:
        FeedbackRound.objects.filter(pk=feedback_round.pk).update(
            opened_at=timezone.now() - dt.timedelta(hours=2), closes_at=timezone.now() - dt.timedelta(minutes=1)
        )
    device = pupil()
    for response in (device.get(pupil_path(feedback_round)), device.post(pupil_path(feedback_round), {})):
        assert response.status_code == 410
        assert "Deze ronde is gesloten" in response.content.decode()
    assert answers_stored(feedback_round) == 0


@pytest.mark.parametrize("path", ["/stem/ZZZZZZ/", "/s/ZZZZZZ", "/stem/?code=ZZZZZZ", "/stem/%3Cscript%3E/"])
def test_an_unknown_code_answers_with_a_friendly_page(db, path):
    response = pupil().get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Deze code kennen we niet" in html
    assert inline_code(html) == []


def test_a_posted_answer_to_an_unknown_code_is_a_friendly_page(db):
    response = pupil().post("/stem/ZZZZZZ/", {"tip": "1"})
    assert response.status_code == 404 and "Deze code kennen we niet" in response.content.decode()


def test_the_code_page_sends_a_known_code_on_to_its_answer_page(feedback_round):
    typed = " " + feedback_round.code.lower() + " "
    response = pupil().get("/stem/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == pupil_path(feedback_round)


def test_the_short_address_redirects_to_the_answer_page_and_leaves_the_device_cookie_alone(feedback_round):
    """The short address is outside the cookie's path: it never sees the cookie, so it must not
    set one (that would replace the device's value on every scan)."""
    response = pupil().get(f"/s/{feedback_round.code}")
    assert response.status_code == 302 and response["Location"] == pupil_path(feedback_round)
    assert COOKIE not in response.cookies
    assert "no-store" in response["Cache-Control"]


# --- One device, every way in ----------------------------------------------------------------------


def path_matches(request_path: str, cookie_path: str) -> bool:
    """RFC 6265 §5.1.4: whether a browser sends a cookie of `cookie_path` with `request_path`."""
    cookie_path = cookie_path or "/"
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")


class Phone(Client):
    """A pupil's phone as a browser is one: a cookie goes only with requests under its Path (the
    test client sends every cookie everywhere, which hid that the short address never saw the
    device cookie), and redirects are followed."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        path = environ["PATH_INFO"]
        environ["HTTP_COOKIE"] = "; ".join(
            f"{morsel.key}={morsel.coded_value}"
            for morsel in self.cookies.values()
            if path_matches(path, morsel["path"])
        )
        return environ

    def come_in(self, way: str, feedback_round):
        """Open the round's answer page the way a pupil does, following redirects."""
        if way == "qr":  # the camera opens the short address the QR code holds
            return self.get(f"/s/{feedback_round.code}", follow=True)
        if way == "typed":  # the code typed on /stem/, in lower case with a stray space
            return self.get("/stem/", {"code": f" {feedback_round.code.lower()}"}, follow=True)
        return self.get(pupil_path(feedback_round), follow=True)  # a direct link

    def answer(self, way: str, feedback_round, **data_kwargs):
        page = self.come_in(way, feedback_round)
        if page.request["PATH_INFO"] != pupil_path(feedback_round) or "Versturen" not in page.content.decode():
            return page  # no form to send: the page refused already
        return self.post(pupil_path(feedback_round), answer_data(feedback_round, **data_kwargs), follow=True)


def test_the_phone_client_sends_a_cookie_only_under_its_path():
    assert path_matches("/stem/ABC123/", "/stem") and path_matches("/stem", "/stem")
    assert not path_matches("/s/ABC123", "/stem") and not path_matches("/stemmen/", "/stem")
    assert path_matches("/s/ABC123", "/")


WAYS = ["qr", "typed", "direct"]


@pytest.mark.parametrize("way", WAYS)
def test_a_first_answer_comes_in_by_every_way(feedback_round, way):
    done = Phone().answer(way, feedback_round)
    assert done.status_code == 200 and "Dank je wel!" in done.content.decode()
    assert answers_stored(feedback_round) == 1
    assert FeedbackDeviceMark.objects.filter(round=feedback_round).count() == 1


@pytest.mark.parametrize("second", WAYS)
@pytest.mark.parametrize("first", WAYS)
def test_a_second_answer_from_the_same_phone_is_refused_whichever_way_it_comes_in(feedback_round, first, second):
    """One phone answers by one way, then comes back by any way (scanning the QR code again
    included): the answer page says it already answered, and nothing more is stored."""
    phone = Phone()
    assert "Dank je wel!" in phone.answer(first, feedback_round).content.decode()
    again = phone.come_in(second, feedback_round)
    html = again.content.decode()
    assert again.status_code == 200 and "Je hebt al geantwoord, dank je!" in html
    assert 'name="tops"' not in html, "no form to answer again"
    assert "Dit antwoord telt niet mee" not in html, "nothing was sent this time"
    assert answers_stored(feedback_round) == 1
    # The device's value is the one it got on its first visit: no way in replaced it.
    assert len([m for m in phone.cookies.values() if m.key == COOKIE]) == 1


@pytest.mark.parametrize("way", WAYS)
def test_a_second_answer_sent_from_a_page_opened_before_the_first_is_refused(feedback_round, way):
    """Two tabs on one phone, both opened by `way` before answering: the first answer counts,
    the second is refused with a clear message."""
    phone = Phone()
    phone.come_in(way, feedback_round)
    phone.come_in(way, feedback_round)
    first = phone.post(pupil_path(feedback_round), answer_data(feedback_round), follow=True)
    assert "Dank je wel!" in first.content.decode()
    second = phone.post(pupil_path(feedback_round), answer_data(feedback_round, tops=(2,), tip=3))
    html = second.content.decode()
    assert second.status_code == 200 and "Je hebt al geantwoord, dank je!" in html
    assert "Dit antwoord telt niet mee" in html
    assert answers_stored(feedback_round) == 1


def test_another_phone_still_answers_after_the_first_scanned_twice(feedback_round):
    phone = Phone()
    phone.answer("qr", feedback_round)
    phone.come_in("qr", feedback_round)
    assert "Dank je wel!" in Phone().answer("qr", feedback_round).content.decode()
    assert answers_stored(feedback_round) == 2


def test_flooding_from_one_address_is_stopped_with_a_friendly_429(feedback_round, monkeypatch):
    monkeypatch.setattr(pupil_views, "ADDRESS_LIMIT", 3)
    statuses = [answer(feedback_round, pupil(REMOTE_ADDR="198.51.100.9")).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = answer(feedback_round, pupil(REMOTE_ADDR="198.51.100.9"))
    assert refused.status_code == 429 and "Even rustig aan" in refused.content.decode()
    assert refused["Retry-After"]
    assert FeedbackResponse.objects.count() == 3
    assert answer(feedback_round, pupil(REMOTE_ADDR="198.51.100.10")).status_code == 302, "another address may"


def test_rapid_tries_from_one_device_are_stopped_with_429(feedback_round):
    device = pupil()
    device.get(pupil_path(feedback_round))
    bad = {"tops": [], "tip": ""}
    statuses = [device.post(pupil_path(feedback_round), bad).status_code for _ in range(pupil_views.DEVICE_LIMIT + 1)]
    assert statuses[:-1] == [422] * pupil_views.DEVICE_LIMIT and statuses[-1] == 429


def test_the_rate_limit_keeps_no_address_or_cookie_in_the_cache(feedback_round):
    from django.core.cache import cache

    device = pupil(REMOTE_ADDR=PROBE_ADDRESS)
    device.cookies[COOKIE] = PROBE_COOKIE
    answer(feedback_round, device)
    if hasattr(cache._cache, "get_client"):  # Redis, as in CI and production
        raw = cache._cache.get_client().keys("*pv:*")
    else:  # the embedded default (local memory)
        raw = [key for key in cache._cache if "pv:" in key]
    keys = [key.decode() if isinstance(key, bytes) else key for key in raw]
    assert keys, "the counters live in the cache"
    assert not [k for k in keys if PROBE_ADDRESS in k or PROBE_COOKIE in k]


INVALID = {
    "no tip": (dict(tip=None), "Kies één tip"),
    "no top": (dict(tops=()), "Kies minstens één top"),
    "too many tops": (dict(tops=(0, 2, 3, 4)), "Kies hoogstens 3 tops"),
    "tip is also a top": (dict(tops=(0, 1), tip=1), "andere uitspraak dan je tops"),
    "rating outside 1-5": (dict(rating=7), "Kies een cijfer van 1 tot 5"),
    "choice not offered": (dict(choice="Gokken"), "Kies een van de antwoorden"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_pupil_input_is_refused_with_a_friendly_message_and_the_choices_kept(feedback_round, case):
    changes, message = INVALID[case]
    device = pupil()
    device.get(pupil_path(feedback_round))
    kwargs = dict(changes)
    drop_tip = "tip" in kwargs and kwargs["tip"] is None
    if drop_tip:
        kwargs["tip"] = 1
    data = answer_data(feedback_round, **kwargs)
    if drop_tip:
        del data["tip"]
    response = device.post(pupil_path(feedback_round), data)
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    for top in data["tops"]:
        assert re.search(rf'name="tops" value="{top}"[^>]*checked', html), "the chosen tops are kept"
    assert answers_stored(feedback_round) == 0 and FeedbackDeviceMark.objects.count() == 0


def test_an_unknown_statement_id_is_refused_with_422(world, feedback_round):
    device = pupil()
    device.get(pupil_path(feedback_round))
    foreign_statement = RoundStatement.objects.filter(round=world.instruments[world.foreign.pk].feedback_round).get()
    data = answer_data(feedback_round)
    data["tops"] = [str(foreign_statement.pk)]
    response = device.post(pupil_path(feedback_round), data)
    assert response.status_code == 422
    assert "Kies je tops uit de uitspraken hierboven." in response.content.decode()
    assert answers_stored(feedback_round) == 0


# --- Results and their thresholds -------------------------------------------------------------------------


def answers_from(feedback_round, n: int, **kwargs) -> None:
    for _ in range(n):
        assert answer(feedback_round, pupil(), **kwargs).status_code == 302


def results_html(client, feedback_round) -> str:
    response = client.get(round_url(feedback_round, "resultaten/"), **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_counts_and_averages_are_hidden_below_three_answers_and_shown_at_three(client, teacher, feedback_round):
    """Two answers wait in the pool (the count says so; nothing is tallied yet); the third moves
    the batch of three into the tallies."""
    client.force_login(teacher)
    answers_from(feedback_round, 2, rating=4, choice="Procenten")
    html = results_html(client, feedback_round)
    assert '<span id="response-count" hx-swap-oob="innerHTML">0 antwoorden (2 onderweg)</span>' in html
    assert "feedback-average" not in html and "Gemiddeld" not in html
    assert 'class="feedback-num"' not in html, "no counts per statement"
    assert "verschijnen zodra er 3 antwoorden zijn" in html
    answers_from(feedback_round, 1, rating=5, choice="Procenten")
    html = results_html(client, feedback_round)
    assert "3 antwoorden" in html
    assert re.search(r'class="feedback-average">Gemiddeld <strong>4,3</strong> van 5', html)
    assert re.search(r"<span>Procenten</span> <strong class=\"feedback-num\">3</strong>", html)
    statements, _ = parts(feedback_round)
    assert re.search(rf"{statements[0].text}</th>\s*<td class=\"num\"><span class=\"feedback-num\">3</span>", html)


def test_open_answers_are_hidden_below_five_and_shown_at_five_in_shuffled_order(
    client, teacher, feedback_round, monkeypatch
):
    client.force_login(teacher)
    texts = [f"Antwoord nummer {n}" for n in range(5)]
    for text in texts[:4]:
        assert answer(feedback_round, pupil(), text=text).status_code == 302
    html = results_html(client, feedback_round)
    assert not [t for t in texts if t in html]
    assert "Open antwoorden verschijnen vanaf 5 antwoorden" in html
    assert answer(feedback_round, pupil(), text=texts[4]).status_code == 302
    # The fifth waits in the pool with the fourth (the next batch is three); closing moves both.
    services.feedback_round_close(feedback_round=feedback_round)
    shuffled = []
    monkeypatch.setattr(feedback_selectors, "_shuffle", lambda items: (items.reverse(), shuffled.append(list(items))))
    html = results_html(client, feedback_round)
    shown = re.findall(r"<li>(Antwoord nummer \d)</li>", html)
    assert set(shown) == set(texts), "every open answer is shown once there are 5"
    assert shuffled and shown == shuffled[0], "they are shown in the order the shuffle gave"


def test_the_results_are_shuffled_on_every_render(feedback_round, monkeypatch):
    answers_from(feedback_round, 5, text="iets")
    services.feedback_round_close(feedback_round=feedback_round)  # the last two join the tallies
    calls = []
    monkeypatch.setattr(feedback_selectors, "_shuffle", lambda items: calls.append(len(items)))
    feedback_selectors.round_results(feedback_round=feedback_round)
    feedback_selectors.round_results(feedback_round=feedback_round)
    assert calls == [5, 5]


def test_the_results_poll_answers_204_while_nothing_changed(client, teacher, feedback_round):
    client.force_login(teacher)
    first = client.get(round_url(feedback_round, "resultaten/"), **HTMX)
    seen = re.search(r"gezien=([\d-]+)", first.content.decode()).group(1)
    assert seen == "0-1"
    assert client.get(round_url(feedback_round, "resultaten/"), {"gezien": seen}, **HTMX).status_code == 204
    answers_from(feedback_round, 1)
    services.feedback_round_close(feedback_round=feedback_round)  # the answer joins the tallies
    changed = client.get(round_url(feedback_round, "resultaten/"), {"gezien": seen}, **HTMX)
    assert changed.status_code == 200
    assert '<span id="response-count" hx-swap-oob="innerHTML">1 antwoord</span>' in changed.content.decode()


def test_the_live_page_polls_the_results_and_announces_the_count_politely(client, teacher, feedback_round):
    client.force_login(teacher)
    html = client.get(round_url(feedback_round)).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert re.search(r'aria-live="polite"[^>]*><span id="response-count">0 antwoorden</span>', html)
    assert feedback_round.code in html and f"/s/{feedback_round.code}" in html
    assert inline_code(html) == []
    services.feedback_round_close(feedback_round=feedback_round)
    html = client.get(round_url(feedback_round)).content.decode()
    assert 'hx-trigger="every 2s"' not in html, "a closed round gets no more answers: no polling"
    assert "De ronde is gesloten" in html


def test_the_projected_view_shows_code_qr_and_results_without_controls(client, teacher, feedback_round):
    client.force_login(teacher)
    answers_from(feedback_round, 3)
    html = client.get(round_url(feedback_round, "projectie/")).content.decode()
    assert feedback_round.code in html and "qr.svg" in html and f"/s/{feedback_round.code}" in html
    assert "feedback-average" in html
    assert "Sluiten" not in html and "<form" not in html.split('id="main"')[1].split("</main>")[0]
    assert inline_code(html) == []
    services.feedback_round_close(feedback_round=feedback_round)
    html = client.get(round_url(feedback_round, "projectie/")).content.decode()
    assert "qr.svg" not in html, "no code to join a closed round"


def test_the_qr_code_is_an_svg_of_the_short_address_without_style(client, teacher, feedback_round):
    client.force_login(teacher)
    response = client.get(round_url(feedback_round, "qr.svg"))
    svg = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert svg.startswith("<svg") and "style" not in svg and "<script" not in svg


# --- The teacher's rule ------------------------------------------------------------------------------------

ROUND_ROUTES = [("get", ""), ("get", "resultaten/"), ("get", "projectie/"), ("get", "qr.svg"), ("post", "sluiten/")]


@pytest.mark.parametrize("role", [None, Role.SCHOOLCOACH, Role.SCHOOLLEIDER])
def test_only_the_teacher_who_opened_a_round_reaches_it(client, world, feedback_round, role):
    """Another teacher of the same school, and the schoolcoach and leader, get 404 for every route
    of the round, as page and as partial: what a class says is for its teacher."""
    client.force_login(member(world.home_team) if role is None else world.users[role])
    for method, path in ROUND_ROUTES:
        for headers in ({}, HTMX):
            assert getattr(client, method)(round_url(feedback_round, path), **headers).status_code == 404, path
    assert FeedbackRound.objects.get(pk=feedback_round.pk).closed_at is None


def test_a_round_list_shows_only_the_teachers_own_rounds_open_first(client, world, teacher, group):
    closed = open_round(world, teacher, group, title="Oude les")
    services.feedback_round_close(feedback_round=closed)
    current = open_round(world, teacher, group, title="Nieuwe les")
    colleague = member(world.home_team)
    theirs = open_round(world, colleague, group, title="Les van een collega")
    client.force_login(teacher)
    html = client.get(f"/school/{world.home.pk}/stem/").content.decode()
    assert html.index(current.title) < html.index(closed.title)
    assert theirs.title not in html
    assert inline_code(html) == []


def test_the_teacher_closes_a_round_by_hand(client, teacher, feedback_round):
    client.force_login(teacher)
    response = client.post(round_url(feedback_round, "sluiten/"))
    assert response.status_code == 302 and response["Location"] == round_url(feedback_round)
    assert FeedbackRound.objects.get(pk=feedback_round.pk).closed_at is not None
    assert "De ronde is gesloten" in client.get(round_url(feedback_round)).content.decode()


def test_closing_in_a_second_tab_keeps_the_first_closing_time(client, teacher, feedback_round):
    client.force_login(teacher)
    client.post(round_url(feedback_round, "sluiten/"))
    first = FeedbackRound.objects.get(pk=feedback_round.pk).closed_at
    response = client.post(round_url(feedback_round, "sluiten/"), **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == round_url(feedback_round)
    assert FeedbackRound.objects.get(pk=feedback_round.pk).closed_at == first


def test_the_projected_results_poll_as_projection(client, teacher, feedback_round):
    client.force_login(teacher)
    html = client.get(round_url(feedback_round, "projectie/")).content.decode()
    assert "weergave=projectie" in html
    partial = client.get(round_url(feedback_round, "resultaten/"), {"weergave": "projectie"}, **HTMX)
    assert "feedback-results--projection" in partial.content.decode()


# --- Opening a round -------------------------------------------------------------------------------------


def new_round_data(**changes) -> dict:
    closes = timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    data = {"group": "Groep 7", "title": "Kommagetallen", "closes_at": closes, "max_tops": "3", "lesson_design": ""}
    data.update(changes)
    return data


def test_the_new_round_form_closes_an_hour_from_now_in_amsterdam_time(client, world, teacher):
    client.force_login(teacher)
    html = client.get(f"/school/{world.home.pk}/stem/nieuw/").content.decode()
    expected = timezone.localtime(timezone.now() + dt.timedelta(hours=1))
    value = re.search(r'type="datetime-local" name="closes_at" value="([^"]+)"', html).group(1)
    shown = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=expected.tzinfo)
    assert abs((shown - expected).total_seconds()) < 120
    assert '<datalist id="group-names">' in html and "Groep 7" in html
    assert inline_code(html) == []


def test_opening_a_round_snapshots_the_criteria_and_makes_a_short_unambiguous_code(client, world, teacher, group):
    client.force_login(teacher)
    data = new_round_data(q1_kind="choice", q1_text="Wat oefen je nog?", q1_choices="Breuken\nProcenten")
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", data)
    created = FeedbackRound.objects.get(title="Kommagetallen", teacher=teacher)
    assert response.status_code == 302 and response["Location"] == round_url(created)
    assert re.fullmatch(f"[{services.CODE_ALPHABET}]{{6}}", created.code)
    texts = list(RoundStatement.objects.filter(round=created).order_by("position").values_list("text", flat=True))
    active = list(FeedbackCriterion.objects.filter(group=group, archived=False).values_list("text", flat=True))
    assert texts == active and len(texts) == 6
    assert list(created.questions.values_list("kind", "choices")) == [("choice", ["Breuken", "Procenten"])]
    # Changing a criterion later leaves the round's words alone.
    criterion = FeedbackCriterion.objects.filter(group=group).first()
    services.feedback_criterion_update(
        criterion=criterion, user=teacher, text="Nieuwe woorden", version=criterion.version
    )
    assert "Nieuwe woorden" not in RoundStatement.objects.filter(round=created).values_list("text", flat=True)


def test_a_round_for_a_group_without_enough_criteria_is_refused_with_a_link_to_agree_them(
    client, world, teacher, contents
):
    client.force_login(teacher)
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(title="Te vroeg"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "Spreek eerst samen met de klas 5 tot 10" in html
    assert f"/school/{world.home.pk}/stem/groepen/{contents.group.pk}/criteria/" in html
    assert 'value="Te vroeg"' in html, "what was typed is kept"
    assert not FeedbackRound.objects.filter(title="Te vroeg").exists()


def test_a_new_group_typed_in_the_form_is_made_and_linked_to_its_criteria(client, world, teacher):
    client.force_login(teacher)
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(group="3havo-b"))
    assert response.status_code == 422
    assert "/stem/groepen/" in response.content.decode() and "3havo-b" in response.content.decode()


def test_more_than_ten_criteria_is_refused(world, teacher, group):
    for n in range(5):
        FeedbackCriterion.objects.create(school=world.home, group=group, text=f"Extra {n}", position=20 + n)
    with pytest.raises(services.NotEnoughCriteria, match="meer dan 10"):
        open_round(world, teacher, group)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": "2020-01-01T10:00"}, "Kies een tijd in de toekomst."),
        ({"closes_at": "morgen"}, "Kies een datum en tijd."),
        ({"title": ""}, "Geef de les of het onderwerp een naam."),
        ({"q1_kind": "choice", "q1_text": "Welke?", "q1_choices": "Alleen één"}, "Geef 2 tot 6 verschillende"),
        ({"q1_kind": "rating", "q1_text": ""}, "Schrijf de vraag op"),
        ({"max_tops": "9"}, "Selecteer een geldige keuze"),
    ],
)
def test_a_bad_new_round_is_refused_with_a_dutch_message_and_kept(client, world, teacher, group, changes, message):
    client.force_login(teacher)
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not FeedbackRound.objects.filter(teacher=teacher, title="Kommagetallen").exists()


def test_a_lesson_design_of_another_school_cannot_be_chosen(client, world, teacher, group):
    client.force_login(teacher)
    foreign = world.instruments[world.foreign.pk].design
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(lesson_design=str(foreign.pk)))
    assert response.status_code == 422
    own = world.instruments[world.home.pk].design
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(lesson_design=str(own.pk)))
    assert response.status_code == 302
    assert FeedbackRound.objects.get(teacher=teacher, title="Kommagetallen").lesson_design_id == own.pk


def test_a_teacher_can_pick_a_lesson_design_shared_with_their_team(client, world, teacher, group):
    """The round's choice of lesson design reads the one rule of readable designs: a design of
    another team, shared with the teacher's team, is offered and taken; an unshared one is not."""
    stranger = member(world.other_home_team)
    design_of = {
        title: lesson_design_services.lesson_design_create(
            team=world.other_home_team, user=stranger, title=title, subject="Rekenen", group="7", lesson_goal="Doel"
        )
        for title in ("Gedeeld met team A", "Alleen team B")
    }
    shared, unshared = design_of["Gedeeld met team A"], design_of["Alleen team B"]
    lesson_design_services.lesson_design_share(design=shared, user=stranger, team=world.home_team)
    client.force_login(teacher)
    html = client.get(f"/school/{world.home.pk}/stem/nieuw/").content.decode()
    assert shared.title in html and unshared.title not in html
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(lesson_design=str(unshared.pk)))
    assert response.status_code == 422
    response = client.post(f"/school/{world.home.pk}/stem/nieuw/", new_round_data(lesson_design=str(shared.pk)))
    assert response.status_code == 302
    assert FeedbackRound.objects.get(teacher=teacher, title="Kommagetallen").lesson_design_id == shared.pk


# --- The class's own criteria -----------------------------------------------------------------------------


def criteria_url(group, path: str = "") -> str:
    return f"/school/{group.school_id}/stem/groepen/{group.pk}/criteria/{path}"


def test_a_teacher_adds_a_criterion_with_htmx_and_gets_the_section_back(client, teacher, contents):
    client.force_login(teacher)
    response = client.post(criteria_url(contents.group), {"text": "  We lachten samen  "}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="criteria"')
    assert "We lachten samen" in html
    assert FeedbackCriterion.objects.filter(group=contents.group, text="We lachten samen").exists()


def test_without_javascript_adding_a_criterion_redirects_back(client, teacher, contents):
    client.force_login(teacher)
    response = client.post(criteria_url(contents.group), {"text": "Ik mocht kiezen"})
    assert response.status_code == 302 and response["Location"].endswith("/criteria/#criteria")


def test_an_empty_criterion_is_refused_inline(client, teacher, contents):
    client.force_login(teacher)
    response = client.post(criteria_url(contents.group), {"text": "   "}, **HTMX)
    assert response.status_code == 422 and "Schrijf de uitspraak op." in response.content.decode()


def test_an_eleventh_criterion_is_refused_and_what_was_typed_kept(client, teacher, group):
    for n in range(4):
        services.feedback_criterion_add(group=group, text=f"Uitspraak {n}")
    client.force_login(teacher)
    # The add form is gone at ten; a forged post is refused by the service.
    response = client.post(criteria_url(group), {"text": "Nummer elf"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "hoogstens 10 uitspraken" in html and 'value="Nummer elf"' in html


def test_a_criterion_is_edited_moved_and_archived(client, teacher, group):
    client.force_login(teacher)
    first, second = FeedbackCriterion.objects.filter(group=group).order_by("position", "id")[:2]
    form = client.get(criteria_url(group, f"{first.pk}/"), **HTMX).content.decode()
    assert form.lstrip().startswith(f'<li id="criterion-{first.pk}"') and 'name="text"' in form
    assert client.post(criteria_url(group, f"{first.pk}/opslaan/"), {"text": "Helder"}, **HTMX).status_code == 200
    assert client.post(criteria_url(group, f"{first.pk}/omlaag/"), **HTMX).status_code == 200
    order = list(
        FeedbackCriterion.objects.filter(group=group, archived=False).order_by("position").values_list("pk", flat=True)
    )
    assert order[:2] == [second.pk, first.pk]
    assert client.post(criteria_url(group, f"{first.pk}/archiveren/"), **HTMX).status_code == 200
    first.refresh_from_db()
    assert first.archived and first.text == "Helder"
    bad = client.post(criteria_url(group, f"{second.pk}/opslaan/"), {"text": ""}, **HTMX)
    assert bad.status_code == 422 and "Schrijf de uitspraak op." in bad.content.decode()


def test_a_criterion_of_another_group_through_this_groups_url_is_404(client, world, teacher, contents):
    other = services.pupil_group_get_or_create(school_id=world.home.pk, name="Groep 8")
    theirs = services.feedback_criterion_add(group=other, text="Van groep 8")
    client.force_login(teacher)
    assert client.get(criteria_url(contents.group, f"{theirs.pk}/")).status_code == 404
    for operation in ("opslaan", "omhoog", "omlaag", "archiveren", "terugzetten"):
        assert client.post(criteria_url(contents.group, f"{theirs.pk}/{operation}/")).status_code == 404


def test_the_group_shortcut_opens_a_groups_criteria(client, world, teacher):
    client.force_login(teacher)
    response = client.post(f"/school/{world.home.pk}/stem/groepen/", {"group": "Groep 5b"})
    assert response.status_code == 302 and "/criteria/" in response["Location"]
    assert client.post(f"/school/{world.home.pk}/stem/groepen/", {"group": " "}).status_code == 422


# --- A pupil group's input on the team board ----------------------------------------------------------------


def input_url(board_contents) -> str:
    board, goal = board_contents.board, board_contents.goal
    return f"/school/{board.school_id}/borden/{board.pk}/doelen/{goal.pk}/leerlingen/"


def test_pupil_input_is_recorded_and_shown_escaped_on_the_goal_card(client, world, teacher):
    home = world.boards[world.home.pk]
    client.force_login(teacher)
    data = {
        "group": "Leerlingenraad",
        "week": "",
        "pupils": "5",
        "what_helps": "Stilteplekken",
        "suggestions": "<b>Vaker</b> voorlezen & samen kiezen",
    }
    page = client.get(input_url(home)).content.decode()
    data["week"] = re.search(r'<option value="([^"]+)" selected>', page).group(1)
    response = client.post(input_url(home), data)
    assert response.status_code == 302 and response["Location"].endswith("#inputs")
    saved = PupilInput.objects.filter(goal=home.goal).order_by("-id").first()
    assert saved.pupils == 5 and saved.group.name == "Leerlingenraad" and saved.recorded_by == teacher
    board_html = client.get(f"/school/{home.board.school_id}/borden/{home.board.pk}/").content.decode()
    assert "&lt;b&gt;Vaker&lt;/b&gt; voorlezen &amp; samen kiezen" in board_html
    assert "<b>Vaker</b>" not in board_html
    assert "Inbreng van leerlingen (2×)" in board_html, "the world's input and this one"
    assert input_url(home) in board_html


def test_bad_pupil_input_is_refused_and_kept(client, world, teacher):
    home = world.boards[world.home.pk]
    client.force_login(teacher)
    response = client.post(input_url(home), {"pupils": "0", "week": "2026-W47", "what_helps": "Rust"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Schrijf op wat de leerlingen voorstelden." in html and "1 tot 40" in html
    assert re.search(r">\s*Rust</textarea>", html)


def test_pupil_input_for_a_goal_of_another_board_is_404(client, world, teacher):
    home = world.boards[world.home.pk]
    client.force_login(teacher)
    foreign_goal = world.boards[world.foreign.pk].goal
    url = f"/school/{home.board.school_id}/borden/{home.board.pk}/doelen/{foreign_goal.pk}/leerlingen/"
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_readers_of_the_board_see_pupil_input_but_may_not_record_it(client, world, role):
    home = world.boards[world.home.pk]
    client.force_login(world.users[role])
    board_html = client.get(f"/school/{home.board.school_id}/borden/{home.board.pk}/").content.decode()
    assert "Meer tijd om samen te lezen" in board_html
    assert input_url(home) not in board_html
    assert client.get(input_url(home)).status_code == 403


def test_every_feedback_page_passes_the_strict_content_security_policy(client, world, teacher, feedback_round):
    """No inline script, style or handler on any page of the instrument, teacher's or pupil's,
    including its error pages and partials."""
    home = world.boards[world.home.pk]
    group = feedback_round.group
    teacher_pages = [
        f"/school/{world.home.pk}/stem/",
        f"/school/{world.home.pk}/stem/nieuw/",
        criteria_url(group),
        criteria_url(group, f"{group.criteria.first().pk}/"),
        round_url(feedback_round),
        round_url(feedback_round, "projectie/"),
        input_url(home),
    ]
    client.force_login(teacher)
    for url in teacher_pages:
        for headers in ({}, HTMX):
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert inline_code(response.content.decode()) == [], url
    assert inline_code(results_html(client, feedback_round)) == []
    device = pupil()
    for url in ["/stem/", "/stem/?code=ZZZZZZ", pupil_path(feedback_round)]:
        assert inline_code(device.get(url).content.decode()) == [], url
    invalid = device.post(pupil_path(feedback_round), {"tops": [], "tip": ""})
    assert invalid.status_code == 422 and inline_code(invalid.content.decode()) == []
    services.feedback_round_close(feedback_round=feedback_round)
    assert inline_code(device.get(pupil_path(feedback_round)).content.decode()) == []


def test_a_criterion_edited_in_a_second_tab_answers_409_keeps_the_typed_words_and_a_second_save_wins(
    client, world, teacher, group
):
    client.force_login(teacher)
    criterion = FeedbackCriterion.objects.filter(group=group, archived=False).first()
    url = f"/school/{world.home.pk}/stem/groepen/{group.pk}/criteria/{criterion.pk}/opslaan/"
    started_from = criterion.version
    # A colleague saves new words first.
    services.feedback_criterion_update(
        criterion=criterion, user=teacher, text="Ik mocht samenwerken", version=started_from
    )
    response = client.post(url, {"text": "Ik wist wat ik moest doen", "version": started_from}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 409
    assert "Ik mocht samenwerken" in html, "theirs is shown"
    assert 'value="Ik wist wat ik moest doen"' in html, "what was typed is kept"
    criterion.refresh_from_db()
    assert criterion.text == "Ik mocht samenwerken"
    # Saving again from the form the conflict answered with keeps the typed words.
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    response = client.post(url, {"text": "Ik wist wat ik moest doen", "version": version})
    criterion.refresh_from_db()
    assert response.status_code == 302 and criterion.text == "Ik wist wat ik moest doen"


def test_the_same_words_from_a_stale_tab_are_no_conflict(world, teacher, group):
    criterion = FeedbackCriterion.objects.filter(group=group, archived=False).first()
    stale = criterion.version
    services.feedback_criterion_update(criterion=criterion, user=teacher, text="Ik snapte de som", version=stale)
    again = services.feedback_criterion_update(
        criterion=criterion, user=teacher, text="Ik snapte de som", version=stale
    )
    assert again.text == "Ik snapte de som" and again.version == stale + 1
