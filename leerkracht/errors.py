"""Error pages. The 404 text is the same for a missing object and another school's object.

An error page must answer whatever went wrong. It never reads the request's body (that may be
what could not be read), and should drawing it with the request's context fail (the sessions'
database gone, say), it is drawn without that context, as Django draws its 500 page: the same
page and status, without the signed-in menu. Raising here would answer a bare 500 instead."""

import logging

from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)


def _error_page(request, template: str, status: int) -> HttpResponse:
    try:
        return render(request, template, status=status)
    except Exception:
        logger.exception("The %s page could not be drawn with the request's context", status)
        return HttpResponse(loader.render_to_string(template), status=status)


def bad_request(request, exception=None):
    return _error_page(request, "errors/400.html", 400)


def not_found(request, exception=None):
    return _error_page(request, "errors/404.html", 404)


def forbidden(request, exception=None):
    return _error_page(request, "errors/403.html", 403)
