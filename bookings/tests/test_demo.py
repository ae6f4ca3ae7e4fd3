"""The demo seed gives `make run` something to book, and can run again without changing anything."""

from bookings import demo as bookings_demo
from bookings.models import Booking, BookingStatus, Practitioner, Service, WorkingHours
from clinicpro import demo as clinicpro_demo


def seed_twice(django_capture_on_commit_callbacks) -> dict:
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            context = bookings_demo.seed(clinicpro_demo.seed({}))
    return context


def test_the_demo_clinic_gets_practitioners_services_and_bookings_once(db, django_capture_on_commit_callbacks):
    context = seed_twice(django_capture_on_commit_callbacks)

    assert sorted(p.display_name for p in Practitioner.objects.all()) == ["Dr. Brian Otieno", "Dr. Wanjiru Kamau"]
    assert WorkingHours.objects.count() == 12  # Monday to Saturday for each
    services = {s.name: s for s in Service.objects.all()}
    assert set(services) == {"Online consultation", "Video therapy session", "Clinic visit"}
    assert services["Online consultation"].is_free and services["Online consultation"].meeting_platform == "selfhosted"
    assert services["Video therapy session"].price == 1500 and services["Video therapy session"].is_online
    assert not services["Clinic visit"].is_online
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == [BookingStatus.CONFIRMED, BookingStatus.CONFIRMED, BookingStatus.PENDING]
    assert all(b.patient.user == context["patient_user"] for b in Booking.objects.all())
    assert "http://127.0.0.1:8000/book/demo/" in "\n".join(context["lines"]["links"])
    assert [s.name for s in context["services"]] == ["Online consultation", "Video therapy session", "Clinic visit"]
    assert len(context["practitioners"]) == 2
