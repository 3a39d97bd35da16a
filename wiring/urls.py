"""The root URLconf (wiring: it names every app's routes)."""

from django.contrib import admin
from django.urls import include, path

from leerkracht import auth_views
from leerkracht.health import healthz
from schools.views import home
from schools.views.staff import staff_invitation_accept

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("inloggen/", auth_views.LoginView.as_view(), name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-instellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("wachtwoord-instellen/klaar/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("uitnodiging/<str:token>/", staff_invitation_accept, name="staff_invitation_accept"),
    path("beheer/", admin.site.urls),
    path("api/v1/", include("schools.api.urls", namespace="api")),
    path("", include("schools.urls")),
    path("", include("instruments.urls")),
    path("", include("barometer.urls")),
    path("", include("barometer.urls_answers")),
]

handler400 = "leerkracht.errors.bad_request"
handler404 = "leerkracht.errors.not_found"
handler403 = "leerkracht.errors.forbidden"
