# syntax=docker/dockerfile:1
# The leerKRACHT platform: one image for the web process (gunicorn), the Celery worker and beat.
FROM python:3.12-slim

ARG UV_VERSION=0.13.9

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH="/app/.venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=leerkracht.settings.production

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-cache

COPY . .

# Hashed, compressed static files for whitenoise. Production settings insist on a secret key
# and allowed hosts; these throw-away values exist only for this one command, not in the image.
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key-0123456789 \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays root-owned (read-only to the app); beat keeps its
# schedule file in /var/lib/leerkracht.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/leerkracht --create-home \
        --shell /usr/sbin/nologin leerkracht
USER leerkracht

EXPOSE 8000
CMD ["gunicorn", "leerkracht.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
