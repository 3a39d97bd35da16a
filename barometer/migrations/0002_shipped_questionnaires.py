"""Ship the two questionnaires the programme uses, as data: the impact barometer and the
learning-culture survey, each as a published version 1. Admins change them in the app by making
a new version; this migration never touches a version that is already published.

Section `component` values: the impact barometer names the step of the impact staircase
(effecttrap) its items measure — `enthusiasm` for how teachers experience the programme and what
it brings them (the research puts "the programme improves my teaching and our school's education"
in that step), `implementation` for how often the instruments are used and the schoolcoach who
carries that; the open question belongs to no step. The learning-culture survey names its six
components.

Idempotent: get_or_create by slug, version number and item code. The reverse deletes the shipped
version 1 (and the questionnaire, when it has no other version) only when no wave, response or
answer refers to that questionnaire; otherwise it leaves everything as it is.
"""

from django.db import migrations
from django.utils import timezone

AGREE, SCALE, FREQUENCY, LIKERT, OPEN = "agree", "scale", "frequency", "likert", "open"

IMPACT_BAROMETER = {
    "slug": "impact-barometer",
    "kind": "barometer",
    "title": "Impact-barometer",
    "description": (
        "De vragenlijst voor leraren op vaste momenten: zes maanden na de startdag en aan het eind van "
        "het schooljaar. Meet hoe leraren het programma ervaren, hoe vaak ze de instrumenten gebruiken "
        "en hoe ze de schoolcoach waarderen."
    ),
    "intro": (
        "Deze vragenlijst kost je ongeveer vijf minuten. Je antwoorden zijn anoniem: niemand kan zien "
        "wat jij hebt ingevuld. We tonen alleen uitkomsten van groepen collega's die groot genoeg zijn. "
        "Je kunt tussendoor stoppen en later verdergaan."
    ),
    "sections": [
        {
            "title": "Wat leerKRACHT oplevert",
            "component": "enthusiasm",
            "questions": [
                (
                    "helps_results",
                    AGREE,
                    "Door het werken met leerKRACHT gaan mijn leerlingen vooruit in wat ze leren.",
                    "",
                ),
                (
                    "helps_teaching",
                    AGREE,
                    "Het werken met leerKRACHT maakt de kwaliteit van mijn lessen beter.",
                    "",
                ),
                (
                    "coach_independence",
                    AGREE,
                    "Mijn schoolcoach leert me de instrumenten zo te gebruiken dat ik het straks zelf kan.",
                    "Denk aan het verbeterbord, samen lesontwerpen, lesbezoek en de stem van de leerling.",
                ),
                (
                    "school_continues",
                    AGREE,
                    "Ik verwacht dat onze school op deze manier blijft werken, ook als de begeleiding stopt.",
                    "",
                ),
            ],
        },
        {
            "title": "Je enthousiasme",
            "component": "enthusiasm",
            "questions": [
                (
                    "enthusiasm",
                    SCALE,
                    "Hoe enthousiast ben je over deze manier van werken?",
                    "1 = helemaal niet enthousiast, 5 = heel enthousiast.",
                ),
            ],
        },
        {
            "title": "Hoe vaak gebruik je de instrumenten?",
            "component": "implementation",
            "questions": [
                (
                    "use_board",
                    FREQUENCY,
                    "Hoe vaak sta je met je team bij het verbeterbord voor een bordsessie?",
                    "",
                ),
                (
                    "use_lesson_design",
                    FREQUENCY,
                    "Hoe vaak ontwerp je een les samen met een of meer collega's?",
                    "",
                ),
                (
                    "use_lesson_visit",
                    FREQUENCY,
                    "Hoe vaak kijk je bij een collega in de les, of kijkt een collega bij jou, met een nagesprek?",
                    "",
                ),
                (
                    "use_pupil_voice",
                    FREQUENCY,
                    "Hoe vaak vraag je je leerlingen om feedback op je les?",
                    "Bijvoorbeeld met tops en een tip aan het eind van de les, of met een leerlingenpanel.",
                ),
            ],
        },
        {
            "title": "Je schoolcoach",
            "component": "implementation",
            "questions": [
                (
                    "coach_appreciation",
                    SCALE,
                    "Hoe waardeer je de ondersteuning die je van je schoolcoach krijgt?",
                    "1 = heel weinig, 5 = heel veel.",
                ),
            ],
        },
        {
            "title": "Tot slot",
            "component": "",
            "questions": [
                (
                    "open_remarks",
                    OPEN,
                    "Wil je nog iets kwijt over het werken met leerKRACHT op jouw school?",
                    "Niet verplicht. Open antwoorden tonen we alleen samen met die van genoeg collega's, nooit los.",
                ),
            ],
        },
    ],
}

LEARNING_CULTURE = {
    "slug": "leercultuur",
    "kind": "culture",
    "title": "Cultuursurvey: lerende cultuur",
    "description": (
        "Meet de lerende cultuur op school in zes onderdelen, van gedeelde doelen tot stimulerend "
        "leiderschap. Wordt aan het begin en eind van een schooljaar afgenomen, zodat de ontwikkeling "
        "zichtbaar wordt."
    ),
    "intro": (
        "Geef bij elke uitspraak aan in hoeverre die klopt voor jouw school. Er zijn geen goede of foute "
        "antwoorden. Je antwoorden zijn anoniem en worden alleen per groep getoond."
    ),
    "sections": [
        {
            "title": "Gedeelde visie en doelen",
            "component": "shared_goals",
            "questions": [
                ("shared_goals_direction", LIKERT, "Ik weet waar onze school met het onderwijs naartoe wil.", ""),
                ("shared_goals_team", LIKERT, "Ons team werkt aan doelen voor leerlingen die we samen kozen.", ""),
                (
                    "shared_goals_practice",
                    LIKERT,
                    "De doelen van ons team zijn terug te zien in wat ik in de klas doe.",
                    "",
                ),
            ],
        },
        {
            "title": "Samenwerken aan beter onderwijs",
            "component": "collaboration",
            "questions": [
                ("collaboration_prepare", LIKERT, "Ik bereid lessen voor samen met collega's.", ""),
                (
                    "collaboration_share",
                    LIKERT,
                    "In ons team vertellen we elkaar wat in de klas werkt en wat niet.",
                    "",
                ),
                (
                    "collaboration_ownership",
                    LIKERT,
                    "We voelen ons samen verantwoordelijk voor het leren van alle leerlingen, niet alleen voor onze eigen klas.",
                    "",
                ),
            ],
        },
        {
            "title": "Feedback geven en vragen",
            "component": "feedback_culture",
            "questions": [
                (
                    "feedback_visits",
                    LIKERT,
                    "Collega's kijken in mijn les en bespreken daarna met mij wat ze bij de leerlingen zagen.",
                    "",
                ),
                ("feedback_ask", LIKERT, "Ik vraag collega's uit mezelf om feedback op mijn lessen.", ""),
                ("feedback_safe", LIKERT, "Bij ons kun je zonder zorgen zeggen dat iets niet lukt.", ""),
            ],
        },
        {
            "title": "Elke dag een beetje beter",
            "component": "continuous_improvement",
            "questions": [
                (
                    "improvement_small_steps",
                    LIKERT,
                    "We verbeteren ons onderwijs in kleine stappen die we snel uitproberen.",
                    "",
                ),
                ("improvement_research", LIKERT, "Bij het verbeteren gebruiken we wat onderzoek ons leert.", ""),
                (
                    "improvement_check",
                    LIKERT,
                    "We gaan na of een verandering de leerlingen echt verder heeft geholpen.",
                    "",
                ),
            ],
        },
        {
            "title": "Stem van de leerling",
            "component": "pupil_voice",
            "questions": [
                ("pupil_voice_ask", LIKERT, "Ik vraag mijn leerlingen geregeld wat hen helpt om te leren.", ""),
                ("pupil_voice_use", LIKERT, "Wat leerlingen zeggen, verandert iets aan mijn lessen.", ""),
                (
                    "pupil_voice_team",
                    LIKERT,
                    "Ons team betrekt leerlingen bij de doelen en acties op het verbeterbord.",
                    "",
                ),
            ],
        },
        {
            "title": "Stimulerend leiderschap",
            "component": "leadership",
            "questions": [
                (
                    "leadership_room",
                    LIKERT,
                    "De schoolleiding geeft ons tijd en ruimte om samen aan beter onderwijs te werken.",
                    "",
                ),
                ("leadership_example", LIKERT, "De schoolleiding leert en verbetert zelf zichtbaar mee.", ""),
                (
                    "leadership_obstacles",
                    LIKERT,
                    "Knelpunten die wij aankaarten, pakt de schoolleiding op.",
                    "",
                ),
            ],
        },
    ],
}

SHIPPED = [IMPACT_BAROMETER, LEARNING_CULTURE]


def ship(apps, schema_editor):
    Questionnaire = apps.get_model("barometer", "Questionnaire")
    QuestionnaireVersion = apps.get_model("barometer", "QuestionnaireVersion")
    Section = apps.get_model("barometer", "Section")
    Question = apps.get_model("barometer", "Question")
    for spec in SHIPPED:
        questionnaire, _ = Questionnaire.objects.get_or_create(
            slug=spec["slug"],
            defaults={"kind": spec["kind"], "title": spec["title"], "description": spec["description"]},
        )
        version, _ = QuestionnaireVersion.objects.get_or_create(
            questionnaire=questionnaire, number=1, defaults={"status": "draft", "intro": spec["intro"]}
        )
        if version.status != "draft":
            continue  # published already (by an earlier run or by hand): it never changes
        for s_position, section_spec in enumerate(spec["sections"]):
            section, _ = Section.objects.get_or_create(
                version=version,
                title=section_spec["title"],
                defaults={"component": section_spec["component"], "position": s_position},
            )
            for q_position, (code, kind, text, help_text) in enumerate(section_spec["questions"]):
                Question.objects.get_or_create(
                    version=version,
                    code=code,
                    defaults={
                        "section": section,
                        "kind": kind,
                        "text": text,
                        "help_text": help_text,
                        "required": kind != OPEN,
                        "position": q_position,
                    },
                )
        version.status = "published"
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])


def unship(apps, schema_editor):
    Questionnaire = apps.get_model("barometer", "Questionnaire")
    QuestionnaireVersion = apps.get_model("barometer", "QuestionnaireVersion")
    Wave = apps.get_model("barometer", "Wave")
    Response = apps.get_model("barometer", "Response")
    Answer = apps.get_model("barometer", "Answer")
    for spec in SHIPPED:
        questionnaire = Questionnaire.objects.filter(slug=spec["slug"]).first()
        if questionnaire is None:
            continue
        in_use = (
            Wave.objects.filter(version__questionnaire=questionnaire).exists()
            or Response.objects.filter(version__questionnaire=questionnaire).exists()
            or Answer.objects.filter(question__version__questionnaire=questionnaire).exists()
        )
        if in_use:
            continue  # answers keep their questions: leave the questionnaire as it is
        QuestionnaireVersion.objects.filter(questionnaire=questionnaire, number=1).delete()
        if not QuestionnaireVersion.objects.filter(questionnaire=questionnaire).exists():
            questionnaire.delete()


class Migration(migrations.Migration):
    dependencies = [("barometer", "0001_questionnaires_waves_answers")]

    operations = [migrations.RunPython(ship, unship)]
