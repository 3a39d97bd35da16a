"""Stem van de leerling in chromium: the teacher's live results page while a class of 30 answers
over HTTP (each pupil with their own cookie jar), and a pupil answering on a phone."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instruments.models import FeedbackResponse, QuestionKind, RoundStatement
from instruments.services import feedback as services
from leerkracht.roles import Role
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
POLL_TIMEOUT_MS = 10_000  # the page polls every 2 s


@pytest.fixture
def feedback_round(world):
    """An open round of the teacher's class (six criteria) with a rating and a text question."""
    teacher = world.users[Role.LERAAR]
    group = world.instruments[world.home.pk].group
    for text in ["Ik wist wat ik moest doen", "Ik kon vragen stellen", "We werkten samen", "Het tempo was goed"]:
        services.feedback_criterion_add(group=group, text=text)
    services.feedback_criterion_add(group=group, text="Ik heb iets nieuws geleerd")
    return services.feedback_round_open(
        school_id=world.home.pk,
        teacher=teacher,
        group=group,
        title="Breuken vergelijken",
        closes_at=timezone.now() + dt.timedelta(hours=1),
        questions=[
            services.QuestionSpec(kind=QuestionKind.RATING, text="Hoe goed begreep je de uitleg?"),
            services.QuestionSpec(kind=QuestionKind.TEXT, text="Wat wil je nog zeggen?"),
        ],
    )


class Pupil:
    """One pupil's device over plain HTTP: its own cookie jar, so its own device cookie."""

    def __init__(self, base_url: str, code: str):
        self.url = f"{base_url}/stem/{code}/"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def answer(self, fields: list[tuple[str, str]]) -> str:
        html = self.opener.open(self.url, timeout=20).read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        return self.send(fields)

    def send(self, fields: list[tuple[str, str]]) -> str:
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", self.token), *fields]).encode()
        # The answer redirects to the thanks page; urllib follows it with a GET.
        request = urllib.request.Request(self.url, data=body)  # noqa: S310 (the live server, http only)
        return self.opener.open(request, timeout=20).read().decode()


def fields_for(feedback_round, n: int) -> list[tuple[str, str]]:
    statements = list(RoundStatement.objects.filter(round=feedback_round).order_by("position"))
    rating = feedback_round.questions.get(kind=QuestionKind.RATING)
    return [
        ("tops", str(statements[n % 6].pk)),
        ("tops", str(statements[(n + 1) % 6].pk)),
        ("tip", str(statements[(n + 3) % 6].pk)),
        (f"q{rating.pk}", str(1 + n % 5)),
    ]


def test_the_live_results_count_a_class_of_30_and_show_averages_from_the_third_answer(
    page, live_server, world, feedback_round, screenshot
):
    teacher = world.users[Role.LERAAR]
    log_in(page, teacher)
    page.goto(f"/school/{world.home.pk}/stem/{feedback_round.pk}/")
    page.evaluate("window.__noReload = true")
    count = page.locator("#response-count")
    expect(count).to_have_text("0 antwoorden")
    expect(page.locator(".pv-code")).to_have_text(feedback_round.code)
    expect(page.locator("img.pv-qr")).to_be_visible()
    screenshot("feedback/round-live-empty-1280", **DESKTOP)

    answers = [fields_for(feedback_round, n) for n in range(30)]
    pupils = [Pupil(live_server.url, feedback_round.code) for _ in range(30)]
    for n in range(2):
        assert "Dank je wel!" in pupils[n].answer(answers[n])
    expect(count).to_have_text("2 antwoorden", timeout=POLL_TIMEOUT_MS)
    expect(page.locator(".pv-average")).to_have_count(0)
    expect(page.locator("#results")).to_contain_text("verschijnen zodra er 3 antwoorden zijn")

    assert "Dank je wel!" in pupils[2].answer(answers[2])
    expect(count).to_have_text("3 antwoorden", timeout=POLL_TIMEOUT_MS)
    average = page.locator(".pv-average")
    expect(average).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(average).to_contain_text("Gemiddeld 2 van 5")  # ratings 1, 2 and 3

    # The rest of the class answers at once, a few devices in parallel, while the page polls.
    with ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(lambda n: pupils[n].answer(answers[n]), range(3, 30)))
    assert all("Dank je wel!" in html for html in pages)
    expect(count).to_have_text("30 antwoorden", timeout=POLL_TIMEOUT_MS)
    expect(average).to_contain_text("(30 antwoorden)")
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 30
    assert page.evaluate("window.__noReload === true"), "the results came in without a reload"

    # A pupil who tries again from the same device is thanked, not counted.
    assert "Je hebt al geantwoord, dank je!" in pupils[0].send(answers[1])
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 30

    screenshot("feedback/round-live-1280", **DESKTOP)
    screenshot("feedback/round-live-390", **PHONE)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/school/{world.home.pk}/stem/{feedback_round.pk}/projectie/")
    expect(page.locator(".pv-projection__count")).to_have_text("30 antwoorden")
    screenshot("feedback/projection-1280", **DESKTOP)
    screenshot("feedback/projection-390", **PHONE)


def test_a_pupil_answers_on_a_phone_by_tapping_and_is_thanked(page, world, feedback_round, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(f"/s/{feedback_round.code}")
    expect(page.get_by_role("heading", name="Breuken vergelijken")).to_be_visible()
    screenshot("feedback/pupil-answer-390", **PHONE)
    screenshot("feedback/pupil-answer-1280", **DESKTOP)
    page.set_viewport_size(PHONE)

    tops = page.get_by_role("group", name=re.compile("^Tops"))
    tip = page.get_by_role("group", name=re.compile("^Tip"))
    tops.get_by_text("We werkten samen").click()  # the whole row is the tap target
    tops.get_by_label("Ik kon vragen stellen").check()
    # Submitting without a tip: a friendly message, the tops still ticked.
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator(".error-summary")).to_contain_text("Kies één tip")
    expect(tops.get_by_label("We werkten samen")).to_be_checked()
    screenshot("feedback/pupil-answer-error-390", **PHONE)
    page.set_viewport_size(PHONE)
    tip = page.get_by_role("group", name=re.compile("^Tip"))
    tip.get_by_label("Het tempo was goed").focus()
    page.keyboard.press("Space")  # the keyboard works as well as a tap
    expect(tip.get_by_label("Het tempo was goed")).to_be_checked()
    page.get_by_role("group", name=re.compile("^Hoe goed begreep")).get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("heading", name="Dank je wel!")).to_be_visible()
    screenshot("feedback/pupil-thanks-390", **PHONE)
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 1

    page.goto(f"/stem/{feedback_round.code}/")
    expect(page.get_by_role("heading", name="Je hebt al geantwoord, dank je!")).to_be_visible()


def test_teacher_agrees_criteria_and_opens_a_round(page, world, screenshot):
    """The teacher types the class's statements on the criteria page (htmx, no reload), then opens
    a round for the class and lands on its live page."""
    teacher = world.users[Role.LERAAR]
    group = world.instruments[world.home.pk].group
    log_in(page, teacher)
    page.goto(f"/school/{world.home.pk}/stem/groepen/{group.pk}/criteria/")
    page.evaluate("window.__noReload = true")
    for text in ["Ik wist wat ik moest doen", "Ik kon vragen stellen", "We werkten samen", "Het tempo was goed"]:
        page.get_by_label("Uitspraak").fill(text)
        page.get_by_role("button", name="Uitspraak toevoegen").click()
        expect(page.locator(".pv-criterion", has_text=text)).to_be_visible()
    expect(page.locator("#criteria .badge")).to_have_text("5 van 5–10")
    assert page.evaluate("window.__noReload === true")
    screenshot("feedback/criteria-1280", **DESKTOP)
    screenshot("feedback/criteria-390", **PHONE)
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Open een ronde voor deze klas").click()
    expect(page.get_by_label("Groep of klas")).to_have_value(group.name)
    page.get_by_label("Les of onderwerp").fill("Kommagetallen")
    page.locator("summary", has_text="Vraag 1").click()  # questions fold away until used
    page.get_by_label("Soort vraag 1").select_option("rating")
    page.get_by_label("Vraag 1", exact=True).fill("Hoe ging het?")
    screenshot("feedback/new-round-390", **PHONE)
    screenshot("feedback/new-round-1280", **DESKTOP)
    page.get_by_role("button", name="Ronde openen").click()
    expect(page.get_by_role("heading", name="Kommagetallen")).to_be_visible()
    expect(page.locator("#response-count")).to_have_text("0 antwoorden")
    page.goto(f"/school/{world.home.pk}/stem/")
    screenshot("feedback/rounds-1280", **DESKTOP)
    screenshot("feedback/rounds-390", **PHONE)


def test_teacher_records_pupil_input_and_the_team_sees_it_on_the_goal_card(page, world, screenshot):
    teacher = world.users[Role.LERAAR]
    board = world.boards[world.home.pk]
    log_in(page, teacher)
    page.goto(f"/school/{world.home.pk}/borden/{board.board.pk}/")
    goal_card = page.locator(f"#goal-{board.goal.pk}")
    expect(goal_card).to_contain_text("Inbreng van leerlingen (1×)")
    goal_card.get_by_role("link", name=re.compile("^Alle inbreng")).click()
    page.get_by_label("Leerlingengroep of klas (mag leeg)").fill("Leerlingenraad")
    page.get_by_label("Aantal leerlingen").fill("5")
    page.get_by_label("Wat helpt de leerlingen?").fill("Een vaste leesplek")
    page.get_by_label("Ideeën van de leerlingen").fill("Elke vrijdag een boekenkring")
    screenshot("feedback/pupil-input-1280", **DESKTOP)
    screenshot("feedback/pupil-input-390", **PHONE)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#inputs")).to_contain_text("Elke vrijdag een boekenkring")
    page.goto(f"/school/{world.home.pk}/borden/{board.board.pk}/")
    expect(goal_card).to_contain_text("Inbreng van leerlingen (2×)")
    expect(goal_card).to_contain_text("Elke vrijdag een boekenkring")
    goal_card.scroll_into_view_if_needed()
    screenshot("feedback/board-goal-card-390", **PHONE)
