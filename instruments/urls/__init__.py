from django.urls import include, path

from instruments import views

app_name = "instruments"

board = "school/<int:school_id>/borden/<int:board_id>/"

card_routes = [
    path("doelen/nieuw/", views.goal_create, name="goal_create"),
    path("doelen/<int:goal_id>/", views.goal_card, name="goal_card"),
    path("doelen/<int:goal_id>/bewerken/", views.goal_edit, name="goal_edit"),
    path("doelen/<int:goal_id>/metingen/", views.measurement_add, name="measurement_add"),
    path("doelen/<int:goal_id>/grafiek.svg", views.goal_chart, name="goal_chart"),
    path("acties/nieuw/", views.action_create, name="action_create"),
    path("acties/<int:action_id>/", views.action_card, name="action_card"),
    path("acties/<int:action_id>/bewerken/", views.action_edit, name="action_edit"),
    path("acties/<int:action_id>/status/", views.action_move, name="action_move"),
    path("knelpunten/nieuw/", views.obstacle_create, name="obstacle_create"),
    path("knelpunten/<int:obstacle_id>/", views.obstacle_card, name="obstacle_card"),
    path("knelpunten/<int:obstacle_id>/bewerken/", views.obstacle_edit, name="obstacle_edit"),
    path("knelpunten/<int:obstacle_id>/oplossen/", views.obstacle_resolve, name="obstacle_resolve"),
    path("knelpunten/<int:obstacle_id>/actie/", views.obstacle_to_action, name="obstacle_to_action"),
    path("successen/nieuw/", views.success_create, name="success_create"),
    path("successen/<int:success_id>/", views.success_card, name="success_card"),
    path("successen/<int:success_id>/bewerken/", views.success_edit, name="success_edit"),
    path("sessie/", views.session_start, name="session_start"),
    path("sessies/", views.session_list, name="session_list"),
    path("sessies/<int:session_id>/", views.session_detail, name="session_detail"),
    path("sessies/<int:session_id>/stemming/", views.session_mood, name="session_mood"),
    path("sessies/<int:session_id>/aanwezig/", views.session_attendance, name="session_attendance"),
    path("sessies/<int:session_id>/rollen/", views.session_roles, name="session_roles"),
    path("sessies/<int:session_id>/afsluiten/", views.session_close, name="session_close"),
    path("cyclus/afsluiten/", views.cycle_close, name="cycle_close"),
    path("presentatie/", views.presentation, name="presentation"),
    path("presentatie/inhoud/", views.presentation_content, name="presentation_content"),
    path("afdrukken/", views.board_print, name="print"),
    path("geschiedenis/", views.board_history, name="history"),
]

urlpatterns = [
    # The other three instruments: their routes live beside their views, one module each.
    path("", include("instruments.urls.lesson_design")),
    path("", include("instruments.urls.lesson_visit")),
    path("", include("instruments.urls.feedback")),
    path("", include("instruments.urls.metrics")),
    path("school/<int:school_id>/borden/", views.board_list, name="board_list"),
    path("school/<int:school_id>/teams/<int:team_id>/bord/", views.team_board_open, name="team_board_open"),
    path(board, views.board, name="board"),
    path(board, include(card_routes)),
]
