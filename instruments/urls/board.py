"""Routes of the improvement board: the school's boards, a team's board, its cards, its sessions
and its presentation, print and history pages."""

from django.urls import path

from instruments.views import board as views

boards = "school/<int:school_id>/borden/"
board = boards + "<int:board_id>/"

urlpatterns = [
    path(boards, views.board_list, name="board_list"),
    path("school/<int:school_id>/teams/<int:team_id>/bord/", views.team_board_open, name="team_board_open"),
    path(board, views.board, name="board"),
    path(board + "doelen/nieuw/", views.goal_create, name="goal_create"),
    path(board + "doelen/<int:goal_id>/", views.goal_card, name="goal_card"),
    path(board + "doelen/<int:goal_id>/bewerken/", views.goal_edit, name="goal_edit"),
    path(board + "doelen/<int:goal_id>/metingen/", views.measurement_add, name="measurement_add"),
    path(board + "doelen/<int:goal_id>/grafiek.svg", views.goal_chart, name="goal_chart"),
    path(board + "acties/nieuw/", views.action_create, name="action_create"),
    path(board + "acties/<int:action_id>/", views.action_card, name="action_card"),
    path(board + "acties/<int:action_id>/bewerken/", views.action_edit, name="action_edit"),
    path(board + "acties/<int:action_id>/status/", views.action_move, name="action_move"),
    path(board + "knelpunten/nieuw/", views.obstacle_create, name="obstacle_create"),
    path(board + "knelpunten/<int:obstacle_id>/", views.obstacle_card, name="obstacle_card"),
    path(board + "knelpunten/<int:obstacle_id>/bewerken/", views.obstacle_edit, name="obstacle_edit"),
    path(board + "knelpunten/<int:obstacle_id>/oplossen/", views.obstacle_resolve, name="obstacle_resolve"),
    path(board + "knelpunten/<int:obstacle_id>/actie/", views.obstacle_to_action, name="obstacle_to_action"),
    path(board + "successen/nieuw/", views.success_create, name="success_create"),
    path(board + "successen/<int:success_id>/", views.success_card, name="success_card"),
    path(board + "successen/<int:success_id>/bewerken/", views.success_edit, name="success_edit"),
    path(board + "sessie/", views.session_start, name="session_start"),
    path(board + "sessies/", views.session_list, name="session_list"),
    path(board + "sessies/<int:session_id>/", views.session_detail, name="session_detail"),
    path(board + "sessies/<int:session_id>/stemming/", views.session_mood, name="session_mood"),
    path(board + "sessies/<int:session_id>/aanwezig/", views.session_attendance, name="session_attendance"),
    path(
        board + "sessies/<int:session_id>/iedereen-aanwezig/",
        views.session_attendance_all,
        name="session_attendance_all",
    ),
    path(board + "sessies/<int:session_id>/rollen/", views.session_roles, name="session_roles"),
    path(board + "sessies/<int:session_id>/afsluiten/", views.session_close, name="session_close"),
    path(board + "cyclus/afsluiten/", views.cycle_close, name="cycle_close"),
    path(board + "presentatie/", views.presentation, name="presentation"),
    path(board + "presentatie/inhoud/", views.presentation_content, name="presentation_content"),
    path(board + "afdrukken/", views.board_print, name="print"),
    path(board + "geschiedenis/", views.board_history, name="history"),
]
