"""Routes of the lesson visit instrument."""

from django.urls import path

from instruments.views import lesson_visit as views

visits = "school/<int:school_id>/lesbezoeken/"
visit = visits + "<int:visit_id>/"

urlpatterns = [
    path(visits, views.lesson_visit_calendar, name="lesson_visit_calendar"),
    path(visits + "plannen/", views.lesson_visit_schedule, name="lesson_visit_schedule"),
    path(visits + "ritme/", views.lesson_visit_rhythm, name="lesson_visit_rhythm"),
    path(visit, views.lesson_visit_detail, name="lesson_visit_detail"),
    path(visit + "verzetten/", views.lesson_visit_reschedule, name="lesson_visit_reschedule"),
    path(visit + "afzeggen/", views.lesson_visit_cancel, name="lesson_visit_cancel"),
    path(visit + "plaatsgevonden/", views.lesson_visit_mark_held, name="lesson_visit_mark_held"),
    path(visit + "niet-doorgegaan/", views.lesson_visit_mark_not_held, name="lesson_visit_mark_not_held"),
    path(visit + "verslag/", views.lesson_visit_notes, name="lesson_visit_notes"),
    path("mijn/agenda/", views.lesson_visit_feed_manage, name="lesson_visit_feed_manage"),
    path("mijn/agenda/maken/", views.lesson_visit_feed_create, name="lesson_visit_feed_create"),
    path("mijn/agenda/vernieuwen/", views.lesson_visit_feed_renew, name="lesson_visit_feed_renew"),
    path("mijn/agenda/intrekken/", views.lesson_visit_feed_revoke, name="lesson_visit_feed_revoke"),
    # No school in the address: one feed covers every school the person works in.
    path("agenda/<str:token>.ics", views.lesson_visit_feed, name="lesson_visit_feed"),
]
