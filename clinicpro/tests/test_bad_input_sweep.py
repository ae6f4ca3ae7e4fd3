"""Hostile input in URLs answers a clear 400 or 404 page, never a server error."""

import pytest

from bookings.models import BookingStatus

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/b/%00/",
    "/b/%00/booking.ics",
    "/b/%00/cancel/",
    "/b/%00/reschedule/",
    "/b/ok%00/",
    "/j/%00",
    "/j/host-%00",
    "/feeds/%00.ics",
    "/invite/%00/",
    "/book/uhuru/details/?slot=0001-01-01T00:00:00%2B14:00&service={service}&practitioner={practitioner}",
    "/book/uhuru/details/?slot=9999-12-31T23:59:59Z&service={service}&practitioner={practitioner}",
    "/book/uhuru/details/?slot=%00&service=%00&practitioner=%00",
    "/book/uhuru/?service={service}&practitioner={practitioner}&from=9999-12-31&day=9999-12-31",
    "/book/uhuru/?service={service}&practitioner={practitioner}&from=0001-01-01&day=0001-01-01",
    "/book/uhuru/?service=%00",
    "/b/{token}/reschedule/?slot=9999-12-31T23:59:59Z",
    "/b/{token}/reschedule/?slot=0001-01-01T00:00:00%2B14:00",
    "/b/{token}/reschedule/?from=9999-12-31&day=9999-12-31",
    "/accounts/google/login/",
    "/accounts/google/login/callback/?code=x&state=y",
    "/accounts/google/login/token/",
]
DASHBOARD_URLS = [
    "/c/uhuru/bookings/?date_from=9999-12-31",
    "/c/uhuru/bookings/?date_to=9999-12-31&date_from=0001-01-01",
    "/c/uhuru/bookings/?q=%00&status=%00&practitioner=%00&service=%00",
    "/c/uhuru/bookings/{booking}/reschedule/?slot=9999-12-31T23:59:59Z",
    "/c/uhuru/bookings/{booking}/reschedule/?slot=0001-01-01T00:00:00%2B14:00",
    "/c/uhuru/bookings/{booking}/reschedule/?from=9999-12-31&day=9999-12-31",
    "/c/uhuru/?who=%00",
]


@pytest.fixture
def names(service, practitioner, make_booking):
    from datetime import timedelta

    from django.utils import timezone

    booking = make_booking(timezone.now() + timedelta(days=3))
    assert booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.AWAITING_PAYMENT)
    return {"service": service.pk, "practitioner": practitioner.pk, "token": booking.token, "booking": booking.pk}


def _assert_clear_answer(response, url: str) -> None:
    assert response.status_code < 500, f"{url} answered {response.status_code}"
    if response.status_code in (400, 404):
        assert b"<h1>" in response.content, f"{url} answered {response.status_code} without a page"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_urls_never_answer_500(client, names, url):
    client.raise_request_exception = False
    url = url.format(**names)
    _assert_clear_answer(client.get(url), url)
    if "/cancel/" in url or "/reschedule/" in url or "/invite/" in url:
        _assert_clear_answer(client.post(url, {"slot": "9999-12-31T23:59:59Z"}), url)


@pytest.mark.parametrize("url", DASHBOARD_URLS)
def test_dashboard_urls_never_answer_500(client, names, owner, url):
    client.raise_request_exception = False
    client.force_login(owner)
    url = url.format(**names)
    _assert_clear_answer(client.get(url), url)


def test_nul_in_a_token_is_a_404(client, names):
    for url in ("/b/%00/", "/j/%00", "/feeds/%00.ics", "/invite/%00/"):
        assert client.get(url).status_code == 404, url


def test_google_sign_in_urls_are_404_when_google_sign_in_is_off(client, settings):
    assert settings.GOOGLE_LOGIN_ENABLED is False
    for url in ("/accounts/google/login/", "/accounts/google/login/callback/", "/accounts/google/login/token/"):
        assert client.get(url).status_code == 404, url
