"""The service editor's meeting platform, for a service several practitioners offer.

The platforms come through bookings.hooks (a stand-in here: Zoom only for the practitioners who
connected it); the real meetings app answers in meetings/tests/test_service_platforms.py.
"""

import pytest
from pytest_django.asserts import assertContains, assertNotContains

from bookings.models import ConfirmationPolicy, Service
from clinicpro.models import Role
from clinicpro.testing.factories import MembershipFactory, PractitionerFactory, ServiceFactory, UserFactory


@pytest.fixture
def zoom_for_wanjiru(web_platforms, practitioner):
    web_platforms.zoom_users.add(practitioner.pk)
    return web_platforms


def edit_url(service):
    return f"/c/{service.clinic.slug}/services/{service.pk}/"


def service_data(service, **overrides):
    return {
        "name": service.name,
        "description": "",
        "duration_minutes": 30,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "price": 0,
        "is_online": "on",
        "meeting_platform": "zoom",
        "confirmation_policy": ConfirmationPolicy.AUTOMATIC,
        "min_notice_minutes": 0,
        "horizon_days": 30,
        "practitioners": [p.pk for p in service.practitioners.all()],
        **overrides,
    }


def test_an_owner_can_choose_a_platform_one_of_the_services_practitioners_has_connected(
    client, owner, shared_service, zoom_for_wanjiru
):
    client.force_login(owner)

    assertContains(client.get(edit_url(shared_service)), '<option value="zoom">Zoom</option>', html=True)


def test_a_platform_nobody_offering_the_service_can_use_stays_disabled(client, owner, shared_service, web_platforms):
    client.force_login(owner)

    assertContains(
        client.get(edit_url(shared_service)),
        '<option value="zoom" disabled>Zoom (not available: no Zoom connection)</option>',
    )
    refused = client.post(edit_url(shared_service), service_data(shared_service, accept_fallback="zoom:"))

    assertContains(refused, "That platform cannot be used yet by anyone offering this service")
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "selfhosted"


def test_the_editor_shows_what_each_practitioners_bookings_will_use(client, owner, shared_service, zoom_for_wanjiru):
    Service.objects.filter(pk=shared_service.pk).update(meeting_platform="zoom")
    client.force_login(owner)

    page = client.get(edit_url(shared_service))

    assertContains(page, "<li>Dr. Wanjiru Kamau: Zoom</li>", html=True)
    assertContains(page, '<li class="fallback">Dr. Otieno Were: ClinicPro room – no Zoom connection</li>', html=True)


def test_choosing_a_platform_a_colleague_cannot_use_is_refused_with_a_warning_until_confirmed(
    client, practitioner, colleague, shared_service, zoom_for_wanjiru
):
    client.force_login(practitioner.user)

    refused = client.post(edit_url(shared_service), service_data(shared_service))

    assert refused.status_code == 200
    assertContains(refused, "Bookings with Dr. Otieno Were will use the backup instead: ClinicPro room.")
    assertContains(refused, f'name="accept_fallback" value="zoom:{colleague.pk}"')
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "selfhosted"

    saved = client.post(edit_url(shared_service), service_data(shared_service, accept_fallback=f"zoom:{colleague.pk}"))

    assert saved.status_code == 302
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "zoom"


def test_a_confirmation_given_for_other_practitioners_does_not_count(
    client, clinic, owner, practitioner, colleague, shared_service, zoom_for_wanjiru
):
    third = PractitionerFactory(membership__clinic=clinic, display_name="Dr. Njeri Mwangi")
    client.force_login(owner)
    data = service_data(shared_service, practitioners=[practitioner.pk, colleague.pk, third.pk])

    refused = client.post(edit_url(shared_service), {**data, "accept_fallback": f"zoom:{colleague.pk}"})

    assertContains(
        refused, "Bookings with Dr. Njeri Mwangi and Dr. Otieno Were will use the backup instead: ClinicPro room."
    )
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "selfhosted"


def test_a_platform_everyone_offering_the_service_can_use_needs_no_confirmation(
    client, owner, colleague, shared_service, zoom_for_wanjiru
):
    zoom_for_wanjiru.zoom_users.add(colleague.pk)
    client.force_login(owner)

    saved = client.post(edit_url(shared_service), service_data(shared_service))

    assert saved.status_code == 302
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "zoom"


def test_the_live_preview_shows_the_outcomes_and_the_warning_without_saving(
    client, owner, colleague, shared_service, zoom_for_wanjiru
):
    client.force_login(owner)

    preview = client.post(
        f"{edit_url(shared_service)}platforms/", service_data(shared_service), headers={"HX-Request": "true"}
    )

    assert preview.status_code == 200
    assertContains(preview, '<li class="fallback">Dr. Otieno Were: ClinicPro room – no Zoom connection</li>', html=True)
    assertContains(preview, f'name="accept_fallback" value="zoom:{colleague.pk}"')
    assertNotContains(preview, "<form")
    assert Service.objects.get(pk=shared_service.pk).meeting_platform == "selfhosted"


def test_the_live_preview_of_a_new_service_follows_the_practitioners_ticked(
    client, clinic, owner, practitioner, colleague, zoom_for_wanjiru
):
    client.force_login(owner)
    data = {"name": "New consultation", "is_online": "on", "meeting_platform": "zoom"}

    nobody = client.post(f"/c/{clinic.slug}/services/new/platforms/", data)
    both = client.post(
        f"/c/{clinic.slug}/services/new/platforms/", {**data, "practitioners": [practitioner.pk, colleague.pk]}
    )

    assertNotContains(nobody, "platform-outcomes")
    assertContains(both, "<li>Dr. Wanjiru Kamau: Zoom</li>", html=True)
    assertContains(both, "Bookings with Dr. Otieno Were will use the backup instead: ClinicPro room.")
    assert not Service.objects.filter(name="New consultation").exists()


def test_the_live_preview_keeps_to_the_services_a_member_may_edit(client, clinic, colleague, web_platforms):
    theirs = ServiceFactory(clinic=clinic, name="Their service", practitioners=[colleague])
    outsider = MembershipFactory(clinic=clinic, role=Role.PRACTITIONER, user=UserFactory(username="outsider"))
    PractitionerFactory(membership=outsider)
    client.force_login(outsider.user)

    assert client.post(f"{edit_url(theirs)}platforms/", service_data(theirs)).status_code == 403
    assert client.get(f"{edit_url(theirs)}platforms/").status_code == 405
