from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("mijn-scholen/", views.my_schools, name="my_schools"),
    path("landelijk/", views.national_overview, name="national_overview"),
    path("scholen/", views.school_list, name="school_list"),
    path("regio/<int:region_id>/", views.region_overview, name="region_overview"),
    path("bestuur/<int:school_group_id>/", views.school_group_overview, name="school_group_overview"),
    path("school/<int:school_id>/", views.school_overview, name="school_overview"),
    path("school/<int:school_id>/teams/", views.team_list, name="team_list"),
    path("school/<int:school_id>/teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("school/<int:school_id>/mensen/", views.people, name="people"),
]
