"""Where each provider's OAuth server and API live, and our app's credentials there.

Read from settings at call time, never at import: tests point SANDBOX_BASE_URL at
a live server, and a worker process gets it from its environment.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

PROVIDERS = ("google", "zoom", "microsoft")

PROVIDER_LABELS = {"google": "Google", "zoom": "Zoom", "microsoft": "Microsoft"}

# Meeting platform keys (meetings.registry) and the account each one needs.
PROVIDER_FOR_PLATFORM = {"google_meet": "google", "zoom": "zoom", "teams": "microsoft"}

SCOPES = {
    # calendar.readonly covers freeBusy; openid + email give us the account's address.
    "google": (
        "openid",
        "email",
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/calendar.readonly",
    ),
    "zoom": ("meeting:write", "user:read"),
    # offline_access is what makes Microsoft issue a refresh token.
    "microsoft": ("offline_access", "Calendars.ReadWrite", "OnlineMeetings.ReadWrite", "User.Read"),
}


@dataclass(frozen=True)
class ProviderEndpoints:
    provider: str
    authorize_url: str
    token_url: str
    revoke_url: str  # empty when the provider has no revocation endpoint (Microsoft)
    userinfo_url: str
    api_base: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]

    @property
    def is_configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


def provider_key(name: str) -> str:
    """ "google", "zoom" or "microsoft" for either an account provider or a meeting platform key."""
    key = PROVIDER_FOR_PLATFORM.get(name, name)
    if key not in PROVIDERS:
        raise ValueError(f"Unknown integration provider {name!r}.")
    return key


def provider_endpoints(provider: str) -> ProviderEndpoints:
    provider = provider_key(provider)
    return _BUILDERS[provider](settings.SANDBOX_BASE_URL if settings.INTEGRATIONS_USE_SANDBOX else "")


def is_enabled(provider: str) -> bool:
    return provider_key(provider) in settings.INTEGRATIONS_PROVIDERS


def redirect_uri(provider: str) -> str:
    """Our callback, absolute: registered at the provider, so built from SITE_URL, not the request."""
    return settings.SITE_URL + reverse("integrations:callback", args=[provider_key(provider)])


def _google(sandbox: str) -> ProviderEndpoints:
    return ProviderEndpoints(
        provider="google",
        authorize_url=f"{sandbox}/google/o/oauth2/v2/auth"
        if sandbox
        else "https://accounts.google.com/o/oauth2/v2/auth",
        token_url=f"{sandbox}/google/token" if sandbox else "https://oauth2.googleapis.com/token",
        revoke_url=f"{sandbox}/google/revoke" if sandbox else "https://oauth2.googleapis.com/revoke",
        userinfo_url=f"{sandbox}/google/oauth2/v3/userinfo"
        if sandbox
        else "https://openidconnect.googleapis.com/v1/userinfo",
        api_base=f"{sandbox}/google/calendar/v3/" if sandbox else "https://www.googleapis.com/calendar/v3/",
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
        scopes=SCOPES["google"],
    )


def _zoom(sandbox: str) -> ProviderEndpoints:
    oauth = f"{sandbox}/zoom/oauth" if sandbox else "https://zoom.us/oauth"
    api_base = f"{sandbox}/zoom/v2" if sandbox else "https://api.zoom.us/v2"
    return ProviderEndpoints(
        provider="zoom",
        authorize_url=f"{oauth}/authorize",
        token_url=f"{oauth}/token",
        revoke_url=f"{oauth}/revoke",
        userinfo_url=f"{api_base}/users/me",
        api_base=api_base,
        client_id=settings.ZOOM_CLIENT_ID,
        client_secret=settings.ZOOM_CLIENT_SECRET,
        scopes=SCOPES["zoom"],
    )


def _microsoft(sandbox: str) -> ProviderEndpoints:
    tenant = settings.MICROSOFT_TENANT
    login = f"{sandbox}/microsoft/{tenant}" if sandbox else f"https://login.microsoftonline.com/{tenant}"
    graph = f"{sandbox}/microsoft/graph/v1.0" if sandbox else "https://graph.microsoft.com/v1.0"
    return ProviderEndpoints(
        provider="microsoft",
        authorize_url=f"{login}/oauth2/v2.0/authorize",
        token_url=f"{login}/oauth2/v2.0/token",
        revoke_url="",
        userinfo_url=f"{graph}/me",
        api_base=graph,
        client_id=settings.MICROSOFT_CLIENT_ID,
        client_secret=settings.MICROSOFT_CLIENT_SECRET,
        scopes=SCOPES["microsoft"],
    )


_BUILDERS = {"google": _google, "zoom": _zoom, "microsoft": _microsoft}
