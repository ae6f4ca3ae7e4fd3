"""Tenant isolation: every dashboard URL answers 404 to anyone outside the clinic.

The URL list is read from bookings.urls itself, so a new dashboard page is covered
the moment it is added (and this test fails if it does not know how to fill it in).
"""

from datetime import UTC, datetime

import pytest
from django.urls import URLPattern

from bookings import urls as booking_urls
from bookings.models import AvailabilityException
from bookings.views.dashboard import ACTIONS
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, UserFactory

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)

DASHBOARD_ROUTES = [
    pattern
    for pattern in booking_urls.urlpatterns
    if isinstance(pattern, URLPattern) and str(pattern.pattern).startswith("c/<slug:clinic_slug>/")
]


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def clinic_objects(clinic, practitioner, service, make_booking):
    """One of everything a dashboard URL can name, in `clinic`."""
    booking = make_booking(THURSDAY_10)
    time_off = AvailabilityException.objects.create(practitioner=practitioner, date=THURSDAY_10.date(), kind="time_off")
    return {
        "booking_id": booking.pk,
        "patient_id": booking.patient_id,
        "service_id": service.pk,
        "exception_id": time_off.pk,
    }


def filled_urls(slug, objects):
    """Every dashboard URL with `slug` and the ids in `objects`; every action of the action route."""
    urls = []
    for pattern in DASHBOARD_ROUTES:
        names = set(pattern.pattern.converters)
        unknown = names - {"clinic_slug", "action", *objects}
        assert not unknown, f"The isolation test does not know how to fill {unknown} in {pattern.pattern}"
        actions = ACTIONS if "action" in names else [None]
        for action in actions:
            path = str(pattern.pattern).replace("<slug:clinic_slug>", slug).replace("<slug:action>", action or "")
            for name, value in objects.items():
                path = path.replace(f"<int:{name}>", str(value))
            urls.append("/" + path)
    return urls


def outsider_with(role, other_clinic):
    user = UserFactory(username=f"outsider-{role}")
    membership = MembershipFactory(clinic=other_clinic, role=role, user=user)
    if role == Role.PRACTITIONER:
        PractitionerFactory(membership=membership)
    return user


def test_every_dashboard_route_is_covered():
    names = {pattern.name for pattern in DASHBOARD_ROUTES}
    assert {"clinic_dashboard", "clinic_bookings", "clinic_booking", "clinic_patient", "clinic_services"} <= names


@pytest.mark.parametrize("role", [Role.OWNER, Role.PRACTITIONER, Role.STAFF])
def test_a_member_of_another_clinic_gets_404_on_every_dashboard_url(client, clinic_objects, other_clinic, role):
    client.force_login(outsider_with(role, other_clinic))
    for url in filled_urls("uhuru", clinic_objects):
        assert client.get(url).status_code == 404, f"GET {url}"
        assert client.post(url, {"slot": "2026-03-06T07:00:00Z", "reason": "x"}).status_code == 404, f"POST {url}"


@pytest.mark.parametrize("role", [Role.OWNER, Role.PRACTITIONER, Role.STAFF])
def test_another_clinics_ids_under_ones_own_clinic_are_404(client, clinic_objects, other_clinic, role):
    """The outsider's own slug with `clinic`'s ids: nothing of `clinic` leaks through the ids."""
    client.force_login(outsider_with(role, other_clinic))
    for url in filled_urls("mombasa", clinic_objects):
        if not any(f"/{value}/" in url for value in clinic_objects.values()):
            continue  # a page of the outsider's own clinic that names no object
        get = client.get(url).status_code
        post = client.post(url, {"slot": "2026-03-06T07:00:00Z", "reason": "x"}).status_code
        # Staff may be refused the service editor outright (403) and a POST-only action refuses a GET (405)
        # before looking anything up; neither ever shows another clinic's object.
        assert get in (404, 403, 405) and post in (404, 403), f"{url}: GET {get}, POST {post}"


def test_signed_out_visitors_are_sent_to_sign_in(client, clinic_objects):
    for url in filled_urls("uhuru", clinic_objects):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_members_reach_every_dashboard_page(client, clinic_objects, practitioner):
    """The same URLs do answer for the clinic's own people, so the 404s above mean isolation."""
    client.force_login(practitioner.user)
    for url in filled_urls("uhuru", clinic_objects):
        post_only = (*(f"/{action}/" for action in ACTIONS), "/active/", "/delete/", "/platforms/")
        if url.endswith(post_only):
            continue  # POST-only actions: covered by their own tests
        if url.endswith("/calendar-feed/"):
            continue
        assert client.get(url).status_code == 200, url
