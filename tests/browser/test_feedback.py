"""Stem van de leerling in chromium: the teacher's live results page while a class of 30 answers
over HTTP (each pupil with their own cookie jar), a pupil answering on a phone, and one phone
that scans the round's QR code twice and answers once."""

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

from instruments import qr
from instruments.models import FeedbackDeviceMark, FeedbackResponse, PendingFeedback, QuestionKind, RoundStatement
from instruments.services import feedback as services
from leerkracht.roles import Role
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted

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
    expect(page.locator(".feedback-code")).to_have_text(feedback_round.code)
    expect(page.locator("img.feedback-qr")).to_be_visible()
    screenshot("feedback/round-live-empty-1280", **DESKTOP)

    answers = [fields_for(feedback_round, n) for n in range(30)]
    pupils = [Pupil(live_server.url, feedback_round.code) for _ in range(30)]
    for n in range(2):
        assert "Dank je wel!" in pupils[n].answer(answers[n])
    # Two answers wait sealed in the pool: counted as on their way, not tallied yet.
    expect(count).to_have_text("0 antwoorden (2 onderweg)", timeout=POLL_TIMEOUT_MS)
    expect(page.locator(".feedback-average")).to_have_count(0)
    expect(page.locator("#results")).to_contain_text("verschijnen zodra er 3 antwoorden zijn")

    assert "Dank je wel!" in pupils[2].answer(answers[2])
    expect(count).to_have_text("3 antwoorden", timeout=POLL_TIMEOUT_MS)
    average = page.locator(".feedback-average")
    expect(average).to_be_visible(timeout=POLL_TIMEOUT_MS)
    expect(average).to_contain_text("Gemiddeld 2 van 5")  # ratings 1, 2 and 3

    # The rest of the class answers at once, a few devices in parallel, while the page polls.
    with ThreadPoolExecutor(max_workers=6) as pool:
        pages = list(pool.map(lambda n: pupils[n].answer(answers[n]), range(3, 30)))
    assert all("Dank je wel!" in html for html in pages)
    # In batches of at least three: what is tallied and what is on its way add up to the class.
    counted = FeedbackResponse.objects.filter(round=feedback_round).count()
    pending = PendingFeedback.objects.filter(round=feedback_round).count()
    assert counted + pending == 30 and pending < 3
    on_the_way = f" ({pending} onderweg)" if pending else ""
    expect(count).to_have_text(f"{counted} antwoorden{on_the_way}", timeout=POLL_TIMEOUT_MS)
    expect(average).to_contain_text(f"({counted} antwoorden)", timeout=POLL_TIMEOUT_MS)
    assert page.evaluate("window.__noReload === true"), "the results came in without a reload"

    # A pupil who tries again from the same device is thanked, not counted.
    assert "Je hebt al geantwoord, dank je!" in pupils[0].send(answers[1])
    assert FeedbackResponse.objects.filter(round=feedback_round).count() + pending == 30

    # Closing the round moves the rest: the whole class is in the tallies.
    page.get_by_role("button", name="Sluiten").click()
    expect(count).to_have_text("30 antwoorden")
    expect(average).to_contain_text("(30 antwoorden)")
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 30

    screenshot("feedback/round-live-1280", **DESKTOP)
    screenshot("feedback/round-live-390", **PHONE)
    page.set_viewport_size(DESKTOP)
    page.goto(f"/school/{world.home.pk}/stem/{feedback_round.pk}/projectie/")
    expect(page.locator(".feedback-projection__count")).to_have_text("30 antwoorden")
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
    assert PendingFeedback.objects.filter(round=feedback_round).count() == 1, "sealed in the pool"

    page.goto(f"/stem/{feedback_round.code}/")
    expect(page.get_by_role("heading", name="Je hebt al geantwoord, dank je!")).to_be_visible()


def answer_on_the_phone(pupil) -> None:
    """Tap two tops, a tip and a rating, and send."""
    tops = pupil.get_by_role("group", name=re.compile("^Tops"))
    tops.get_by_text("We werkten samen").click()
    tops.get_by_text("Ik kon vragen stellen").click()
    pupil.get_by_role("group", name=re.compile("^Tip")).get_by_text("Het tempo was goed").click()
    pupil.get_by_role("group", name=re.compile("^Hoe goed begreep")).get_by_text("4", exact=True).click()
    pupil.get_by_role("button", name="Versturen").click()


def test_one_phone_that_scans_the_qr_code_twice_answers_once(page, browser, world, feedback_round):
    """The address the QR code holds is read from the teacher's page and checked against the
    code drawn there; one phone (one browser context, so one cookie jar) opens it in two tabs
    before answering, answers in the first, is refused in the second, and scanning once more
    shows that it already answered. Sequential on purpose: nothing here depends on two requests
    at once."""
    log_in(page, world.users[Role.LERAAR])
    page.goto(f"/school/{world.home.pk}/stem/{feedback_round.pk}/")
    image = page.locator("img.feedback-qr")
    expect(image).to_be_visible()
    scanned = re.fullmatch(r"QR-code naar (\S+)", image.get_attribute("alt"))[1]
    assert scanned.endswith(f"/s/{feedback_round.code}")
    # The QR code the page shows is exactly the code of that address (segno draws the same SVG
    # for the same text), so following `scanned` is what a phone's camera does.
    drawn = page.request.get(image.get_attribute("src"))
    assert drawn.ok and drawn.text() == qr.qr_svg(scanned, title=f"QR-code voor {feedback_round.code}")

    phone = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport=PHONE, is_mobile=True)
    try:
        first, second = phone.new_page(), phone.new_page()
        for tab in (first, second):  # scanned twice before answering: both show the questions
            tab.goto(scanned)
            expect(tab.get_by_role("heading", name="Breuken vergelijken")).to_be_visible()
            assert tab.url.endswith(f"/stem/{feedback_round.code}/")
        answer_on_the_phone(first)
        expect(first.get_by_role("heading", name="Dank je wel!")).to_be_visible()

        answer_on_the_phone(second)  # the same phone sends a second answer: refused
        expect(second.get_by_role("heading", name="Je hebt al geantwoord, dank je!")).to_be_visible()
        expect(second.get_by_text("Dit antwoord telt niet mee")).to_be_visible()
        if screenshots_wanted():
            for name, size in (("390", PHONE), ("1280", DESKTOP)):
                second.set_viewport_size(size)
                save_screenshot(second, SCREENSHOT_DIR / f"feedback/pupil-scanned-twice-{name}.png")

        first.goto(scanned)  # and scans the QR code once more
        expect(first.get_by_role("heading", name="Je hebt al geantwoord, dank je!")).to_be_visible()
        expect(first.get_by_role("button", name="Versturen")).to_have_count(0)
    finally:
        phone.close()
    assert PendingFeedback.objects.filter(round=feedback_round).count() == 1
    assert FeedbackDeviceMark.objects.filter(round=feedback_round).count() == 1

    # Another phone that scans the same code still answers.
    other = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport=PHONE, is_mobile=True)
    try:
        pupil = other.new_page()
        pupil.goto(scanned)
        answer_on_the_phone(pupil)
        expect(pupil.get_by_role("heading", name="Dank je wel!")).to_be_visible()
    finally:
        other.close()
    assert PendingFeedback.objects.filter(round=feedback_round).count() == 2


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
        expect(page.locator(".feedback-criterion", has_text=text)).to_be_visible()
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


def test_teacher_reorders_archives_and_restores_statements_in_place(page, world, screenshot):
    """Each button of a statement posts to its own URL (one form, `formaction`); htmx swaps the
    criteria in place for every one of them, with no reload."""
    teacher = world.users[Role.LERAAR]
    group = world.instruments[world.home.pk].group  # one statement: "De uitleg was duidelijk"
    for text in ["Ik kon vragen stellen", "We werkten samen"]:
        services.feedback_criterion_add(group=group, text=text)
    log_in(page, teacher)
    page.goto(f"/school/{world.home.pk}/stem/groepen/{group.pk}/criteria/")
    page.evaluate("window.__noReload = true")
    active = page.locator(".feedback-criteria .feedback-criterion__text")
    expect(active).to_have_text(["De uitleg was duidelijk", "Ik kon vragen stellen", "We werkten samen"])
    screenshot("feedback/criteria-buttons-390", **PHONE)
    page.get_by_role("button", name="Omlaag: De uitleg was duidelijk").click()
    expect(active).to_have_text(["Ik kon vragen stellen", "De uitleg was duidelijk", "We werkten samen"])
    page.get_by_role("button", name="Omhoog: We werkten samen").click()
    expect(active).to_have_text(["Ik kon vragen stellen", "We werkten samen", "De uitleg was duidelijk"])
    page.get_by_role("button", name=re.compile(r"^Archiveren\W+Ik kon vragen stellen$")).click()
    expect(active).to_have_text(["We werkten samen", "De uitleg was duidelijk"])
    page.locator(".feedback-archived summary").click()
    page.get_by_role("button", name=re.compile(r"^Terugzetten\W+Ik kon vragen stellen$")).click()
    expect(active).to_have_text(["We werkten samen", "De uitleg was duidelijk", "Ik kon vragen stellen"])
    page.get_by_role("link", name=re.compile(r"^Bewerken\W+We werkten samen$")).click()
    editing = page.locator(".feedback-criterion--editing")
    editing.get_by_label("Uitspraak").fill("We hielpen elkaar")
    editing.get_by_role("button", name="Opslaan").click()
    expect(active).to_have_text(["We hielpen elkaar", "De uitleg was duidelijk", "Ik kon vragen stellen"])
    assert page.evaluate("window.__noReload === true")


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
