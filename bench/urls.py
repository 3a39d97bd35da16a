"""The app's URLs plus one minimal view: the baseline the board's pages are measured against."""

from django.http import HttpResponse
from django.urls import include, path

from leerkracht.access import personal
from leerkracht.http import AppRequest


@personal
def minimal(request: AppRequest) -> HttpResponse:
    """Through every middleware like a real page, with the one query every page pays: the access."""
    # Access is computed lazily; touching it runs the memberships query as every real page does.
    if not request.access.is_authenticated:
        return HttpResponse("anonymous", status=403)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("wiring.urls")),
]

handler404 = "leerkracht.errors.not_found"
handler403 = "leerkracht.errors.forbidden"
