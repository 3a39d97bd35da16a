"""Routes of the lesson design instrument."""

from django.urls import path

from instruments.views import lesson_design as views

library = "school/<int:school_id>/lesontwerpen/"
design = library + "<int:design_id>/"

urlpatterns = [
    path(library, views.lesson_design_library, name="lesson_design_library"),
    path(library + "nieuw/", views.lesson_design_create, name="lesson_design_create"),
    path(design, views.lesson_design_detail, name="lesson_design_detail"),
    path(design + "bewerken/", views.lesson_design_edit, name="lesson_design_edit"),
    path(design + "status/", views.lesson_design_status, name="lesson_design_status"),
    path(design + "evaluatie/", views.lesson_design_evaluate, name="lesson_design_evaluate"),
    path(design + "kopieren/", views.lesson_design_copy, name="lesson_design_copy"),
    path(design + "delen/", views.lesson_design_share, name="lesson_design_share"),
    path(design + "delen/stoppen/", views.lesson_design_unshare, name="lesson_design_unshare"),
]
