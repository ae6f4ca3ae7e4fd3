"""API keys and members' sessions: who may call, for which clinic, and how fast."""

import re

from django.test import Client

from api.conftest import ApiClient
from api.models import ApiKey
from clinicpro.models import Role
from clinicpro.testing.factories import PASSWORD, MembershipFactory, UserFactory


def test_without_credentials_the_api_answers_401_problem(db):
    response = Client().get("/api/v1/services")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


def test_an_owner_creates_a_key_shown_once_and_stored_hashed(client, owner, clinic):
    client.force_login(owner)

    created = client.post(f"/c/{clinic.slug}/api-keys/", {"name": "EMR", "scope": "write", "audience": "staff"})
    plaintext = re.search(r"cpk_[0-9a-f]{12}_[\w-]+", created.content.decode()).group(0)
    later = client.get(f"/c/{clinic.slug}/api-keys/")

    key = ApiKey.objects.get()
    assert plaintext not in later.content.decode()
    assert key.prefix in plaintext and plaintext not in key.hashed_key
    assert ApiClient(plaintext).get("/api/v1/services").status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


def test_only_owners_manage_keys(client, practitioner, clinic):
    client.force_login(practitioner.membership.user)

    assert client.get(f"/c/{clinic.slug}/api-keys/").status_code == 403


def test_a_revoked_key_stops_working_at_once(client, owner, clinic, write_key):
    caller = ApiClient(write_key.plaintext)
    assert caller.get("/api/v1/bookings").status_code == 200
    client.force_login(owner)

    client.post(f"/c/{clinic.slug}/api-keys/{write_key.api_key.pk}/revoke/")

    assert caller.get("/api/v1/bookings").status_code == 401


def test_an_owner_cannot_revoke_another_clinics_key(client, owner, clinic, other_key):
    client.force_login(owner)

    response = client.post(f"/c/{clinic.slug}/api-keys/{other_key.api_key.pk}/revoke/")

    assert response.status_code == 404
    assert ApiKey.objects.get(pk=other_key.api_key.pk).revoked_at is None


def test_a_key_made_up_of_a_real_prefix_is_refused(write_key, db):
    forged = f"cpk_{write_key.api_key.prefix}_guessed-secret"

    assert ApiClient(forged).get("/api/v1/services").status_code == 401


def test_a_member_uses_the_api_with_their_session_and_csrf_for_writes(owner, clinic, service, practitioner):
    browser = Client(enforce_csrf_checks=True)
    browser.login(username="owner", password=PASSWORD)
    body = {"reason": ""}

    listed = browser.get("/api/v1/services")
    refused = browser.post("/api/v1/bookings/1/cancel", body, content_type="application/json")
    browser.get(f"/c/{clinic.slug}/api-keys/")  # any page sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    with_token = browser.post(
        "/api/v1/bookings/999999/cancel",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_IDEMPOTENCY_KEY="k",
    )

    assert [s["id"] for s in listed.json()] == [service.pk]
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert with_token.status_code == 404  # past authentication and CSRF: the booking does not exist


def test_a_member_of_two_clinics_names_one(owner, clinic, other_clinic, service):
    MembershipFactory(user=owner, clinic=other_clinic, role=Role.STAFF)
    client = Client()
    client.force_login(owner)

    unnamed = client.get("/api/v1/services")
    named = client.get("/api/v1/services", HTTP_X_CLINIC=clinic.slug)

    assert unnamed.status_code == 400
    assert unnamed.json()["code"] == "clinic_required"
    assert [s["id"] for s in named.json()] == [service.pk]


def test_a_stranger_naming_a_clinic_they_do_not_belong_to_gets_404(stranger, clinic, service):
    client = Client()
    client.force_login(stranger)

    assert client.get("/api/v1/services", HTTP_X_CLINIC=clinic.slug).status_code == 404


def test_past_the_rate_limit_a_key_gets_429_with_retry_after(settings, write_key, read_key):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    caller = ApiClient(write_key.plaintext)

    answers = [caller.get("/api/v1/services") for _ in range(4)]
    other_key_answer = ApiClient(read_key.plaintext).get("/api/v1/services")

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert other_key_answer.status_code == 200


def test_the_user_of_a_key_is_the_clinic_even_after_its_creator_leaves(write_key, owner):
    owner.memberships.all().delete()

    assert ApiClient(write_key.plaintext).get("/api/v1/services").status_code == 200


def test_a_signed_in_person_without_membership_gets_404(db):
    client = Client()
    client.force_login(UserFactory(username="nobody"))

    assert client.get("/api/v1/services").status_code == 404


def test_a_wrong_key_on_a_post_is_401_not_a_csrf_failure(db):
    response = ApiClient("cpk_000000000000_wrong").post("/api/v1/bookings", {})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
