"""Login, logout and password reset, in Dutch, with throttled logins (django-axes)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from leerkracht.access import public
from leerkracht.tasks import send_email


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("E-mailadres"),
        widget=auth_forms.forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _("Dit e-mailadres en wachtwoord horen niet bij elkaar. Let op hoofdletters."),
        "inactive": _("Dit account is uitgeschakeld."),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = auth_forms.forms.EmailField(
        label=_("E-mailadres"), max_length=254, widget=auth_forms.forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        """Render here (the context holds model instances), send from a Celery worker."""
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.delay(subject=subject, body=body, to=[to_email])


@public
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@public
class LogoutView(auth_views.LogoutView):
    pass


def lockout_until(request, username: str | None):
    """When the newest failure that counts towards this lock stops counting."""
    cool_off = get_cool_off(request)
    ip_address = get_client_ip_address(request)
    criteria = Q(ip_address=ip_address)
    if username:
        criteria |= Q(username=username)
    last_failure = AccessAttempt.objects.filter(criteria).aggregate(last=Max("attempt_time"))["last"]
    return (last_failure or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with what was typed and a message that says when to try again."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lockout_until(request, username.strip().lower() or None)
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    local_until = timezone.localtime(until)
    message = ngettext(
        "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)d minuut opnieuw, om %(time)s.",
        "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)d minuten opnieuw, om %(time)s.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(local_until, "H:i")}
    form = LoginForm(request, initial={"username": username})
    # Rendered here: axes returns this from its middleware, past the point where Django renders
    # template responses.
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": message, "locked_until": local_until},
        status=429,
    )


@public
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


@public
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@public
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"


@public
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
