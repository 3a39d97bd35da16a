"""Routes of what the instruments recorded, as the school page shows it."""

from django.urls import path

from instruments.views import metrics as views

urlpatterns = [
    path("school/<int:school_id>/ritme/", views.school_rhythm, name="school_rhythm"),
]
