"""Self-hosted rooms: unguessable names, and per-participant Jitsi tokens when the clinic has an app secret."""

import math
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from bookings.models import Booking, BookingStatus, Patient
from meetings.models import settings_for
from meetings.providers.selfhosted import SelfHostedProvider
from meetings.services import meeting_request_for
from meetings.testing.scenes import a_start

pytestmark = pytest.mark.django_db

SECRET = "a-jitsi-app-secret-of-reasonable-length"
OTHER_SECRET = "another-jitsi-secret-of-the-same-length"


@pytest.fixture
def booking(clinic, service, practitioner):
    patient = Patient.objects.create(clinic=clinic, name="Achieng Otieno", email="a@example.com", phone="+254712345678")
    starts_at = a_start(30)
    return Booking.objects.create(
        clinic=clinic,
        service=service,
        practitioner=practitioner,
        patient=patient,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        status=BookingStatus.CONFIRMED,
        is_online=True,
    )


@pytest.fixture
def provider(clinic, practitioner):
    return SelfHostedProvider(clinic=clinic, practitioner=practitioner)


@pytest.fixture
def with_tokens(clinic):
    config = settings_for(clinic)
    config.base_url = "https://meet.uhuru.example"
    config.jitsi_app_id = "uhuru-app"
    config.jitsi_app_secret = SECRET
    config.jitsi_audience = "uhuru-meet"
    config.save()
    return config


def request_for(booking):
    return meeting_request_for(booking, idempotency_key="k")


def token_of(url):
    return parse_qs(urlsplit(url).query)["jwt"][0]


def claims_of(url, audience="uhuru-meet"):
    return jwt.decode(token_of(url), SECRET, algorithms=["HS256"], audience=audience, options={"verify_nbf": False})


def test_a_room_has_at_least_128_random_bits_and_no_personal_data(provider, booking, settings):
    record = provider.create(request_for(booking))

    room = record.external_id
    assert record.join_url == f"{settings.MEETINGS_SELFHOSTED_BASE_URL}/{room}"
    assert room.isalnum() and room.islower()
    assert len(room) * math.log2(32) >= 128
    for word in ("achieng", "otieno", "wanjiru", "kamau", "consultation"):
        assert word not in record.join_url.lower()


def test_every_meeting_gets_a_new_room(provider, booking):
    rooms = {provider.create(request_for(booking)).external_id for _ in range(20)}

    assert len(rooms) == 20


def test_without_jitsi_credentials_the_host_and_patient_share_the_room_link(provider, booking):
    record = provider.create(request_for(booking))

    assert record.host_url == record.join_url
    assert "jwt" not in record.join_url


def test_the_rooms_live_on_the_clinics_own_server(clinic, provider, booking):
    config = settings_for(clinic)
    config.base_url = "https://video.uhuru.example/rooms/"
    config.save()

    record = provider.create(request_for(booking))

    assert record.join_url == f"https://video.uhuru.example/rooms/{record.external_id}"


def test_the_patient_token_admits_a_participant_only_around_the_appointment(with_tokens, provider, booking):
    record = provider.create(request_for(booking))

    claims = claims_of(record.join_url)
    assert claims["iss"] == "uhuru-app"
    assert claims["aud"] == "uhuru-meet"
    assert claims["sub"] == "meet.uhuru.example"
    assert claims["room"] == record.external_id
    assert claims["nbf"] == int((booking.starts_at - timedelta(minutes=15)).timestamp())
    assert claims["exp"] == int((booking.ends_at + timedelta(minutes=60)).timestamp())
    assert claims["context"]["user"] == {"name": "Patient", "moderator": False}
    assert urlsplit(record.join_url).path == f"/{record.external_id}"


def test_only_the_host_token_makes_a_moderator(with_tokens, provider, booking):
    record = provider.create(request_for(booking))

    host = claims_of(record.host_url)
    assert record.host_url != record.join_url
    assert host["room"] == record.external_id
    assert host["context"]["user"] == {"name": "Dr. Wanjiru Kamau", "moderator": True}


def test_a_token_signed_with_another_secret_is_not_ours(with_tokens, provider, booking):
    record = provider.create(request_for(booking))

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token_of(record.join_url), OTHER_SECRET, algorithms=["HS256"], audience="uhuru-meet")


def test_the_join_window_follows_the_clinics_settings(with_tokens, provider, booking):
    with_tokens.join_opens_minutes_before = 5
    with_tokens.join_closes_minutes_after = 10
    with_tokens.save()

    claims = claims_of(provider.create(request_for(booking)).join_url)

    assert claims["nbf"] == int((booking.starts_at - timedelta(minutes=5)).timestamp())
    assert claims["exp"] == int((booking.ends_at + timedelta(minutes=10)).timestamp())


def test_a_reschedule_keeps_the_room_and_moves_the_tokens(with_tokens, provider, booking):
    record = provider.create(request_for(booking))
    booking.starts_at += timedelta(days=2)
    booking.ends_at += timedelta(days=2)

    moved = provider.update(record, request_for(booking))

    assert moved.external_id == record.external_id
    assert claims_of(moved.join_url)["nbf"] == int((booking.starts_at - timedelta(minutes=15)).timestamp())
    assert claims_of(moved.host_url)["exp"] == int((booking.ends_at + timedelta(minutes=60)).timestamp())


def test_the_raw_data_kept_holds_no_token(with_tokens, provider, booking):
    record = provider.create(request_for(booking))

    assert token_of(record.join_url) not in str(record.raw)
    assert token_of(record.host_url) not in str(record.raw)
    assert record.raw["room"] == record.external_id
