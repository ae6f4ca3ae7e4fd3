"""Microsoft's descriptor: the identity platform (per tenant), Graph v1.0, Graph's error codes."""

from integrations.vendors.base import AuthKind, Endpoints, OAuth, Vendor

from .errors import raise_for_response

MICROSOFT = Vendor(
    key="microsoft",
    label="Microsoft",
    auth=(AuthKind.USER_OAUTH,),
    # Microsoft has no revocation endpoint: a disconnected grant simply stops being used.
    production=Endpoints(
        authorize="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        token="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        userinfo="https://graph.microsoft.com/v1.0/me",
        api="https://graph.microsoft.com/v1.0",
    ),
    sandbox=Endpoints(
        authorize="{sandbox}/microsoft/{tenant}/oauth2/v2.0/authorize",
        token="{sandbox}/microsoft/{tenant}/oauth2/v2.0/token",
        userinfo="{sandbox}/microsoft/graph/v1.0/me",
        api="{sandbox}/microsoft/graph/v1.0",
    ),
    url_settings={"tenant": "MICROSOFT_TENANT"},
    oauth=OAuth(
        client_id_setting="MICROSOFT_CLIENT_ID",
        client_secret_setting="MICROSOFT_CLIENT_SECRET",
        # offline_access is what makes Microsoft issue a refresh token.
        scopes=("offline_access", "Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"),
        authorize_params={"response_mode": "query"},
        scopes_on_refresh=True,
    ),
    error_mapping=raise_for_response,
    emulator="sandbox.microsoft.urls",
    connect_title="Microsoft Teams",
    connect_summary="Microsoft Teams meetings, on your Outlook calendar, for your bookings of services set to "
    "Microsoft Teams.",
    meeting_provider="meetings.providers.microsoft.provider.TeamsProvider",
    meeting_label="Microsoft Teams",
)
