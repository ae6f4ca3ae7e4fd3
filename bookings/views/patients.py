"""Pages for people who book: "My bookings" across clinics, and calendar feeds."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .. import ics, selectors
from ..models import Practitioner

PAGE_SIZE = 25


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.bookings_of_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "bookings/me/bookings.html", {"page": page})


@never_cache
def practitioner_feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """A practitioner's bookings as a calendar subscription; the secret URL is the only key."""
    practitioner = Practitioner.objects.select_related("clinic").filter(feed_token=feed_token, is_active=True).first()
    if practitioner is None:
        raise Http404("No such feed.")
    calendar = ics.practitioner_feed(practitioner, selectors.practitioner_feed_bookings(practitioner))
    response = HttpResponse(calendar.to_ical(), content_type=ics.CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=300"
    return response
