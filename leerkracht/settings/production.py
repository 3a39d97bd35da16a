"""Production: secrets are mandatory, every transport is encrypted, static files are hashed."""

from leerkracht import env
from leerkracht.settings.base import *  # noqa: F403
from leerkracht.settings.base import mailer

DEBUG = False
SECRET_KEY = env.get_mandatory("SECRET_KEY")
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = [env.get_mandatory("ALLOWED_HOSTS")]

SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.get_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz is asked over plain HTTP by the load balancer and the container runtime.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
MAILERS = {"default": mailer(env.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"))}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
