"""The site's URLs plus one trivial view, the yardstick every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clinicpro.urls import urlpatterns as site_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), *site_urlpatterns]
