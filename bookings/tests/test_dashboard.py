"""Clinic dashboards: today and upcoming, approvals, a booking's page and its actions, search, history."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils.safestring import mark_safe

from bookings import hooks
from bookings.models import AvailabilityException, Booking, BookingStatus, CancelledBy, ConfirmationPolicy
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, ServiceFactory, UserFactory

# Monday 2 March 2026, 09:00 in Nairobi.
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
TODAY_14 = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
THURSDAY_10 = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def colleague(clinic, service):
    other = PractitionerFactory(membership__clinic=clinic, display_name="Dr. Otieno Ouma")
    service.practitioners.add(other)
    return other


@pytest.fixture
def staff(clinic):
    return MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="desk")).user


@pytest.fixture
def manual_service(clinic, practitioner):
    return ServiceFactory(
        clinic=clinic,
        name="Therapy session",
        confirmation_policy=ConfirmationPolicy.MANUAL,
        practitioners=[practitioner],
    )


def test_a_practitioner_sees_their_own_bookings_and_can_ask_for_everyones(
    client, clinic, practitioner, colleague, make_booking
):
    make_booking(TODAY_14, name="Mine Today")
    make_booking(THURSDAY_10, name="Mine Later", email="later@example.com")
    make_booking(TODAY_14, who=colleague, name="Theirs Today", email="theirs@example.com")
    client.force_login(practitioner.user)

    own = client.get(f"/c/{clinic.slug}/").content.decode()
    everyone = client.get(f"/c/{clinic.slug}/?who=all").content.decode()

    assert "Mine Today" in own and "Mine Later" in own and "Theirs Today" not in own
    assert "Show everyone" in own
    assert "Mine Today" in everyone and "Theirs Today" in everyone


def test_staff_see_every_practitioners_bookings(client, clinic, practitioner, colleague, staff, make_booking):
    make_booking(TODAY_14, name="Mine Today")
    make_booking(TODAY_14, who=colleague, name="Theirs Today", email="theirs@example.com")
    client.force_login(staff)
    page = client.get(f"/c/{clinic.slug}/").content.decode()
    assert "Mine Today" in page and "Theirs Today" in page
    assert "East Africa Time (Africa/Nairobi)" in page


def test_pending_bookings_are_approved_from_the_dashboard(
    client, clinic, practitioner, manual_service, make_booking, django_capture_on_commit_callbacks
):
    booking = make_booking(THURSDAY_10, on=manual_service, name="Waiting Patient")
    client.force_login(practitioner.user)
    page = client.get(f"/c/{clinic.slug}/").content.decode()
    assert "Waiting for approval" in page and "Waiting Patient" in page
    assert f"/c/{clinic.slug}/bookings/{booking.pk}/approve/" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/{clinic.slug}/bookings/{booking.pk}/approve/", {"next": f"/c/{clinic.slug}/"})

    assert response["Location"] == f"/c/{clinic.slug}/"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "Booking approved." in client.get(f"/c/{clinic.slug}/").content.decode()


def test_a_pending_booking_is_declined_with_a_reason(client, clinic, practitioner, manual_service, make_booking):
    booking = make_booking(THURSDAY_10, on=manual_service)
    client.force_login(practitioner.user)
    client.post(f"/c/{clinic.slug}/bookings/{booking.pk}/decline/", {"reason": "On leave that week."})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED and booking.status_reason == "On leave that week."
    assert "On leave that week." in client.get(f"/b/{booking.token}/").content.decode()


def test_an_action_that_does_not_apply_is_explained(client, clinic, practitioner, make_booking):
    booking = make_booking(THURSDAY_10)  # confirmed already
    client.force_login(practitioner.user)
    response = client.post(f"/c/{clinic.slug}/bookings/{booking.pk}/approve/", follow=True)
    assert "cannot be approved" in response.content.decode()


def test_banners_from_other_apps_are_shown_when_their_candidates_have_rows(
    client, clinic, practitioner, make_booking, monkeypatch
):
    def candidates(request):
        return [Booking.objects.filter(clinic=request.clinic)]

    source = hooks.BannerSource(build=lambda request: ["Reconnect your Zoom account."], candidates=candidates)
    monkeypatch.setattr(hooks, "_banner_sources", [source])
    client.force_login(practitioner.user)
    assert "Reconnect your Zoom account." not in client.get(f"/c/{clinic.slug}/").content.decode()
    make_booking(THURSDAY_10)
    assert "Reconnect your Zoom account." in client.get(f"/c/{clinic.slug}/").content.decode()


def test_the_booking_page_shows_patient_details_history_and_panels(
    client, clinic, practitioner, make_booking, monkeypatch
):
    monkeypatch.setattr(
        hooks,
        "_panel_sources",
        [lambda request, booking: mark_safe(f"<p id='meeting-panel'>Meeting for {booking.pk}</p>")],
    )
    booking = make_booking(THURSDAY_10, name="Achieng Otieno", phone="0712 345 678")
    booking.notes = "Allergic to penicillin."
    booking.save()
    client.force_login(practitioner.user)

    page = client.get(f"/c/{clinic.slug}/bookings/{booking.pk}/").content.decode()

    assert "Achieng Otieno" in page and "+254712345678" in page and "achieng@example.com" in page
    assert "Allergic to penicillin." in page
    assert "Thursday 5 March 2026, 10:00–10:30" in page
    assert f"<p id='meeting-panel'>Meeting for {booking.pk}</p>" in page
    assert f"/b/{booking.token}/" in page
    assert "Confirmed" in page


def test_the_clinic_cancels_for_the_patient_even_inside_the_cutoff(client, clinic, practitioner, make_booking):
    booking = make_booking(TODAY_14)
    client.force_login(practitioner.user)
    client.post(f"/c/{clinic.slug}/bookings/{booking.pk}/cancel/", {"reason": "Practitioner unwell."})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancelled_by == CancelledBy.CLINIC
    assert "Practitioner unwell." in client.get(f"/b/{booking.token}/").content.decode()


def test_the_clinic_reschedules_for_the_patient(client, clinic, practitioner, make_booking):
    booking = make_booking(TODAY_14)
    client.force_login(practitioner.user)
    url = f"/c/{clinic.slug}/bookings/{booking.pk}/reschedule/"
    picker = client.get(f"{url}?day=2026-03-04").content.decode()
    assert f"{url}?slot=2026-03-04T06:00:00Z" in picker
    confirm = client.get(f"{url}?slot=2026-03-04T06:00:00Z").content.decode()
    assert "Wednesday 4 March 2026, 09:00–09:30" in confirm

    client.post(url, {"slot": "2026-03-04T06:00:00Z"})

    booking.refresh_from_db()
    assert booking.starts_at == datetime(2026, 3, 4, 6, 0, tzinfo=UTC) and booking.sequence == 1


def test_a_past_booking_is_marked_completed_or_no_show(client, clinic, practitioner, make_booking, time_machine):
    attended = make_booking(TODAY_14)
    missed = make_booking(TODAY_14 + timedelta(hours=1), email="missed@example.com")
    time_machine.move_to(TODAY_14 + timedelta(hours=3), tick=False)
    client.force_login(practitioner.user)
    client.post(f"/c/{clinic.slug}/bookings/{attended.pk}/complete/")
    client.post(f"/c/{clinic.slug}/bookings/{missed.pk}/no-show/")
    attended.refresh_from_db()
    missed.refresh_from_db()
    assert attended.status == BookingStatus.COMPLETED and missed.status == BookingStatus.NO_SHOW


def test_actions_need_a_post(client, clinic, practitioner, make_booking):
    booking = make_booking(THURSDAY_10)
    client.force_login(practitioner.user)
    assert client.get(f"/c/{clinic.slug}/bookings/{booking.pk}/cancel/").status_code == 405
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_search_finds_patients_by_name_email_and_phone_as_typed(client, clinic, practitioner, make_booking):
    make_booking(THURSDAY_10, name="Achieng Otieno", email="achieng@example.com", phone="0712 345 678")
    make_booking(
        THURSDAY_10 + timedelta(hours=1), name="Baraka Mwangi", email="baraka@example.com", phone="0722 000 111"
    )
    client.force_login(practitioner.user)

    def found(query):
        page = client.get(f"/c/{clinic.slug}/bookings/", {"q": query}).content.decode()
        return {name for name in ("Achieng Otieno", "Baraka Mwangi") if name in page}

    assert found("otieno") == {"Achieng Otieno"}
    assert found("baraka@") == {"Baraka Mwangi"}
    assert found("0712 345 678") == {"Achieng Otieno"}
    assert found("+254722000111") == {"Baraka Mwangi"}


def test_filters_narrow_by_status_practitioner_service_and_dates(
    client, clinic, practitioner, colleague, manual_service, make_booking
):
    make_booking(THURSDAY_10, name="Confirmed Thursday")
    make_booking(THURSDAY_10 + timedelta(days=1), on=manual_service, name="Pending Friday", email="p@example.com")
    make_booking(THURSDAY_10, who=colleague, name="Colleague Thursday", email="c@example.com")
    client.force_login(practitioner.user)

    def names(**filters):
        page = client.get(f"/c/{clinic.slug}/bookings/", filters).content.decode()
        return {n for n in ("Confirmed Thursday", "Pending Friday", "Colleague Thursday") if n in page}

    assert names(status="pending") == {"Pending Friday"}
    assert names(practitioner=colleague.pk) == {"Colleague Thursday"}
    assert names(service=manual_service.pk) == {"Pending Friday"}
    assert names(date_from="2026-03-06") == {"Pending Friday"}
    assert names(date_to="2026-03-05") == {"Confirmed Thursday", "Colleague Thursday"}


def test_the_booking_list_is_paginated(client, clinic, practitioner, make_booking):
    for n in range(30):
        make_booking(THURSDAY_10 + timedelta(hours=n), name=f"Patient {n:02d}", email=f"p{n}@example.com")
    client.force_login(practitioner.user)
    first = client.get(f"/c/{clinic.slug}/bookings/").content.decode()
    second = client.get(f"/c/{clinic.slug}/bookings/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Patient 29" in first and "Patient 00" not in first
    assert "Patient 00" in second and "Patient 29" not in second


def test_a_patients_history_lists_their_bookings_only(client, clinic, practitioner, make_booking):
    first = make_booking(THURSDAY_10, name="Achieng Otieno")
    make_booking(THURSDAY_10 + timedelta(days=7), name="Achieng Otieno")
    make_booking(THURSDAY_10 + timedelta(hours=2), name="Baraka Mwangi", email="baraka@example.com")
    client.force_login(practitioner.user)
    page = client.get(f"/c/{clinic.slug}/patients/{first.patient_id}/").content.decode()
    assert "Achieng Otieno" in page and "2 bookings" in page and "Baraka Mwangi" not in page


def test_my_bookings_lists_bookings_across_clinics_by_account_or_verified_email(
    client, clinic, other_clinic, practitioner, make_booking
):
    patient = UserFactory(username="amina", email="amina@example.com")
    EmailAddress.objects.create(user=patient, email="amina@example.com", verified=True, primary=True)
    EmailAddress.objects.create(user=patient, email="amina.old@example.com", verified=False, primary=False)
    here = make_booking(THURSDAY_10, email="amina@example.com", name="Amina W")
    elsewhere_practitioner = PractitionerFactory(membership__clinic=other_clinic, display_name="Dr. Coast")
    elsewhere_service = ServiceFactory(
        clinic=other_clinic, name="Coast consult", practitioners=[elsewhere_practitioner]
    )
    there = make_booking(THURSDAY_10, on=elsewhere_service, who=elsewhere_practitioner, email="AMINA@example.com")
    unverified = make_booking(THURSDAY_10 + timedelta(hours=2), email="amina.old@example.com")
    someone_else = make_booking(THURSDAY_10 + timedelta(hours=4), email="someone@example.com")
    client.force_login(patient)

    page = client.get("/me/bookings/").content.decode()

    assert f"/b/{here.token}/" in page and f"/b/{there.token}/" in page
    assert f"/b/{unverified.token}/" not in page and f"/b/{someone_else.token}/" not in page
    assert "Coast consult" in page and "Uhuru Health" in page


def test_my_bookings_needs_sign_in(client, db):
    assert client.get("/me/bookings/").status_code == 302


def test_bookings_of_a_patient_linked_by_account_show_without_a_verified_email(client, clinic, make_booking):
    user = UserFactory(username="linked", email="linked@example.com")
    booking = make_booking(THURSDAY_10, email="other-address@example.com")
    booking.patient.user = user
    booking.patient.save()
    client.force_login(user)
    assert f"/b/{booking.token}/" in client.get("/me/bookings/").content.decode()


def test_every_post_form_carries_a_csrf_token(client, clinic, practitioner, manual_service, make_booking):
    pending = make_booking(THURSDAY_10, on=manual_service)
    confirmed = make_booking(THURSDAY_10 + timedelta(hours=2), email="c@example.com")
    AvailabilityException.objects.create(practitioner=practitioner, date=THURSDAY_10.date(), kind="time_off")
    client.force_login(practitioner.user)
    pages = [
        f"/c/{clinic.slug}/",
        f"/c/{clinic.slug}/bookings/",
        f"/c/{clinic.slug}/bookings/{pending.pk}/",
        f"/c/{clinic.slug}/bookings/{confirmed.pk}/",
        f"/c/{clinic.slug}/bookings/{confirmed.pk}/reschedule/?slot=2026-03-06T07:00:00Z",
        f"/c/{clinic.slug}/services/",
        f"/c/{clinic.slug}/services/{manual_service.pk}/",
        f"/c/{clinic.slug}/availability/",
        f"/b/{confirmed.token}/cancel/",
        f"/b/{confirmed.token}/reschedule/?slot=2026-03-06T07:00:00Z",
        f"/book/{clinic.slug}/details/?service={manual_service.pk}&practitioner={practitioner.pk}"
        "&slot=2026-03-06T07:00:00Z",
    ]
    post_forms = 0
    for url in pages:
        page = client.get(url).content.decode()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S | re.I):
            if re.search(r'method="post"', form, flags=re.I):
                post_forms += 1
                assert "csrfmiddlewaretoken" in form, f"{url}: {form[:200]}"
    assert post_forms >= 15
