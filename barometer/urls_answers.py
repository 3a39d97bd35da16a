"""Routes of answering the barometer. No school in the address: the token is all an e-mail link
carries, and a teacher's own list spans every school they work in."""

from django.urls import path

from barometer.views import answers as views

app_name = "barometer_answers"

urlpatterns = [
    path("barometer/mijn/", views.my_invitations, name="my_invitations"),
    path("barometer/antwoorden/<str:token>/", views.answer, name="answer"),
]
