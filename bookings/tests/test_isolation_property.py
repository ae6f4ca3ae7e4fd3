"""Tenant isolation, explored: whoever you are in one clinic, nothing of another clinic reaches you."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings import services
from clinicpro.models import Role
from clinicpro.testing.factories import (
    ClinicFactory,
    MembershipFactory,
    PractitionerFactory,
    ServiceFactory,
    UserFactory,
)

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)

# Surnames distinctive enough that finding one on a page cannot be a coincidence.
surnames = st.lists(
    st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=8, max_size=12).map(lambda s: "Zq" + s),
    min_size=1,
    max_size=4,
    unique=True,
)


def clinic_with_bookings(slug: str, names: list[str]) -> dict:
    clinic = ClinicFactory(slug=slug, name=f"Clinic {slug}")
    membership = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username=f"doc-{slug}"))
    practitioner = PractitionerFactory(membership=membership)
    service = ServiceFactory(clinic=clinic, practitioners=[practitioner])
    bookings = [
        services.booking_create(
            service=service,
            practitioner=practitioner,
            starts_at=FIRST_SLOT + timedelta(hours=index),
            patient_name=f"Amani {name}",
            patient_email=f"{name.lower()}@example.com",
            patient_phone="0712345678",
            enforce_availability=False,
        )
        for index, name in enumerate(names)
    ]
    return {"clinic": clinic, "bookings": bookings, "names": names}


def member_of(clinic, role: str):
    user = UserFactory(username=f"{role}-of-{clinic.slug}")
    membership = MembershipFactory(clinic=clinic, role=role, user=user)
    if role == Role.PRACTITIONER:
        PractitionerFactory(membership=membership)
    return user


def pages_for(slug: str, other: dict) -> list[str]:
    """Every page a member could try to reach the other clinic's rows through."""
    pages = [f"/c/{slug}/", f"/c/{slug}/bookings/?when=all&status=all"]
    pages += [f"/c/{slug}/bookings/?q={name}&when=all" for name in other["names"]]
    for booking in other["bookings"]:
        pages += [f"/c/{slug}/bookings/{booking.pk}/", f"/c/{slug}/patients/{booking.patient_id}/"]
    return pages


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ours=surnames,
    theirs=surnames,
    role=st.sampled_from([Role.OWNER, Role.PRACTITIONER, Role.STAFF]),
    through_own_slug=st.booleans(),
)
def test_no_member_of_one_clinic_ever_sees_anothers_bookings(
    client, time_machine, ours, theirs, role, through_own_slug
):
    time_machine.move_to(NOW, tick=False)
    theirs = [name for name in theirs if name not in ours] or ["Zqtheirsonly"]
    with transaction.atomic():
        own = clinic_with_bookings("ours", ours)
        other = clinic_with_bookings("theirs", theirs)
        client.force_login(member_of(own["clinic"], role))

        slug = "ours" if through_own_slug else "theirs"
        for url in pages_for(slug, other):
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code in (200, 404), url
            # Full names: a search page rightly echoes the surname it was asked for.
            assert not any(f"Amani {name}" in body for name in other["names"]), f"{url} shows another clinic's patient"
            if url.startswith("/c/theirs/"):
                assert response.status_code == 404, url
        transaction.set_rollback(True)
