"""Login, logout and password reset, in Dutch, with throttled logins (django-axes) and
throttled password-reset mail.

Failures count per account from one address (axes' combination lock), with a per-address
backstop against password spraying (`LoginThrottleHandler`); both are read from the same
records, so the lockout page can say until when."""

from __future__ import annotations

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db.models import Max, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from leerkracht.access import public
from leerkracht.http import client_address, over_limit
from leerkracht.mail import outbox_finisher, outbox_write

# axes' username column; a longer name is cut here rather than refused by the database.
THROTTLED_USERNAME_LENGTH = AccessAttempt._meta.get_field("username").max_length


class LoginForm(auth_forms.AuthenticationForm):
    # No account has a longer address (the e-mail column's length): refused here, before the
    # throttle or the database sees it.
    username = auth_forms.UsernameField(
        label=_("E-mailadres"),
        max_length=254,
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
        """Render here (the context holds model instances); the outbox's relay sends it. The
        stored text holds a placeholder for the link's token: the relay's finisher makes the token
        when it sends, so the outbox never holds a working reset link."""
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, {**context, "token": RESET_TOKEN_PLACEHOLDER})
        outbox_write(kind=PASSWORD_RESET_KIND, to=to_email, subject=subject, body=body)


PASSWORD_RESET_KIND = "password_reset"  # noqa: S105 - a kind of mail, not a secret
RESET_TOKEN_PLACEHOLDER = "wachtwoordtoken"  # noqa: S105 - letters only: the URL keeps it as it is


@outbox_finisher(PASSWORD_RESET_KIND)
def reset_tokens_fill_in(messages) -> None:
    """Put a fresh reset token for the account of each message's address into its link, in memory,
    just before the relay sends it (one query per batch). A token made now is as valid as one made
    when the reset was asked for (it expires PASSWORD_RESET_TIMEOUT after it is made and dies when
    the password changes or the person logs in)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.tokens import default_token_generator

    users = {user.email: user for user in get_user_model().objects.filter(email__in={m.to for m in messages})}
    for message in messages:
        if message.to in users:
            token = default_token_generator.make_token(users[message.to])
            message.body = message.body.replace(f"/{RESET_TOKEN_PLACEHOLDER}/", f"/{token}/")


@public
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@public
class LogoutView(auth_views.LogoutView):
    pass


def throttled_username(request, credentials=None) -> str | None:
    """The login name as the throttle counts it: as typed (or as the form cleaned it), trimmed,
    in lower case (addresses are stored so), cut to the length of axes' column."""
    source = credentials if credentials is not None else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(username, str):
        return None
    return username.strip().lower()[:THROTTLED_USERNAME_LENGTH]


def _recent_failures_from(request):
    """The failure records from this client's address that still count (within the cool-off)."""
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    return AccessAttempt.objects.filter(
        ip_address=client_address(request), attempt_time__gte=now - get_cool_off(request)
    )


def address_over_backstop(request) -> bool:
    """Whether this address has failed so often, over all accounts, that it is locked as a whole."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if limit <= 0:
        return False
    total = _recent_failures_from(request).aggregate(total=Sum("failures_since_start"))["total"] or 0
    return total >= limit


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-address backstop: an address past
    LOGIN_ADDRESS_FAILURE_LIMIT counts as locked for every account."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_over_backstop(request):
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_until(request, username: str | None):
    """When the newest failure that counts towards this lock stops counting."""
    recent = _recent_failures_from(request)
    counting = recent if address_over_backstop(request) else recent.filter(username=username)
    last_failure = counting.aggregate(last=Max("attempt_time"))["last"]
    return (last_failure or timezone.now()) + get_cool_off(request)


def login_records_purge() -> dict[str, int]:
    """Delete login-log rows (who logged in, from which address and browser, when) past
    LOGIN_LOG_RETENTION_DAYS and failure records past the cool-off, in batches."""
    now = timezone.now()
    log_cutoff = now - timedelta(days=settings.LOGIN_LOG_RETENTION_DAYS)
    return {
        "access_log": _delete_in_batches(AccessLog.objects.filter(attempt_time__lt=log_cutoff)),
        "failure_log": _delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=log_cutoff)),
        # Past the cool-off a failure counts towards no lock; axes itself removes such rows only
        # when someone fails again.
        "attempts": _delete_in_batches(AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME)),
    }


def _delete_in_batches(queryset) -> int:
    """Delete what the queryset selects, LOGIN_LOG_PURGE_BATCH rows per statement, each batch its
    own short transaction: a first run over a long history never holds a long lock on the table
    that every login writes to."""
    label = queryset.model._meta.label
    deleted = 0
    while ids := list(queryset.order_by().values_list("pk", flat=True)[: settings.LOGIN_LOG_PURGE_BATCH]):
        _, per_model = queryset.model.objects.filter(pk__in=ids).delete()
        deleted += per_model.get(label, 0)
    return deleted


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with what was typed and a message that says when to try again."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = lockout_until(request, throttled_username(request, {"username": username}))
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


def password_reset_throttled(request, email: str) -> bool:
    """Count one reset request against the client's address and against the account it names;
    True when either is past its limit (PASSWORD_RESET_ADDRESS_LIMIT, PASSWORD_RESET_ACCOUNT_LIMIT
    per PASSWORD_RESET_WINDOW_MINUTES). Both count every request, known account or not."""
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    address = salted_hmac("password-reset-address", client_address(request), algorithm="sha256").hexdigest()
    account = salted_hmac("password-reset-account", email.strip().lower(), algorithm="sha256").hexdigest()
    over_address = over_limit(
        f"password-reset:address:{address}", limit=settings.PASSWORD_RESET_ADDRESS_LIMIT, window=window
    )
    over_account = over_limit(
        f"password-reset:account:{account}", limit=settings.PASSWORD_RESET_ACCOUNT_LIMIT, window=window
    )
    return over_address or over_account


@public
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # A throttled request answers exactly as a sent one (the page says "if an account
        # belongs to this address"), so the limit reveals nothing about who has an account. The
        # account's limit protects an inbox from being flooded; its owner still has the links
        # already sent, which stay valid until one of them is used.
        if password_reset_throttled(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@public
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@public
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"


@public
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
