"""What ClinicPro knows about one external service, in one frozen descriptor.

A vendor's package (wherever it lives: meetings/providers/google/, payments/daraja/,
notifications/...) holds one `Vendor` and is listed once in `integrations.vendors.registry`.
Shared code reads the descriptor and never branches on a vendor's name.

Settings are read inside the methods, at call time: a descriptor module can then
sit in a package that must import without Django (the Daraja client).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .http import VendorResponse

# Returns what it read of a successful answer; raises integrations.vendors.http.VendorError for a failure.
ErrorMapping = Callable[["VendorResponse"], object]


class AuthKind(StrEnum):
    USER_OAUTH = "user_oauth"  # each practitioner connects their own account (authorization code + PKCE)
    CLIENT_CREDENTIALS = "client_credentials"  # an app or clinic account: client id and secret for a token
    API_KEY = "api_key"  # a key sent with every call (SMS gateways)


@dataclass(frozen=True)
class Endpoints:
    """URL templates; `{sandbox}` is SANDBOX_BASE_URL and other names come from `Vendor.url_settings`.

    Blank means the vendor has no such endpoint (Microsoft cannot revoke a grant).
    """

    api: str
    authorize: str = ""
    token: str = ""
    revoke: str = ""
    userinfo: str = ""

    def resolved(self, values: Mapping[str, str]) -> "Endpoints":
        return Endpoints(
            api=self.api.format_map(values),
            authorize=self.authorize.format_map(values),
            token=self.token.format_map(values),
            revoke=self.revoke.format_map(values),
            userinfo=self.userinfo.format_map(values),
        )


@dataclass(frozen=True)
class OAuth:
    """How our app authenticates at the vendor's OAuth 2.0 server."""

    client_id_setting: str
    client_secret_setting: str
    scopes: tuple[str, ...] = ()
    # "basic": client id and secret in an Authorization header (Zoom, Daraja); "body": as form fields.
    client_auth: str = "body"
    # Extra query parameters of the authorize URL (Google needs offline + consent for a refresh token).
    authorize_params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Scopes without which the connection is useless, and what to tell the person who unticked them.
    required_scopes: tuple[str, ...] = ()
    missing_scope_message: str = ""
    # Microsoft wants the scopes again on every refresh.
    scopes_on_refresh: bool = False
    # Form fields of a client-credentials grant for a clinic's own account; `{account_id}` is filled in.
    clinic_grant: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str

    @property
    def is_configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class Vendor:
    """One external service: who it is, how we authenticate, where it answers, what its errors mean."""

    key: str
    label: str
    auth: tuple[AuthKind, ...]
    production: Endpoints
    sandbox: Endpoints
    error_mapping: ErrorMapping
    oauth: OAuth | None = None
    # Settings filling the URL templates' other names, e.g. {"tenant": "MICROSOFT_TENANT"}.
    url_settings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The setting that points this vendor at its emulator.
    sandbox_setting: str = "INTEGRATIONS_USE_SANDBOX"
    # What the integrations page says about a practitioner's connection.
    connect_title: str = ""
    connect_summary: str = ""
    # What the integrations page says about a clinic-wide account (CLIENT_CREDENTIALS for a clinic).
    clinic_account_title: str = ""
    clinic_account_summary: str = ""
    # The emulator's URLconf, mounted at /sandbox/<key>/ when SANDBOX_ENABLED.
    emulator: str = ""
    # Capabilities, as dotted paths imported only when used.
    meeting_provider: str = ""  # a meetings.providers.base.MeetingProvider subclass
    meeting_label: str = ""
    busy_times: str = ""  # (connection, start, end) -> list[bookings.hooks.BusyInterval]

    @property
    def uses_sandbox(self) -> bool:
        from django.conf import settings

        return bool(getattr(settings, self.sandbox_setting, False))

    def endpoints(self) -> Endpoints:
        """Production or emulator URLs, read from settings at call time (tests move SANDBOX_BASE_URL)."""
        from django.conf import settings

        values = {name: str(getattr(settings, setting, "")) for name, setting in self.url_settings.items()}
        values["sandbox"] = settings.SANDBOX_BASE_URL
        return (self.sandbox if self.uses_sandbox else self.production).resolved(values)

    def credentials(self) -> Credentials:
        from django.conf import settings

        if self.oauth is None:
            return Credentials("", "")
        return Credentials(
            client_id=str(getattr(settings, self.oauth.client_id_setting, "") or ""),
            client_secret=str(getattr(settings, self.oauth.client_secret_setting, "") or ""),
        )

    @property
    def connects_users(self) -> bool:
        return AuthKind.USER_OAUTH in self.auth

    @property
    def connects_clinics(self) -> bool:
        return AuthKind.CLIENT_CREDENTIALS in self.auth and bool(self.oauth and self.oauth.clinic_grant)

    @property
    def is_enabled(self) -> bool:
        """Whether practitioners and clinics may connect it here (INTEGRATIONS_PROVIDERS)."""
        from django.conf import settings

        return self.key in settings.INTEGRATIONS_PROVIDERS

    @property
    def is_available(self) -> bool:
        return self.is_enabled and self.credentials().is_configured
