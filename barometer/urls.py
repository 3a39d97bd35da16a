"""Routes of the barometer. The questionnaire editor is for admins (platform level: no school in
the URL); questionnaires and versions are platform objects, named `questionnaire_id` and
`version_id`, and each change of a draft's sections and questions has its own URL under the
version (`section_id`, `question_id`; the edit form to open travels as a query parameter).
Waves are platform objects too (`wave_id`); a school's moment to remind travels as a form field."""

from django.urls import path

from barometer.views import overview, planning, questionnaires, responses, results

app_name = "barometer"

questionnaire_list = "barometer/vragenlijsten/"
questionnaire = questionnaire_list + "<int:questionnaire_id>/"
version = questionnaire + "versies/<int:version_id>/"
section = version + "onderdelen/<int:section_id>/"
question = version + "vragen/<int:question_id>/"
wave_list = "barometer/meetmomenten/"
wave = wave_list + "<int:wave_id>/"

urlpatterns = [
    path(questionnaire_list, questionnaires.questionnaire_list, name="questionnaire_list"),
    path(questionnaire, questionnaires.questionnaire_detail, name="questionnaire_detail"),
    path(questionnaire + "nieuwe-versie/", questionnaires.version_draft_create, name="version_draft_create"),
    path(version, questionnaires.version_detail, name="version_detail"),
    path(version + "inleiding/", questionnaires.version_intro, name="version_intro"),
    path(version + "onderdelen/toevoegen/", questionnaires.section_add, name="section_add"),
    path(section + "opslaan/", questionnaires.section_save, name="section_save"),
    path(section + "omhoog/", questionnaires.section_up, name="section_up"),
    path(section + "omlaag/", questionnaires.section_down, name="section_down"),
    path(section + "verwijderen/", questionnaires.section_delete, name="section_delete"),
    path(section + "vragen/toevoegen/", questionnaires.question_add, name="question_add"),
    path(question + "opslaan/", questionnaires.question_save, name="question_save"),
    path(question + "omhoog/", questionnaires.question_up, name="question_up"),
    path(question + "omlaag/", questionnaires.question_down, name="question_down"),
    path(question + "verwijderen/", questionnaires.question_delete, name="question_delete"),
    path(version + "publiceren/", questionnaires.version_publish, name="version_publish"),
    path("school/<int:school_id>/barometer/", responses.school_responses, name="school_responses"),
    path("barometer/respons/", overview.response_overview, name="response_overview"),
    path("barometer/respons/herinnering/", planning.reminder_send, name="reminder_send"),
    path(wave_list, planning.wave_list, name="wave_list"),
    path(wave_list + "nieuw/", planning.wave_create, name="wave_create"),
    path(wave, planning.wave_detail, name="wave_detail"),
    path(wave + "annuleren/", planning.wave_cancel, name="wave_cancel"),
    path("school/<int:school_id>/barometer/resultaten/", results.school_results, name="school_results"),
    path(
        "school/<int:school_id>/barometer/resultaten/grafiek/<slug:chart>.svg",
        results.school_results_chart,
        name="school_results_chart",
    ),
    path("barometer/resultaten/", results.national_results, name="national_results"),
    path(
        "barometer/resultaten/grafiek/<slug:chart>.svg", results.national_results_chart, name="national_results_chart"
    ),
    path("barometer/resultaten/export.csv", results.national_results_export, name="national_results_export"),
]
