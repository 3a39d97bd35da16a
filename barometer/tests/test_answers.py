"""Answering the barometer: the teacher's link, save and continue, submit once, anonymously.

Each test builds its own questionnaire (a published version with a question of every kind), a
wave, the home school's moment in it (open) and an invitation for the world's teacher. Submitted
answers wait, sealed, in the pool until the school's moment closes; a test that reads Response or
Answer rows closes the moment first (`close`), through the beat tick."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client, TestCase
from django.utils import timezone
from django.utils.crypto import salted_hmac

from barometer.models import (
    Answer,
    Invitation,
    PendingResponse,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Response,
    Section,
    VersionStatus,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.services import answers as services
from barometer.services.waves import barometer_tick
from leerkracht import sealed
from leerkracht.roles import Role
from leerkracht.tenancy import scopes_disabled
from leerkracht.tests.test_security import inline_code
from schools.services import team_membership_add
from schools.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALREADY = "Je hebt deze vragenlijst al ingevuld, dank je."
SECRET_TEXT = "Onze sectie heeft geen tijd voor lesbezoeken"

# One required question of each closed kind, a required open question and an optional one.
KINDS = [
    (QuestionKind.LIKERT, "helpt-resultaten", "Het programma helpt de resultaten van mijn leerlingen."),
    (QuestionKind.AGREE, "school-gaat-door", "Ik verwacht dat mijn school doorgaat met leerKRACHT."),
    (QuestionKind.FREQUENCY, "gebruik-bord", "Hoe vaak gebruik ik het verbeterbord?"),
    (QuestionKind.YES_NO, "coach-bekend", "Ik weet wie onze schoolcoach is."),
    (QuestionKind.SCALE, "enthousiasme", "Hoe enthousiast ben ik over leerKRACHT?"),
    (QuestionKind.OPEN, "belangrijkste", "Wat heeft het programma jou het meest gebracht?"),
]


# --- Building the data -------------------------------------------------------------------------


def make_version(*, extra_questions: int = 0, slug: str | None = None) -> QuestionnaireVersion:
    """A published version: two sections, a required question of every kind, an optional open
    question, and `extra_questions` more Likert items."""
    questionnaire = Questionnaire.objects.create(
        slug=slug or f"barometer-{secrets.token_hex(4)}", kind=QuestionnaireKind.BAROMETER, title="Impact-barometer"
    )
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=1,
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now(),
        intro="Zes maanden na de start willen we weten hoe het gaat.",
    )
    first = Section.objects.create(version=version, title="Wat het programma doet", position=1)
    second = Section.objects.create(version=version, title="Tot slot", position=2)
    for position, (kind, code, text) in enumerate(KINDS):
        Question.objects.create(version=version, section=first, code=code, kind=kind, text=text, position=position)
    Question.objects.create(
        version=version, section=second, code="opmerking", kind=QuestionKind.OPEN,
        text="Wil je nog iets kwijt?", required=False, position=1,
    )  # fmt: skip
    for n in range(extra_questions):
        Question.objects.create(
            version=version, section=second, code=f"extra-{n}", kind=QuestionKind.LIKERT,
            text=f"Extra uitspraak {n}", position=10 + n,
        )  # fmt: skip
    return version


def make_wave_school(school, version, *, status=WaveSchoolStatus.OPEN, closes_in=dt.timedelta(days=14)) -> WaveSchool:
    now = timezone.now()
    wave = Wave.objects.create(
        version=version, name="Zes maanden na de start", timing=WaveTiming.FIXED, fixed_date=now.date()
    )
    return WaveSchool.objects.create(
        school=school,
        wave=wave,
        opens_on=now.date(),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + closes_in,
        status=status,
        opened_at=now - dt.timedelta(days=1) if status != WaveSchoolStatus.PLANNED else None,
    )


def invite(wave_school: WaveSchool, user, team=None, **fields) -> tuple[Invitation, str]:
    """An invitation with a fresh nonce and the digest of its token, as the wave service makes
    them; returns the invitation and the token of its link."""
    invitation = Invitation(
        school=wave_school.school, wave_school=wave_school, wave=wave_school.wave, user=user, team=team,
        nonce=secrets.token_hex(16), **fields,
    )  # fmt: skip
    token = services.invitation_token(invitation)
    invitation.token_digest = services.token_digest(token)
    invitation.save()
    return invitation, token


@dataclasses.dataclass
class Setting:
    world: object
    teacher: object
    version: QuestionnaireVersion
    wave_school: WaveSchool
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return f"/barometer/antwoorden/{self.token}/"

    def questions(self) -> dict[str, Question]:
        return {q.code: q for q in Question.objects.filter(version=self.version)}

    def full_answers(self) -> dict[str, str]:
        """A complete, valid POST of the form."""
        q = self.questions()
        return {
            f"q{q['helpt-resultaten'].pk}": "4",
            f"q{q['school-gaat-door'].pk}": "1",
            f"q{q['gebruik-bord'].pk}": "5",
            f"q{q['coach-bekend'].pk}": "0",
            f"q{q['enthousiasme'].pk}": "3",
            f"q{q['belangrijkste'].pk}": SECRET_TEXT,
            **{f"q{question.pk}": "2" for code, question in q.items() if code.startswith("extra-")},
        }


@pytest.fixture
def setting(world) -> Setting:
    version = make_version()
    wave_school = make_wave_school(world.home, version)
    teacher = world.users[Role.LERAAR]
    invitation, token = invite(wave_school, teacher, team=world.home_team)
    return Setting(world, teacher, version, wave_school, invitation, token)


def reload(invitation: Invitation) -> Invitation:
    return Invitation.unscoped.get(pk=invitation.pk)


def close(*wave_schools: WaveSchool) -> None:
    """The deadline passes and the beat tick closes these moments: their pooled answers move into
    Response and Answer (its tasks run eagerly in tests), where the results read them."""
    # The tick's tasks are enqueued on commit: play the commit (a transactional test has none).
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = barometer_tick(now=max(ws.closes_at for ws in wave_schools) + dt.timedelta(minutes=1))
    assert {ws.pk for ws in wave_schools} <= set(result.closed)
    assert not PendingResponse.objects.filter(wave_school__in=wave_schools).exists()


# --- The token ---------------------------------------------------------------------------------


def test_the_token_is_derived_from_the_nonce_and_only_its_digest_is_stored(setting):
    invitation, token = setting.invitation, setting.token
    assert token == salted_hmac("barometer-invitation", invitation.nonce, algorithm="sha1").hexdigest()
    assert reload(invitation).token_digest == hashlib.sha256(token.encode()).hexdigest()
    stored = Invitation.unscoped.filter(pk=invitation.pk).values()[0]
    assert token not in {str(value) for value in stored.values()}, "the database alone holds no working link"
    assert services.invitation_by_token(token).pk == invitation.pk


@pytest.mark.parametrize(
    "token",
    ["", "x" * 40, "0" * 40, "ABC", "0" * 41, "<script>", "../../beheer"],
)
def test_anything_but_a_token_of_an_invitation_finds_nothing(setting, token):
    assert services.invitation_by_token(token) is None
    assert services.invitation_by_token(setting.token.upper()) is None
    assert services.invitation_by_token(setting.invitation.token_digest) is None, "the digest is not a token"


# --- The page ----------------------------------------------------------------------------------


def test_the_answer_page_opens_from_the_email_link_without_login(setting):
    response = Client().get(setting.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Zes maanden na de start willen we weten hoe het gaat." in html
    assert "Wat het programma doet" in html and "Tot slot" in html
    for _kind, _code, text in KINDS:
        assert text in html
    # A fieldset with a legend and radio buttons per scale, a text area per open question.
    assert html.count("<fieldset") == html.count("<legend") == 5
    assert html.count('type="radio"') == 5 + 2 + 5 + 2 + 5
    assert html.count("<textarea") == 2
    assert "Helemaal oneens" in html and "Wekelijks of vaker" in html
    assert "(niet verplicht)" in html
    assert 'value="versturen"' in html and 'value="opslaan"' in html
    assert "no-store" in response["Cache-Control"]
    assert setting.teacher.email not in html and setting.teacher.last_name not in html


def test_the_answer_page_has_no_inline_code_in_any_state(setting):
    client = Client()
    pages = [client.get(setting.url), client.post(setting.url, {"actie": "opslaan"})]
    pages.append(client.post(setting.url, {"actie": "versturen"}))  # 422 with messages
    pages.append(client.post(setting.url, setting.full_answers(), follow=True))  # thanks
    pages.append(client.get(setting.url))  # already answered
    pages.append(client.get("/barometer/antwoorden/" + "0" * 40 + "/"))  # unknown
    client.force_login(setting.teacher)
    pages.append(client.get("/barometer/mijn/"))
    assert [page.status_code for page in pages] == [200, 200, 422, 200, 200, 404, 200]
    for page in pages:
        assert inline_code(page.content.decode()) == []


# --- Save and continue later -------------------------------------------------------------------


def test_saving_keeps_the_answers_on_the_invitation_and_the_page_shows_them_again(setting):
    q = setting.questions()
    client = Client()
    typed = {
        "actie": "opslaan",
        f"q{q['helpt-resultaten'].pk}": "4",
        f"q{q['belangrijkste'].pk}": "Tot nu toe: de bordsessies",
    }
    response = client.post(setting.url, typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Je antwoorden zijn bewaard." in html
    assert "Tot nu toe: de bordsessies" in html
    assert f'value="4" id="antwoord-q{q["helpt-resultaten"].pk}_3" checked' in html
    invitation = reload(setting.invitation)
    assert services.draft_answers(invitation, token=setting.token) == {
        q["helpt-resultaten"].pk: 4,
        q["belangrijkste"].pk: "Tot nu toe: de bordsessies",
    }
    assert invitation.answered_at is None
    assert not PendingResponse.objects.exists() and not Response.objects.exists(), "saving is not submitting"

    later = Client().get(setting.url).content.decode()  # another day, another browser
    assert f'value="4" id="antwoord-q{q["helpt-resultaten"].pk}_3" checked' in later
    assert "Tot nu toe: de bordsessies" in later
    assert later.count("checked") == 1


def test_saving_an_answer_that_is_not_an_option_is_refused(setting):
    q = setting.questions()
    response = Client().post(setting.url, {"actie": "opslaan", f"q{q['helpt-resultaten'].pk}": "9"})
    assert response.status_code == 422
    assert "Kies een van de antwoorden." in response.content.decode()
    assert reload(setting.invitation).draft_sealed == ""


def test_a_saved_draft_is_sealed_with_the_link_and_opens_only_with_it(setting):
    """The draft sits next to the person, so the database must not be able to read it: its
    stored text holds none of the answers, and only the link's token (not stored) opens it. A
    draft that cannot be opened (another key, a changed byte) reads as an empty form, not a 500."""
    q = setting.questions()
    client = Client()
    client.post(
        setting.url, {"actie": "opslaan", f"q{q['helpt-resultaten'].pk}": "4", f"q{q['belangrijkste'].pk}": SECRET_TEXT}
    )
    row = Invitation.unscoped.filter(pk=setting.invitation.pk).values()[0]
    assert row["draft_sealed"]
    assert not any(SECRET_TEXT in str(value) or "Tot slot" in str(value) for value in row.values())
    invitation = reload(setting.invitation)
    expected = {q["helpt-resultaten"].pk: 4, q["belangrijkste"].pk: SECRET_TEXT}
    assert services.draft_answers(invitation, token=setting.token) == expected
    assert SECRET_TEXT in client.get(setting.url).content.decode(), "reopened with the link, the draft is there"

    # Another token (of another invitation, or the key of a draft sealed under a link that
    # changed since) opens nothing.
    other_token = "0" * 40
    assert services.draft_answers(invitation, token=other_token) == {}
    with pytest.raises(sealed.Unsealable):
        sealed.unseal(
            invitation.draft_sealed, keys=sealed.token_key(other_token, "barometer-draft"), purpose="barometer-draft"
        )
    with pytest.raises(sealed.Unsealable):
        sealed.unseal(invitation.draft_sealed, keys=sealed.server_keys("barometer-draft"), purpose="barometer-draft")

    # Changed bytes: an empty form, never an error.
    text = invitation.draft_sealed
    for changed in (
        text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:],
        "not sealed at all",
        text[: len(text) // 2],
    ):
        Invitation.unscoped.filter(pk=invitation.pk).update(draft_sealed=changed)
        page = client.get(setting.url)
        assert page.status_code == 200
        assert SECRET_TEXT not in page.content.decode() and "checked" not in page.content.decode()


def test_saving_with_a_token_that_is_not_the_invitations_is_refused(setting):
    q = setting.questions()
    with pytest.raises(ValueError, match="not this invitation"):
        services.invitation_draft_save(
            invitation=setting.invitation, token="0" * 40, questions=q.values(), answers={q["enthousiasme"].pk: 4}
        )
    assert reload(setting.invitation).draft_sealed == ""


def test_the_length_of_a_sealed_draft_or_pooled_answer_says_nothing_of_what_was_written(setting):
    """A sealed value is as long as what it seals, and both the draft and the pool row sit next to
    the person while the moved answers are readable: every one of a version has the same length,
    from one answer to the longest open answers JSON can make (control characters, six bytes)."""
    questions = list(setting.questions().values())
    q = setting.questions()
    longest = "\x01" * services.OPEN_TEXT_MAX
    drafts = [
        {q["enthousiasme"].pk: 4},
        {
            question.pk: (longest if question.kind == QuestionKind.OPEN else question.options[-1][0])
            for question in questions
        },
        {**_values(setting, 3), q["opmerking"].pk: "é" * 2000},
    ]
    lengths = set()
    for answers in drafts:
        services.invitation_draft_save(
            invitation=setting.invitation, token=setting.token, questions=questions, answers=answers
        )
        lengths.add(len(reload(setting.invitation).draft_sealed))
    assert len(lengths) == 1, lengths

    colleagues = [invitation for invitation, _token in _colleagues(setting, 2)]
    services.response_submit(invitation=colleagues[0], questions=questions, answers=_values(setting, 1))
    services.response_submit(invitation=colleagues[1], questions=questions, answers=drafts[1])
    assert {len(text) for text in PendingResponse.objects.values_list("sealed", flat=True)} == lengths
    assert not PendingResponse.objects.filter(sealed__contains=SECRET_TEXT).exists()


# --- Submitting --------------------------------------------------------------------------------


def test_submitting_makes_one_anonymous_response_marks_the_invitation_and_clears_the_draft(setting):
    q = setting.questions()
    client = Client()
    client.post(setting.url, {"actie": "opslaan", f"q{q['enthousiasme'].pk}": "5"})
    response = client.post(setting.url, {"actie": "versturen", **setting.full_answers()})
    assert response.status_code == 302 and response["Location"] == f"{setting.url}?klaar=1"
    assert PendingResponse.objects.count() == 1 and not Response.objects.exists(), "pooled until the close"

    close(setting.wave_school)
    saved = Response.objects.get()
    assert (saved.school_id, saved.team_id, saved.wave_id, saved.version_id) == (
        setting.world.home.pk,
        setting.world.home_team.pk,
        setting.wave_school.wave_id,
        setting.version.pk,
    )
    stored = {a.question.code: (a.value, a.text) for a in Answer.objects.select_related("question")}
    assert stored == {
        "helpt-resultaten": (4, ""),
        "school-gaat-door": (1, ""),
        "gebruik-bord": (5, ""),
        "coach-bekend": (0, ""),
        "enthousiasme": (3, ""),
        "belangrijkste": (None, SECRET_TEXT),
    }, "the optional question left empty has no answer row"
    assert {a.school_id for a in Answer.objects.all()} == {setting.world.home.pk}
    invitation = reload(setting.invitation)
    assert invitation.draft_sealed == ""
    # "Has answered" keeps the day only: the moment would line up with the order of the rows.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert invitation.answered_at == midnight


def test_the_page_after_submitting_thanks_and_does_not_show_the_answers(setting):
    response = Client().post(setting.url, setting.full_answers(), follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dank je wel!" in html
    assert SECRET_TEXT not in html and "checked" not in html and "<form" not in html


def test_missing_required_answers_are_422_with_a_message_per_question_and_keep_everything(setting):
    q = setting.questions()
    typed = {
        "actie": "versturen",
        f"q{q['helpt-resultaten'].pk}": "2",
        f"q{q['opmerking'].pk}": "Mijn opmerking blijft staan",
    }
    response = Client().post(setting.url, typed)
    html = response.content.decode()
    assert response.status_code == 422
    assert html.count("Kies een antwoord bij deze vraag.") == 4 * 2, "in the summary and at each of 4 scales"
    assert html.count("Vul deze vraag in.") == 2
    assert f'href="#antwoord-q{q["school-gaat-door"].pk}"' in html
    assert "Mijn opmerking blijft staan" in html
    assert f'value="2" id="antwoord-q{q["helpt-resultaten"].pk}_1" checked' in html
    assert not PendingResponse.objects.exists()
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert reload(setting.invitation).answered_at is None


@pytest.mark.parametrize("bad", ["6", "-1", "abc", "2.5", ""])
def test_an_answer_that_is_not_an_option_is_refused(setting, bad):
    q = setting.questions()
    data = {**setting.full_answers(), f"q{q['school-gaat-door'].pk}": bad}  # eens / oneens: 1 or 0
    response = Client().post(setting.url, data)
    expected = "Kies een antwoord bij deze vraag." if bad == "" else "Kies een van de antwoorden."
    assert response.status_code == 422
    assert expected in response.content.decode()
    assert not PendingResponse.objects.exists() and not Response.objects.exists()


def test_an_open_answer_over_2000_characters_is_refused(setting):
    q = setting.questions()
    data = {**setting.full_answers(), f"q{q['belangrijkste'].pk}": "a" * 2001}
    response = Client().post(setting.url, data)
    assert response.status_code == 422
    assert "Schrijf hoogstens 2000 tekens." in response.content.decode()
    assert not PendingResponse.objects.exists() and not Response.objects.exists()


def test_the_service_refuses_values_outside_the_options_and_questions_of_another_version(setting):
    q = setting.questions()
    questions = list(q.values())
    valid = {q[code].pk: value for code, value in [
        ("helpt-resultaten", 4), ("school-gaat-door", 1), ("gebruik-bord", 5), ("coach-bekend", 0),
        ("enthousiasme", 3), ("belangrijkste", "Veel"),
    ]}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.response_submit(
            invitation=setting.invitation, questions=questions, answers={**valid, q["coach-bekend"].pk: 3}
        )
    assert refused.value.message_dict == {f"q{q['coach-bekend'].pk}": ["Kies een van de antwoorden."]}

    other = Question.objects.get(version=make_version(), code="helpt-resultaten")
    with pytest.raises(ValidationError) as refused:
        services.response_submit(invitation=setting.invitation, questions=questions, answers={**valid, other.pk: 4})
    assert "niet in deze vragenlijst" in refused.value.messages[0]
    with pytest.raises(ValueError):  # the questions themselves must be the wave's version's
        services.response_submit(invitation=setting.invitation, questions=[*questions, other], answers=valid)
    assert not PendingResponse.objects.exists() and not Response.objects.exists()
    services.response_submit(invitation=setting.invitation, questions=questions, answers=valid)
    close(setting.wave_school)
    assert Response.objects.count() == 1


def test_a_posted_question_of_another_version_is_ignored_by_the_page(setting):
    other = Question.objects.get(version=make_version(), code="helpt-resultaten")
    response = Client().post(setting.url, {**setting.full_answers(), f"q{other.pk}": "5"})
    assert response.status_code == 302
    close(setting.wave_school)
    assert not Answer.objects.filter(question=other).exists()
    assert Answer.objects.count() == 6


def test_a_second_submit_gets_the_friendly_already_answered_page(setting):
    client = Client()
    client.post(setting.url, setting.full_answers())
    again = client.post(setting.url, setting.full_answers())
    assert again.status_code == 200 and ALREADY in again.content.decode()
    later = Client().get(setting.url)
    assert later.status_code == 200 and ALREADY in later.content.decode()
    assert SECRET_TEXT not in later.content.decode()
    close(setting.wave_school)
    assert Response.objects.count() == 1


# --- Expired, used, unknown --------------------------------------------------------------------


def test_a_closed_moment_answers_410_with_a_clear_page(setting):
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    for response in (Client().get(setting.url), Client().post(setting.url, setting.full_answers())):
        assert response.status_code == 410
        assert "Deze vragenlijst is gesloten" in response.content.decode()
    assert not PendingResponse.objects.exists() and not Response.objects.exists()


def test_a_passed_deadline_answers_410_even_before_the_wave_is_closed(setting):
    past = timezone.now() - dt.timedelta(minutes=1)
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(closes_at=past, opens_at=past - dt.timedelta(days=1))
    assert Client().get(setting.url).status_code == 410
    saving = Client().post(setting.url, {"actie": "opslaan", **setting.full_answers()})
    assert saving.status_code == 410 and reload(setting.invitation).draft_sealed == ""
    assert Client().post(setting.url, setting.full_answers()).status_code == 410
    assert not PendingResponse.objects.exists() and not Response.objects.exists()


def test_an_answered_invitation_of_a_closed_moment_still_thanks(setting):
    Client().post(setting.url, setting.full_answers())
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    response = Client().get(setting.url)
    assert response.status_code == 200 and ALREADY in response.content.decode()


def test_a_moment_that_has_not_opened_says_so(setting):
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.PLANNED)
    response = Client().post(setting.url, setting.full_answers())
    assert response.status_code == 200 and "nog niet open" in response.content.decode()
    assert not PendingResponse.objects.exists() and not Response.objects.exists()


@pytest.mark.parametrize("token", ["0" * 40, "niet-een-token", "a" * 64])
def test_an_unknown_token_gets_a_404_page_that_says_so(setting, token):
    for response in (Client().get(f"/barometer/antwoorden/{token}/"), Client().post(f"/barometer/antwoorden/{token}/")):
        assert response.status_code == 404
        assert "Deze link kennen we niet" in response.content.decode()


def test_a_token_one_character_off_is_unknown(setting):
    wrong = setting.token[:-1] + ("0" if setting.token[-1] != "0" else "1")
    assert Client().get(f"/barometer/antwoorden/{wrong}/").status_code == 404


# --- Another school's token --------------------------------------------------------------------


def test_another_schools_token_is_just_a_token_for_its_own_invitation(setting):
    """The home teacher, logged in, opens a foreign school's link: the page is that invitation's,
    and submitting answers it in that school only; the home invitation is untouched."""
    world = setting.world
    foreign_teacher = team_membership_add(user=UserFactory(), team=world.teams[world.foreign.pk][0]).user
    # Closing earlier than the home moment: its answers can be looked at while the home link stays open.
    foreign_school = make_wave_school(world.foreign, setting.version, closes_in=dt.timedelta(days=7))
    foreign, foreign_token = invite(foreign_school, foreign_teacher, team=world.teams[world.foreign.pk][0])

    client = Client()
    client.force_login(setting.teacher)
    assert client.get(f"/barometer/antwoorden/{foreign_token}/").status_code == 200
    response = client.post(f"/barometer/antwoorden/{foreign_token}/", setting.full_answers())
    assert response.status_code == 302
    assert list(PendingResponse.objects.values_list("school_id", flat=True)) == [world.foreign.pk]
    close(foreign_school)
    assert list(Response.objects.values_list("school_id", flat=True)) == [world.foreign.pk]
    assert reload(foreign).answered_at is not None
    assert reload(setting.invitation).answered_at is None
    # The home teacher's own link still works for their own invitation.
    assert client.get(setting.url).status_code == 200


def test_a_token_works_only_for_its_own_invitation(setting):
    colleague = team_membership_add(user=UserFactory(), team=setting.world.home_team).user
    other, other_token = invite(setting.wave_school, colleague, team=setting.world.home_team)
    Client().post(f"/barometer/antwoorden/{other_token}/", setting.full_answers())
    assert reload(other).answered_at is not None
    assert reload(setting.invitation).answered_at is None
    assert Client().get(setting.url).status_code == 200


# --- The teacher's own list --------------------------------------------------------------------


def test_my_questionnaires_lists_only_my_open_invitations_with_their_links(setting):
    world = setting.world
    teacher = setting.teacher
    answered, _ = invite(make_wave_school(world.home, make_version()), teacher)
    Invitation.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
    invite(make_wave_school(world.home, make_version(), status=WaveSchoolStatus.CLOSED), teacher)
    invite(make_wave_school(world.home, make_version(), status=WaveSchoolStatus.PLANNED), teacher)
    past_deadline = make_wave_school(world.home, make_version())
    WaveSchool.objects.filter(pk=past_deadline.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    invite(past_deadline, teacher)
    colleague = team_membership_add(user=UserFactory(), team=world.home_team).user
    _, colleague_token = invite(setting.wave_school, colleague)

    client = Client()
    client.force_login(teacher)
    response = client.get("/barometer/mijn/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("/barometer/antwoorden/") == 1, "only the open one of mine"
    assert setting.url in html
    assert colleague_token not in html
    assert "no-store" in response["Cache-Control"]

    client.force_login(colleague)
    assert setting.url not in client.get("/barometer/mijn/").content.decode()


def test_my_questionnaires_says_so_when_nothing_is_open(world):
    client = Client()
    client.force_login(world.users[Role.SCHOOLLEIDER])
    response = client.get("/barometer/mijn/")
    assert response.status_code == 200 and "Er staat niets voor je open" in response.content.decode()


def test_my_questionnaires_needs_a_login(setting):
    response = Client().get("/barometer/mijn/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


# --- Anonymity ---------------------------------------------------------------------------------


def test_responses_and_answers_hold_nothing_of_the_person_and_no_time(world):
    """Submit as a logged-in teacher whose id and invitation id are distinctive numbers, then read
    every column of every Response and Answer row: none holds the user's id or e-mail, the
    invitation's id, token, nonce or digest, or any date or time."""
    version = make_version()
    wave_school = make_wave_school(world.home, version)
    teacher = team_membership_add(user=UserFactory(id=987_654_321, email="j.jansen@school.test"), team=world.home_team)
    teacher = teacher.user
    invitation, token = invite(wave_school, teacher, team=world.home_team, id=876_543_219)
    setting = Setting(world, teacher, version, wave_school, invitation, token)
    client = Client()
    client.force_login(teacher)
    assert client.post(setting.url, setting.full_answers()).status_code == 302
    close(wave_school)

    invitation = reload(invitation)
    personal = {teacher.pk, str(teacher.pk), teacher.email, invitation.pk, str(invitation.pk), token}
    personal |= {invitation.nonce, invitation.token_digest}
    rows = list(Response.objects.values()) + list(Answer.objects.values())
    assert len(rows) == 1 + 6
    for row in rows:
        for column, value in row.items():
            assert value not in personal, column
            assert not isinstance(value, dt.date | dt.datetime | dt.time), column
            if isinstance(value, str):
                assert teacher.email not in value and token not in value and invitation.nonce not in value

    for model in (Response, Answer):
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateField | models.TimeField | models.DurationField), field
            related = getattr(field, "related_model", None)
            assert related not in (Invitation, type(teacher)), field
        assert isinstance(model._meta.pk, models.UUIDField) and model._meta.pk.default is uuid.uuid4


def test_the_order_of_response_keys_says_nothing_about_the_order_of_answering(world):
    version = make_version()
    wave_school = make_wave_school(world.home, version)
    for number in range(12):
        teacher = team_membership_add(user=UserFactory(), team=world.home_team).user
        invitation, token = invite(wave_school, teacher, team=world.home_team)
        setting = Setting(world, teacher, version, wave_school, invitation, token)
        open_answer = f"q{setting.questions()['belangrijkste'].pk}"
        Client().post(setting.url, {**setting.full_answers(), open_answer: f"Antwoord {number:02}"})
    close(wave_school)
    # The test knows who wrote what (the numbered open answer); the database does not.
    by_text = dict(Answer.objects.filter(question__code="belangrijkste").values_list("text", "response_id"))
    submitted = [by_text[f"Antwoord {number:02}"] for number in range(12)]
    # Random keys: sorted by key, the responses are not in the order they came in (12! orders).
    assert sorted(submitted) != submitted
    assert len({pk.version for pk in submitted}) == 1 and submitted[0].version == 4


# --- Two tabs ----------------------------------------------------------------------------------


def test_a_stale_tab_can_neither_save_nor_submit_after_the_other_tab_submitted(setting):
    q = setting.questions()
    first, second = Client(), Client()
    assert first.get(setting.url).status_code == 200  # the first tab opens the page
    second.post(setting.url, setting.full_answers())  # the second tab submits
    saved = first.post(setting.url, {"actie": "opslaan", f"q{q['enthousiasme'].pk}": "2"})
    assert saved.status_code == 200 and ALREADY in saved.content.decode()
    assert reload(setting.invitation).draft_sealed == "", "no draft ties answers to the person again"
    submitted = first.post(setting.url, setting.full_answers())
    assert submitted.status_code == 200 and ALREADY in submitted.content.decode()
    close(setting.wave_school)
    assert Response.objects.count() == 1 and Answer.objects.count() == 6


def test_the_services_refuse_an_invitation_object_that_is_stale(setting):
    """Both tabs found the invitation before either submitted: the row lock, not the object in
    hand, decides."""
    stale = services.invitation_by_token(setting.token)
    fresh = services.invitation_by_token(setting.token)
    questions = list(setting.questions().values())
    answers = {q.pk: (SECRET_TEXT if q.kind == QuestionKind.OPEN else 1) for q in questions if q.required}
    services.response_submit(invitation=fresh, questions=questions, answers=answers)
    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(invitation=stale, questions=questions, answers=answers)
    with pytest.raises(services.AlreadyAnswered):
        services.invitation_draft_save(invitation=stale, token=setting.token, questions=questions, answers=answers)
    close(setting.wave_school)
    assert Response.objects.count() == 1


@pytest.fixture
def race_world(transactional_db):
    import importlib

    from django.apps import apps

    from leerkracht.tests.world import build_world

    # The flush ending each transactional test removes the regions a data migration loads.
    importlib.import_module("schools.migrations.0002_regions").add_regions(apps, schema_editor=None)
    return build_world()


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_moment_make_exactly_one_response(race_world):
    world = race_world
    version = make_version()
    wave_school = make_wave_school(world.home, version)
    invitation, token = invite(wave_school, world.users[Role.LERAAR], team=world.home_team)
    setting = Setting(world, world.users[Role.LERAAR], version, wave_school, invitation, token)
    data = setting.full_answers()
    start = threading.Barrier(2)
    statuses: list[int] = []

    def submit() -> None:
        try:
            with scopes_disabled():
                client = Client()
                start.wait()
                statuses.append(client.post(setting.url, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 302], "one submits, the other is told it was already answered"
    assert PendingResponse.objects.count() == 1
    close(wave_school)
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 6


# --- Query counts ------------------------------------------------------------------------------


def grow(setting: Setting, *, invitations: int) -> None:
    """More of everything around the invitation: other teachers' invitations and answers."""
    for _ in range(invitations):
        colleague = team_membership_add(user=UserFactory(), team=setting.world.home_team).user
        invitation, token = invite(setting.wave_school, colleague, team=setting.world.home_team)
        other = Setting(setting.world, colleague, setting.version, setting.wave_school, invitation, token)
        Client().post(other.url, other.full_answers())


QUERIES = {
    "get": 2,  # the invitation (with its moment, wave, version, questionnaire); the questions
    # + savepoint, the row locks (invitation and moment), save the sealed draft, release
    "save": 2 + 4,
    # + savepoint, the row locks (invitation and moment), the sealed answers into the pool, mark
    # answered, release
    "submit": 2 + 5,
    "already": 1,
    # Signed in (from "Mijn vragenlijsten"): the page never asks who is signed in, so the same 2.
    "get_logged_in": 2,
}


def measure(setting: Setting, name: str, django_assert_num_queries) -> None:
    client = Client()
    data, method = {}, "get"
    if name == "get_logged_in":
        client.force_login(setting.teacher)
    if name == "save":
        data, method = {"actie": "opslaan", **setting.full_answers()}, "post"
    elif name == "submit":
        data, method = setting.full_answers(), "post"
    elif name == "already":
        setting.invitation, setting.token = invite(
            setting.wave_school, team_membership_add(user=UserFactory(), team=setting.world.home_team).user
        )
        Client().post(setting.url, setting.full_answers())
    with django_assert_num_queries(QUERIES[name]):
        response = getattr(client, method)(setting.url, data)
    assert response.status_code == {"submit": 302}.get(name, 200)


@pytest.mark.parametrize("name", list(QUERIES))
def test_the_answer_page_runs_a_fixed_number_of_queries_whatever_the_size(world, name, django_assert_num_queries):
    for extra_questions, invitations in ((0, 0), (25, 6)):
        version = make_version(extra_questions=extra_questions)
        wave_school = make_wave_school(world.home, version)
        teacher = team_membership_add(user=UserFactory(), team=world.home_team).user
        invitation, token = invite(wave_school, teacher, team=world.home_team)
        setting = Setting(world, teacher, version, wave_school, invitation, token)
        grow(setting, invitations=invitations)
        measure(setting, name, django_assert_num_queries)


def test_my_questionnaires_runs_a_fixed_number_of_queries_whatever_the_size(setting, django_assert_num_queries):
    client = Client()
    client.force_login(setting.teacher)
    client.get("/barometer/mijn/")  # warm-up
    counts = []
    for more in (0, 5):
        for _ in range(more):
            invite(make_wave_school(setting.world.home, make_version()), setting.teacher, team=setting.world.home_team)
        with django_assert_num_queries(MINE_QUERIES) as captured:
            response = client.get("/barometer/mijn/")
        assert response.status_code == 200
        counts.append((len(captured), response.content.decode().count("/barometer/antwoorden/")))
    assert counts == [(MINE_QUERIES, 1), (MINE_QUERIES, 6)]


MINE_QUERIES = 5  # session, user, access, the invitations (joined), the navigation


def test_drafts_of_closed_moments_are_emptied_and_open_ones_kept(setting):
    """Closing a moment removes unsubmitted answers that sit next to a person; an open moment's
    drafts stay (the wave service calls this when it closes)."""
    q = setting.questions()
    Client().post(setting.url, {"actie": "opslaan", f"q{q['enthousiasme'].pk}": "4"})
    assert services.invitation_drafts_clear(wave_school_ids=[setting.wave_school.pk]) == 0
    assert services.draft_answers(reload(setting.invitation), token=setting.token) == {q["enthousiasme"].pk: 4}
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    assert services.invitation_drafts_clear(wave_school_ids=[setting.wave_school.pk]) == 1
    assert reload(setting.invitation).draft_sealed == ""


# --- Many at once (the demo, paper forms typed in) ----------------------------------------------


def _colleagues(setting: Setting, count: int) -> list[tuple[Invitation, str]]:
    return [
        invite(setting.wave_school, team_membership_add(user=UserFactory(), team=setting.world.home_team).user,
               team=setting.world.home_team)
        for _ in range(count)
    ]  # fmt: skip


def _values(setting: Setting, enthusiasm: int) -> dict[int, int | str]:
    q = setting.questions()
    return {
        q["helpt-resultaten"].pk: 4,
        q["school-gaat-door"].pk: 1,
        q["gebruik-bord"].pk: 5,
        q["coach-bekend"].pk: 0,
        q["enthousiasme"].pk: enthusiasm,
        q["belangrijkste"].pk: SECRET_TEXT,
    }


def test_many_submitted_at_once_make_one_anonymous_response_each_and_mark_every_invitation(setting):
    invitations = [setting.invitation] + [invitation for invitation, _token in _colleagues(setting, 3)]
    questions = list(setting.questions().values())
    written = services.responses_submit_many(
        wave_school=setting.wave_school,
        questions=questions,
        submissions=[(invitation, _values(setting, n + 1)) for n, invitation in enumerate(invitations)],
    )
    assert written == 4
    assert PendingResponse.objects.filter(wave_school=setting.wave_school).count() == 4
    close(setting.wave_school)
    assert Response.objects.filter(wave=setting.wave_school.wave).count() == 4
    enthusiasm = setting.questions()["enthousiasme"]
    assert sorted(Answer.objects.filter(question=enthusiasm).values_list("value", flat=True)) == [1, 2, 3, 4]
    assert Answer.objects.count() == 4 * 6
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert {reload(invitation).answered_at for invitation in invitations} == {midnight}


def test_many_at_once_are_all_or_nothing_when_one_was_answered_already(setting):
    (other, _token), *_rest = _colleagues(setting, 2)
    questions = list(setting.questions().values())
    services.response_submit(invitation=other, questions=questions, answers=_values(setting, 5))
    with pytest.raises(services.AlreadyAnswered):
        services.responses_submit_many(
            wave_school=setting.wave_school,
            questions=questions,
            submissions=[(setting.invitation, _values(setting, 3)), (other, _values(setting, 2))],
        )
    assert PendingResponse.objects.count() == 1, "only the earlier answer"
    close(setting.wave_school)
    assert Response.objects.count() == 1, "only the earlier answer"
    assert reload(setting.invitation).answered_at is None


def test_many_at_once_are_refused_for_a_closed_moment_or_a_missing_answer(setting):
    questions = list(setting.questions().values())
    incomplete = _values(setting, 3)
    del incomplete[setting.questions()["enthousiasme"].pk]
    with pytest.raises(ValidationError):
        services.responses_submit_many(
            wave_school=setting.wave_school, questions=questions, submissions=[(setting.invitation, incomplete)]
        )
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    with pytest.raises(services.InvitationClosed):
        services.responses_submit_many(
            wave_school=setting.wave_school,
            questions=questions,
            submissions=[(setting.invitation, _values(setting, 3))],
        )
    assert PendingResponse.objects.count() == 0 and Response.objects.count() == 0


def test_many_at_once_refuse_an_invitation_of_another_moment(setting, world):
    other_moment = make_wave_school(world.home, setting.version)
    stranger, _token = invite(other_moment, UserFactory())
    with pytest.raises(ValueError, match="another moment"):
        services.responses_submit_many(
            wave_school=setting.wave_school,
            questions=list(setting.questions().values()),
            submissions=[(setting.invitation, _values(setting, 3)), (stranger, _values(setting, 3))],
        )
    assert PendingResponse.objects.count() == 0 and Response.objects.count() == 0


# --- The pool and the close ---------------------------------------------------------------------


def test_the_close_moves_a_moments_pool_and_leaves_open_moments_alone(setting, world):
    later = make_wave_school(world.home, setting.version, closes_in=dt.timedelta(days=30))
    colleague, _token = invite(later, UserFactory(), team=world.home_team)
    questions = list(setting.questions().values())
    services.response_submit(invitation=setting.invitation, questions=questions, answers=_values(setting, 2))
    services.response_submit(invitation=colleague, questions=questions, answers=_values(setting, 4))
    assert services.pending_responses_move(wave_school_ids=[setting.wave_school.pk, later.pk]) == 0, "both open"

    close(setting.wave_school)
    assert list(Response.objects.values_list("wave_id", flat=True)) == [setting.wave_school.wave_id]
    assert list(PendingResponse.objects.values_list("wave_school_id", flat=True)) == [later.pk]
    assert services.pending_responses_move(wave_school_ids=[setting.wave_school.pk]) == 0, "moved once"


def test_a_pool_left_behind_by_a_lost_move_is_moved_by_the_next_tick(setting):
    """The moment was closed, but its move never ran (a lost task, a close by other means): the
    next tick finds answers in the pool of a moment that is not open and moves them."""
    questions = list(setting.questions().values())
    services.response_submit(invitation=setting.invitation, questions=questions, answers=_values(setting, 2))
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = barometer_tick(now=timezone.now())
    assert result.closed == []
    assert not PendingResponse.objects.exists()
    assert Answer.objects.get(question__code="enthousiasme").value == 2


def test_the_pool_opens_after_a_key_rotation_and_keeps_what_no_key_opens(setting, settings, caplog):
    """Sealed with the old secret key, a pooled answer still moves once that key is a fallback. A
    row no key opens (a changed byte, a key dropped too early) stays in the pool, sealed, with an
    error in the log, and the rest of the moment moves."""
    questions = list(setting.questions().values())
    (other, _token), (third, _token3) = _colleagues(setting, 2)
    services.response_submit(invitation=setting.invitation, questions=questions, answers=_values(setting, 2))
    services.response_submit(invitation=other, questions=questions, answers=_values(setting, 3))
    services.response_submit(invitation=third, questions=questions, answers=_values(setting, 4))
    broken = PendingResponse.objects.order_by("pk").first()
    PendingResponse.objects.filter(pk=broken.pk).update(sealed=broken.sealed[:-8] + "AAAAAAAA")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40

    # Not `close`: that asserts an empty pool.
    with TestCase.captureOnCommitCallbacks(execute=True):
        barometer_tick(now=setting.wave_school.closes_at + dt.timedelta(minutes=1))
    assert Response.objects.count() == 2
    assert list(PendingResponse.objects.values_list("pk", flat=True)) == [broken.pk]
    assert "1 pooled answers of moment" in caplog.text


@pytest.mark.parametrize("teachers", [1, 6])
def test_moving_a_moments_pool_costs_the_same_for_one_answer_or_many(setting, teachers, django_assert_num_queries):
    questions = list(setting.questions().values())
    invitations = [setting.invitation] + [invitation for invitation, _token in _colleagues(setting, teachers - 1)]
    for n, invitation in enumerate(invitations):
        services.response_submit(invitation=invitation, questions=questions, answers=_values(setting, n % 5 + 1))
    WaveSchool.objects.filter(pk=setting.wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    # savepoint, the moment's lock, the pool (locked), the questions' kinds, the responses, the
    # answers, delete the pool rows, release
    with django_assert_num_queries(8):
        assert services.pending_responses_move(wave_school_ids=[setting.wave_school.pk]) == teachers
    assert Response.objects.count() == teachers and Answer.objects.count() == 6 * teachers
