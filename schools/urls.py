from django.urls import path

from schools import views
from schools.views import holidays, staff, teams

app_name = "schools"

urlpatterns = [
    path("mijn-scholen/", views.my_schools, name="my_schools"),
    path("landelijk/", views.national_overview, name="national_overview"),
    path("scholen/", views.school_list, name="school_list"),
    path("schoolvakanties/", holidays.holiday_list, name="holiday_list"),
    path("schoolvakanties/<int:holiday_id>/", holidays.holiday_edit, name="holiday_edit"),
    path("schoolvakanties/<int:holiday_id>/verwijderen/", holidays.holiday_delete, name="holiday_delete"),
    path("regio/<int:region_id>/", views.region_overview, name="region_overview"),
    path("bestuur/<int:school_group_id>/", views.school_group_overview, name="school_group_overview"),
    path("school/<int:school_id>/", views.school_overview, name="school_overview"),
    path("school/<int:school_id>/teams/", teams.team_list, name="team_list"),
    path("school/<int:school_id>/teams/nieuw/", teams.team_create, name="team_create"),
    path("school/<int:school_id>/teams/<int:team_id>/", teams.team_detail, name="team_detail"),
    path("school/<int:school_id>/teams/<int:team_id>/naam/", teams.team_rename, name="team_rename"),
    path("school/<int:school_id>/teams/<int:team_id>/archiveren/", teams.team_archive, name="team_archive"),
    path("school/<int:school_id>/teams/<int:team_id>/terugzetten/", teams.team_restore, name="team_restore"),
    path("school/<int:school_id>/teams/<int:team_id>/verwijderen/", teams.team_delete, name="team_delete"),
    path("school/<int:school_id>/teams/<int:team_id>/leden/toevoegen/", teams.team_member_add, name="team_member_add"),
    path(
        "school/<int:school_id>/teams/<int:team_id>/leden/weghalen/",
        teams.team_member_remove,
        name="team_member_remove",
    ),
    path(
        "school/<int:school_id>/teams/<int:team_id>/leden/verplaatsen/",
        teams.team_member_move,
        name="team_member_move",
    ),
    path("school/<int:school_id>/mensen/", views.people, name="people"),
    path("school/<int:school_id>/mensen/<int:user_id>/", staff.person, name="person"),
    path("school/<int:school_id>/mensen/<int:user_id>/uitschrijven/", staff.person_remove, name="person_remove"),
    path("school/<int:school_id>/mensen/uitnodigen/", staff.staff_invite, name="staff_invite"),
    path("school/<int:school_id>/mensen/uitnodigingen/", staff.staff_invitation_list, name="staff_invitation_list"),
    path(
        "school/<int:school_id>/mensen/uitnodigingen/<int:invitation_id>/opnieuw/",
        staff.staff_invitation_resend,
        name="staff_invitation_resend",
    ),
    path(
        "school/<int:school_id>/mensen/uitnodigingen/<int:invitation_id>/intrekken/",
        staff.staff_invitation_withdraw,
        name="staff_invitation_withdraw",
    ),
    path("school/<int:school_id>/mensen/importeren/", staff.people_import_upload, name="people_import_upload"),
    path("school/<int:school_id>/mensen/importeren/<int:import_id>/", staff.people_import, name="people_import"),
    path(
        "school/<int:school_id>/mensen/importeren/<int:import_id>/starten/",
        staff.people_import_start,
        name="people_import_start",
    ),
    path("school/<int:school_id>/mensen/logboek/", staff.people_log, name="people_log"),
]
