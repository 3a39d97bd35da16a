"""Routes of the instruments: each instrument's routes live in its own module beside its views."""

from django.urls import include, path

app_name = "instruments"

urlpatterns = [
    path("", include("instruments.urls.lesson_design")),
    path("", include("instruments.urls.lesson_visit")),
    path("", include("instruments.urls.feedback")),
    path("", include("instruments.urls.metrics")),
    path("", include("instruments.urls.board")),
    path("", include("instruments.urls.direction")),
    path("", include("instruments.urls.week")),
]
