"""Each dashboard page costs the same number of queries at 10 bookings as at 1,000."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, BookingStatus, Patient
from bookings.selectors import clinic_practitioner_of
from clinicpro.tenancy import membership_for
from clinicpro.testing.factories import PractitionerFactory, UserFactory

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
# Session, user, membership, the clinic switcher and one query per dashboard banner source (meetings,
# integrations, payments, messages, webhooks): far below one query per row.
MAX_QUERIES_PER_PAGE = 25
STATUSES = [BookingStatus.CONFIRMED, BookingStatus.PENDING, BookingStatus.CANCELLED, BookingStatus.COMPLETED]


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def busy_clinic(clinic, practitioner, service):
    """Adds bookings in bulk, an hour apart around now, for a few patients, until there are `total`."""
    colleague = PractitionerFactory(membership__clinic=clinic, display_name="Dr. Otieno Ouma")
    service.practitioners.add(colleague)
    patient_user = UserFactory(username="amina", email="amina@example.com")
    EmailAddress.objects.create(user=patient_user, email="amina@example.com", verified=True, primary=True)
    patients = [Patient.objects.create(clinic=clinic, name="Amina", email="amina@example.com", phone="+254712345678")]
    patients += [
        Patient.objects.create(clinic=clinic, name=f"Patient {n}", email=f"p{n}@example.com", phone="+254712345678")
        for n in range(20)
    ]

    def fill(total):
        start = Booking.objects.count()
        rows = []
        for n in range(start, total):
            starts_at = NOW + timedelta(hours=n - total // 2)
            rows.append(
                Booking(
                    clinic=clinic,
                    service=service,
                    practitioner=practitioner if n % 2 else colleague,
                    patient=patients[n % len(patients)],
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=30),
                    blocked_from=starts_at,
                    blocked_until=starts_at + timedelta(minutes=30),
                    status=STATUSES[n % len(STATUSES)],
                    is_online=True,
                )
            )
        Booking.objects.bulk_create(rows)
        return Booking.objects.filter(clinic=clinic).order_by("pk")

    fill.patients = patients
    fill.patient_user = patient_user
    return fill


def pages(clinic, bookings, patients):
    first = bookings.first()
    return [
        f"/c/{clinic.slug}/",
        f"/c/{clinic.slug}/?who=all",
        f"/c/{clinic.slug}/bookings/",
        f"/c/{clinic.slug}/bookings/?q=patient&status=confirmed&page=2",
        f"/c/{clinic.slug}/bookings/{first.pk}/",
        f"/c/{clinic.slug}/patients/{patients[0].pk}/",
        f"/c/{clinic.slug}/services/",
    ]


def queries_for(client, url):
    # A first view may create rows once (the meetings panel makes its join links lazily); measure the next.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_dashboard_pages_cost_the_same_queries_at_10_and_1000_bookings(
    client, clinic, practitioner, busy_clinic, django_assert_max_num_queries
):
    client.force_login(practitioner.user)
    few = busy_clinic(10)
    at_10 = {url: queries_for(client, url) for url in pages(clinic, few, busy_clinic.patients)}

    many = busy_clinic(1000)
    assert many.count() == 1000
    at_1000 = {url: queries_for(client, url) for url in pages(clinic, many, busy_clinic.patients)}

    assert at_1000 == at_10
    for url in at_1000:
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            client.get(url)


def test_my_bookings_and_the_feed_cost_the_same_queries_at_10_and_1000_bookings(
    client, practitioner, busy_clinic, django_assert_max_num_queries, web_conference
):
    client.force_login(busy_clinic.patient_user)
    urls = ["/me/bookings/", f"/feeds/{practitioner.feed_token}.ics"]
    busy_clinic(10)
    at_10 = {url: queries_for(client, url) for url in urls}
    busy_clinic(1000)
    at_1000 = {url: queries_for(client, url) for url in urls}
    assert at_1000 == at_10
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            client.get(url)


def test_a_busy_day_shows_a_bounded_today_list_with_a_link_to_all_of_it(client, clinic, owner, practitioner, service):
    from bookings.selectors import UPCOMING_SHOWN, local_day_bounds

    patient = Patient.objects.create(clinic=clinic, name="Juma", email="juma@example.com", phone="+254712345678")
    day_start = local_day_bounds(clinic, NOW.astimezone(clinic.zone).date())[0]
    Booking.objects.bulk_create(
        Booking(
            clinic=clinic,
            service=service,
            practitioner=practitioner,
            patient=patient,
            starts_at=day_start + timedelta(minutes=20 * n),
            ends_at=day_start + timedelta(minutes=20 * n + 15),
            blocked_from=day_start + timedelta(minutes=20 * n),
            blocked_until=day_start + timedelta(minutes=20 * n + 15),
            status=BookingStatus.CONFIRMED,
        )
        for n in range(40)
    )
    client.force_login(owner)
    page = client.get(f"/c/{clinic.slug}/").content.decode()
    today = page.split('id="today-title"')[1].split("<section")[0]
    assert today.count("<tr>") - 1 == UPCOMING_SHOWN  # header row, then the rows
    assert "All 40 bookings today" in today
    assert "date_from=2026-03-02&amp;date_to=2026-03-02" in today


# What the apps that give the dashboard its banners keep their causes in.
BANNER_TABLES = ("meetings_meeting", "payments_invoice", "integrations_connection", "notifications_message")


def test_the_dashboard_asks_every_banner_source_in_one_query_when_none_has_anything(
    client, clinic, owner, practitioner, busy_clinic
):
    busy_clinic(100)
    client.force_login(owner)
    client.get(f"/c/{clinic.slug}/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/c/{clinic.slug}/")
    assert response.status_code == 200
    asking = [q["sql"] for q in captured if any(table in q["sql"] for table in BANNER_TABLES)]
    assert len(asking) == 1
    assert all(table in asking[0] for table in (*BANNER_TABLES, "api_webhookendpoint"))
    # The user, the memberships (with the clinic switcher and the practitioner profile), the two list
    # totals, the three lists and the banners.
    assert len(captured) <= 7


@pytest.mark.parametrize("is_practitioner", [True, False])
def test_whether_a_member_is_a_practitioner_comes_with_the_membership(
    rf, clinic, owner, practitioner, is_practitioner, django_assert_num_queries
):
    request = rf.get("/")
    request.user = practitioner.membership.user if is_practitioner else owner
    with django_assert_num_queries(1):
        membership = membership_for(request, clinic.slug)
        assert clinic_practitioner_of(membership) == (practitioner if is_practitioner else None)
