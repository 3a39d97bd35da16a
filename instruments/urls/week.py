"""Routes of "Mijn week": a person's week in a school, its two quick actions, and the week
without a school (it opens the week in the school last opened)."""

from django.urls import path

from instruments.views import week as views

week = "school/<int:school_id>/mijn-week/"

urlpatterns = [
    path("mijn-week/", views.my_week_home, name="my_week_home"),
    path(week, views.my_week, name="my_week"),
    path(week + "acties/<int:action_id>/klaar/", views.my_week_action_done, name="my_week_action_done"),
    path(week + "lesbezoeken/<int:visit_id>/plaatsgevonden/", views.my_week_visit_held, name="my_week_visit_held"),
]
