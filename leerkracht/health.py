"""`/healthz`: is the database answering, is the broker answering. No secrets in the body."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from leerkracht.access import public


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "unavailable"
    return "ok"


def broker_state() -> str:
    if not settings.REDIS_URL:
        return "in-process"  # the embedded default: tasks run in the web process
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except redis.RedisError:
        return "unavailable"
    return "ok"


@public
@never_cache
def healthz(request):
    state = {"database": database_state(), "broker": broker_state()}
    healthy = state["database"] == "ok" and state["broker"] in {"ok", "in-process"}
    return JsonResponse({"status": "ok" if healthy else "unavailable", **state}, status=200 if healthy else 503)
