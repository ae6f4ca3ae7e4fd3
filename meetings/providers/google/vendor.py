"""Google's descriptor: OAuth with offline access, Calendar v3, and the errors Google answers with."""

from integrations.vendors.base import AuthKind, Endpoints, OAuth, Vendor

from .errors import raise_for_response

CALENDAR_EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events"

GOOGLE = Vendor(
    key="google",
    label="Google",
    auth=(AuthKind.USER_OAUTH,),
    production=Endpoints(
        authorize="https://accounts.google.com/o/oauth2/v2/auth",
        token="https://oauth2.googleapis.com/token",
        revoke="https://oauth2.googleapis.com/revoke",
        userinfo="https://openidconnect.googleapis.com/v1/userinfo",
        api="https://www.googleapis.com/calendar/v3/",
    ),
    sandbox=Endpoints(
        authorize="{sandbox}/google/o/oauth2/v2/auth",
        token="{sandbox}/google/token",
        revoke="{sandbox}/google/revoke",
        userinfo="{sandbox}/google/oauth2/v3/userinfo",
        api="{sandbox}/google/calendar/v3/",
    ),
    oauth=OAuth(
        client_id_setting="GOOGLE_CLIENT_ID",
        client_secret_setting="GOOGLE_CLIENT_SECRET",
        # calendar.readonly covers freeBusy; openid + email give us the account's address.
        scopes=("openid", "email", CALENDAR_EVENTS_SCOPE, "https://www.googleapis.com/auth/calendar.readonly"),
        # offline + consent: Google only issues a refresh token when the consent screen is shown.
        authorize_params={"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
        # Google lets people untick scopes on the consent screen; without calendar.events no Meet can be made.
        required_scopes=(CALENDAR_EVENTS_SCOPE,),
        missing_scope_message="Google did not grant access to your calendar events, which Google Meet links need. "
        "Please connect again and allow calendar access.",
    ),
    error_mapping=raise_for_response,
    emulator="sandbox.google.urls",
    connect_title="Google Meet and Calendar",
    connect_summary="Google Meet links, on your Google Calendar, for your bookings of services set to Google Meet; "
    "your calendar's busy times are kept out of the slots patients can book.",
    meeting_provider="meetings.providers.google.provider.GoogleMeetProvider",
    meeting_label="Google Meet",
    busy_times="meetings.providers.google.freebusy.busy_times",
)
