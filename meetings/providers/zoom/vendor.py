"""Zoom's descriptor: user OAuth or a clinic's Server-to-Server app, the v2 API, Zoom's error codes."""

from integrations.vendors.base import AuthKind, Endpoints, OAuth, Vendor

from .errors import raise_for_response

ZOOM = Vendor(
    key="zoom",
    label="Zoom",
    auth=(AuthKind.USER_OAUTH, AuthKind.CLIENT_CREDENTIALS),
    production=Endpoints(
        authorize="https://zoom.us/oauth/authorize",
        token="https://zoom.us/oauth/token",
        revoke="https://zoom.us/oauth/revoke",
        userinfo="https://api.zoom.us/v2/users/me",
        api="https://api.zoom.us/v2",
    ),
    sandbox=Endpoints(
        authorize="{sandbox}/zoom/oauth/authorize",
        token="{sandbox}/zoom/oauth/token",
        revoke="{sandbox}/zoom/oauth/revoke",
        userinfo="{sandbox}/zoom/v2/users/me",
        api="{sandbox}/zoom/v2",
    ),
    oauth=OAuth(
        client_id_setting="ZOOM_CLIENT_ID",
        client_secret_setting="ZOOM_CLIENT_SECRET",
        scopes=("meeting:write", "user:read"),
        client_auth="basic",
        # Server-to-Server OAuth: the clinic's own app asks for tokens for its account.
        clinic_grant={"grant_type": "account_credentials", "account_id": "{account_id}"},
    ),
    error_mapping=raise_for_response,
    emulator="sandbox.zoom.urls",
    connect_title="Zoom",
    connect_summary="Zoom meetings, with a waiting room and a passcode, for your bookings of services set to Zoom.",
    clinic_account_title="Zoom for the whole clinic (Server-to-Server)",
    clinic_account_summary="With a Zoom Server-to-Server OAuth app from the Zoom App Marketplace, practitioners "
    "who have not connected their own Zoom account still get Zoom meetings for services set to Zoom, hosted by the "
    "clinic's account.",
    meeting_provider="meetings.providers.zoom.provider.ZoomProvider",
    meeting_label="Zoom",
)
