"""Routes of the school's direction: the page where its leader sets the ambition and the themes,
and one route per change."""

from django.urls import path

from instruments.views import direction as views

page = "school/<int:school_id>/ambitie/"
theme = page + "themas/<int:theme_id>/"

urlpatterns = [
    path(page, views.school_direction, name="school_direction"),
    path(page + "opslaan/", views.ambition_save, name="school_direction_ambition"),
    path(page + "themas/nieuw/", views.theme_add, name="school_direction_theme_add"),
    path(theme, views.theme_edit, name="school_direction_theme_edit"),
    path(theme + "verwijderen/", views.theme_delete, name="school_direction_theme_delete"),
]
