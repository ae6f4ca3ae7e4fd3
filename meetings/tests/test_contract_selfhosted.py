"""The self-hosted rooms run the shared provider contract, with and without Jitsi JWTs."""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from meetings.models import settings_for
from meetings.providers.base import MeetingRecord
from meetings.providers.selfhosted import SelfHostedProvider
from meetings.testing.contract import HostLinkCases, ProviderContract, ScheduledCases, VendorMeeting

APP_SECRET = "jitsi-app-secret-for-the-contract-0123456789"


class SelfHostedVendor:
    # No vendor is called over HTTP: a room exists once someone opens its URL.
    provider_key = "selfhosted"


class TestSelfHostedContractWithTokens(SelfHostedVendor, HostLinkCases, ScheduledCases, ProviderContract):
    """The Jitsi server is the vendor here: what it would accept is what the tokens say."""

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> SelfHostedProvider:
        config = settings_for(clinic)
        config.base_url = "https://rooms.contract.test"
        config.jitsi_app_id = "clinicpro"
        config.jitsi_app_secret = APP_SECRET
        config.save()
        self.config = config
        return SelfHostedProvider(clinic=clinic, practitioner=practitioner)

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        token = parse_qs(urlsplit(record.join_url).query)["jwt"][0]
        claims = jwt.decode(
            token,
            APP_SECRET,
            algorithms=["HS256"],
            audience="jitsi",
            options={"verify_exp": False, "verify_nbf": False},
        )
        assert urlsplit(record.join_url).path == f"/{claims['room']}"
        starts_at = claims["nbf"] + self.config.join_opens_minutes_before * 60
        ends_at = claims["exp"] - self.config.join_closes_minutes_after * 60
        return VendorMeeting(
            external_id=claims["room"],
            title="",
            starts_at=datetime.fromtimestamp(starts_at, UTC),
            ends_at=datetime.fromtimestamp(ends_at, UTC),
        )

    def vendor_meeting_count(self) -> int:
        raise AssertionError("Rooms are not counted: none exists until someone opens it.")


class TestSelfHostedContractOpenRooms(SelfHostedVendor, ProviderContract):
    """Without an app secret, the unguessable room name is the only key, and host and patient share it."""

    def build_provider(self, *, clinic: Any, practitioner: Any, sandbox_url: str) -> SelfHostedProvider:
        return SelfHostedProvider(clinic=clinic, practitioner=practitioner)

    def vendor_meeting(self, record: MeetingRecord) -> VendorMeeting | None:
        # The room is the last path segment, whatever path the server itself sits under.
        return VendorMeeting(external_id=urlsplit(record.join_url).path.rsplit("/", 1)[-1])

    def vendor_meeting_count(self) -> int:
        raise AssertionError("Rooms are not counted: none exists until someone opens it.")
