from django.urls import path

from schools.api import views

app_name = "api"

urlpatterns = [
    path("schools/", views.SchoolListAPI.as_view(), name="school_list"),
    path("schools/<int:school_id>/teams/", views.TeamListAPI.as_view(), name="team_list"),
]
