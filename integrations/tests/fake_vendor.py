"""A vendor that exists only in the tests: a package with a descriptor and a meeting provider."""

from integrations.vendors.base import AuthKind, Endpoints, OAuth, Vendor
from integrations.vendors.http import VendorError, VendorResponse
from meetings.providers.base import MeetingProvider, MeetingRecord, MeetingRequest


def raise_for_response(response: VendorResponse) -> None:
    if not response.ok:
        raise VendorError(f"Whereby answered {response.status}", status_code=response.status)


class WherebyProvider(MeetingProvider):
    key = "whereby"
    label = "Whereby"

    def create(self, request: MeetingRequest) -> MeetingRecord:
        return MeetingRecord(external_id=request.idempotency_key, join_url="https://whereby.test/room")


WHEREBY = Vendor(
    key="whereby",
    label="Whereby",
    auth=(AuthKind.USER_OAUTH,),
    production=Endpoints(api="https://api.whereby.test/v1", authorize="https://whereby.test/oauth/authorize"),
    sandbox=Endpoints(api="{sandbox}/whereby/v1", authorize="{sandbox}/whereby/oauth/authorize"),
    oauth=OAuth(client_id_setting="WHEREBY_CLIENT_ID", client_secret_setting="WHEREBY_CLIENT_SECRET"),
    error_mapping=raise_for_response,
    connect_title="Whereby rooms",
    connect_summary="Whereby rooms for your online bookings.",
    meeting_provider="integrations.tests.fake_vendor.WherebyProvider",
    meeting_label="Whereby",
)
