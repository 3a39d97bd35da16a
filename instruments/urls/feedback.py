"""Routes of feedback (stem van de leerling): the teacher's pages under the school, the
pupil group's input under a goal of the board, and the pupils' public pages (no school in the
URL: the round's code is all a pupil has)."""

from django.urls import path

from instruments.views import feedback as views
from instruments.views import pupil

school = "school/<int:school_id>/stem/"
criterion = f"{school}groepen/<int:group_id>/criteria/<int:criterion_id>/"

urlpatterns = [
    path(school, views.round_list, name="feedback_rounds"),
    path(f"{school}nieuw/", views.round_create, name="feedback_round_create"),
    path(f"{school}groepen/", views.group_open, name="feedback_group_open"),
    path(f"{school}groepen/<int:group_id>/criteria/", views.criteria, name="feedback_criteria"),
    path(criterion, views.criterion, name="feedback_criterion"),
    path(f"{criterion}opslaan/", views.criterion_save, name="feedback_criterion_save"),
    path(f"{criterion}omhoog/", views.criterion_up, name="feedback_criterion_up"),
    path(f"{criterion}omlaag/", views.criterion_down, name="feedback_criterion_down"),
    path(f"{criterion}archiveren/", views.criterion_archive, name="feedback_criterion_archive"),
    path(f"{criterion}terugzetten/", views.criterion_restore, name="feedback_criterion_restore"),
    path(f"{school}<int:round_id>/", views.round_detail, name="feedback_round"),
    path(f"{school}<int:round_id>/resultaten/", views.round_results, name="feedback_results"),
    path(f"{school}<int:round_id>/projectie/", views.round_projection, name="feedback_projection"),
    path(f"{school}<int:round_id>/qr.svg", views.round_qr, name="feedback_qr"),
    path(f"{school}<int:round_id>/sluiten/", views.round_close, name="feedback_close"),
    path(
        "school/<int:school_id>/borden/<int:board_id>/doelen/<int:goal_id>/leerlingen/",
        views.pupil_input,
        name="pupil_input",
    ),
    # The pupils' side: public, no login.
    path("stem/", pupil.pupil_code, name="pupil_code"),
    path("stem/<str:code>/", pupil.pupil_answer, name="pupil_answer"),
    path("s/<str:code>", pupil.pupil_short, name="pupil_short"),
]
