"""The service editor (/c/<slug>/services/) and the working-hours editor (/c/<slug>/availability/)."""

from datetime import date, time

import pytest

from bookings.models import AvailabilityException, ConfirmationPolicy, Service, WorkingHours
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, ServiceFactory, UserFactory


@pytest.fixture
def staff(clinic):
    return MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="desk")).user


def service_data(practitioner, **overrides):
    return {
        "name": "Video follow-up",
        "description": "A short check-in.",
        "duration_minutes": 20,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 10,
        "price": 1500,
        "is_online": "on",
        "meeting_platform": "selfhosted",
        "confirmation_policy": ConfirmationPolicy.AUTOMATIC,
        "min_notice_minutes": 60,
        "horizon_days": 30,
        "practitioners": [practitioner.pk],
        **overrides,
    }


def test_a_practitioner_creates_an_online_service(client, clinic, practitioner, web_platforms):
    client.force_login(practitioner.user)
    form = client.get(f"/c/{clinic.slug}/services/new/").content.decode()
    assert "csrfmiddlewaretoken" in form

    response = client.post(f"/c/{clinic.slug}/services/new/", service_data(practitioner))

    assert response.status_code == 302
    service = Service.objects.get(name="Video follow-up")
    assert service.clinic == clinic and service.price == 1500 and service.is_online
    assert service.meeting_platform == "selfhosted" and service.buffer_after_minutes == 10
    assert list(service.practitioners.all()) == [practitioner]
    assert service.meeting_settings == {}
    assert "Video follow-up" in client.get(f"/c/{clinic.slug}/services/").content.decode()


def test_unusable_platforms_are_shown_disabled_with_the_reason_and_a_way_to_fix_them(
    client, clinic, practitioner, web_platforms
):
    client.force_login(practitioner.user)
    page = client.get(f"/c/{clinic.slug}/services/new/").content.decode()
    assert '<option value="zoom" disabled>' in page
    assert "not available for your bookings: no Zoom connection" in page
    assert "/integrations/?next=%2Fc%2Fuhuru%2Fservices%2Fnew%2F" in page


def test_an_online_service_needs_a_usable_meeting_platform(client, clinic, practitioner, web_platforms):
    client.force_login(practitioner.user)
    missing = client.post(f"/c/{clinic.slug}/services/new/", service_data(practitioner, meeting_platform=""))
    unusable = client.post(f"/c/{clinic.slug}/services/new/", service_data(practitioner, meeting_platform="zoom"))
    assert "An online service needs a meeting platform." in missing.content.decode()
    assert "That platform cannot be used yet" in unusable.content.decode()
    assert not Service.objects.filter(name="Video follow-up").exists()


def test_an_in_person_service_needs_no_platform(client, clinic, practitioner, web_platforms):
    client.force_login(practitioner.user)
    data = service_data(practitioner, meeting_platform="zoom", price=0)
    del data["is_online"]
    client.post(f"/c/{clinic.slug}/services/new/", data)
    service = Service.objects.get(name="Video follow-up")
    assert not service.is_online and service.meeting_platform == "" and service.is_free


def test_confirming_on_payment_needs_a_price(client, clinic, practitioner, web_platforms):
    client.force_login(practitioner.user)
    response = client.post(
        f"/c/{clinic.slug}/services/new/",
        service_data(practitioner, price=0, confirmation_policy=ConfirmationPolicy.PAYMENT),
    )
    assert "needs a price" in response.content.decode()
    assert not Service.objects.filter(name="Video follow-up").exists()


def test_only_this_clinics_practitioners_can_be_chosen(client, clinic, other_clinic, practitioner, web_platforms):
    outsider = PractitionerFactory(membership__clinic=other_clinic)
    client.force_login(practitioner.user)
    response = client.post(f"/c/{clinic.slug}/services/new/", service_data(practitioner, practitioners=[outsider.pk]))
    assert response.status_code == 200
    assert not Service.objects.filter(name="Video follow-up").exists()


def test_editing_keeps_the_meeting_settings_the_meetings_app_stored(
    client, clinic, practitioner, service, web_platforms
):
    service.meeting_settings = {"waiting_room": True}
    service.save()
    client.force_login(practitioner.user)
    client.post(f"/c/{clinic.slug}/services/{service.pk}/", service_data(practitioner, name="Renamed"))
    service.refresh_from_db()
    assert service.name == "Renamed" and service.meeting_settings == {"waiting_room": True}


def test_a_practitioner_cannot_edit_a_service_they_do_not_offer_but_the_owner_can(
    client, clinic, owner, practitioner, web_platforms
):
    colleague = PractitionerFactory(membership__clinic=clinic)
    theirs = ServiceFactory(clinic=clinic, name="Their service", practitioners=[colleague])
    client.force_login(practitioner.user)
    assert client.get(f"/c/{clinic.slug}/services/{theirs.pk}/").status_code == 403
    assert client.post(f"/c/{clinic.slug}/services/{theirs.pk}/active/").status_code == 403

    client.force_login(owner)
    assert client.get(f"/c/{clinic.slug}/services/{theirs.pk}/").status_code == 200


def test_staff_cannot_use_the_service_editor(client, clinic, staff, service):
    client.force_login(staff)
    assert client.get(f"/c/{clinic.slug}/services/").status_code == 403


def test_a_deactivated_service_leaves_the_booking_page(client, clinic, practitioner, service):
    client.force_login(practitioner.user)
    client.post(f"/c/{clinic.slug}/services/{service.pk}/active/", follow=True)
    service.refresh_from_db()
    assert not service.is_active
    assert "Online consultation" not in client.get(f"/book/{clinic.slug}/").content.decode()


def test_a_practitioner_edits_their_working_hours_and_time_off(client, clinic):
    membership = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER)
    practitioner = PractitionerFactory(membership=membership, with_hours=False)
    client.force_login(practitioner.user)
    page = client.get(f"/c/{clinic.slug}/availability/").content.decode()
    assert "Working hours" in page and "East Africa Time (Africa/Nairobi)" in page

    client.post(
        f"/c/{clinic.slug}/availability/",
        {
            "save_hours": "1",
            "hours-TOTAL_FORMS": "1",
            "hours-INITIAL_FORMS": "0",
            "hours-0-weekday": "0",
            "hours-0-start_time": "09:00",
            "hours-0-end_time": "13:00",
        },
    )
    client.post(
        f"/c/{clinic.slug}/availability/",
        {"add_time_off": "1", "off-date": "2026-03-09", "off-kind": "time_off", "off-note": "Conference"},
    )

    (hours,) = WorkingHours.objects.filter(practitioner=practitioner)
    assert (hours.weekday, hours.start_time, hours.end_time) == (0, time(9), time(13))
    (off,) = AvailabilityException.objects.filter(practitioner=practitioner)
    assert off.date == date(2026, 3, 9) and off.start_time is None


def test_working_hours_that_end_before_they_start_are_refused(client, clinic, practitioner):
    client.force_login(practitioner.user)
    before = WorkingHours.objects.filter(practitioner=practitioner).count()
    response = client.post(
        f"/c/{clinic.slug}/availability/",
        {
            "save_hours": "1",
            "hours-TOTAL_FORMS": "1",
            "hours-INITIAL_FORMS": "0",
            "hours-0-weekday": "0",
            "hours-0-start_time": "13:00",
            "hours-0-end_time": "09:00",
        },
    )
    assert "The end must be after the start." in response.content.decode()
    assert WorkingHours.objects.filter(practitioner=practitioner).count() == before


def test_working_hours_are_offered_only_to_members_who_see_patients(client, clinic, owner, practitioner):
    client.force_login(practitioner.user)
    assert f"/c/{clinic.slug}/availability/" in client.get(f"/c/{clinic.slug}/").content.decode()
    client.force_login(owner)
    assert f"/c/{clinic.slug}/availability/" not in client.get(f"/c/{clinic.slug}/").content.decode()
    assert client.get(f"/c/{clinic.slug}/availability/").status_code == 404
