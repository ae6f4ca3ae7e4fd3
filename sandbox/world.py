"""The people and things that exist at the emulated providers, and helpers to arrange them.

Tests and the demo use these to set the scene without going through the
consent pages: an account, a ready-made grant, busy time on a calendar, a
Zoom user's daily cap.
"""

import secrets
import uuid
from datetime import datetime

from . import oauth
from .models import Account, GoogleBusyBlock, Service

DEFAULT_EMAILS: dict[str, str] = {
    Service.GOOGLE: "dr.amina@gmail.test",
    Service.ZOOM: "dr.amina@zoom.test",
    Service.MICROSOFT: "dr.amina@uhuruhealth.onmicrosoft.test",
}

DEFAULT_SCOPES: dict[str, str] = {
    Service.GOOGLE: (
        "openid https://www.googleapis.com/auth/userinfo.email "
        "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.readonly"
    ),
    Service.ZOOM: "meeting:read meeting:write user:read",
    Service.MICROSOFT: "openid profile email offline_access User.Read Calendars.ReadWrite OnlineMeetings.ReadWrite",
}


def account(service: str, email: str | None = None, *, organization: str = "") -> Account:
    """The account with this email at `service`, created on first mention."""
    email = (email or DEFAULT_EMAILS[service]).strip().lower()
    found = Account.objects.filter(service=service, email=email).first()
    if found is not None:
        return found
    local, _, domain = email.partition("@")
    created, _ = Account.objects.get_or_create(
        service=service,
        email=email,
        defaults={
            "uid": _new_uid(service),
            "display_name": local.replace(".", " ").replace("dr ", "Dr. ").title(),
            "organization": organization or _organization(service, domain),
        },
    )
    return created


def issue_tokens(
    service: str, email: str | None = None, *, client_id: str = "sandbox-client", scope: str | None = None
) -> oauth.IssuedTokens:
    """An access and a refresh token for `email`, as if the consent had just been given."""
    return oauth.issue_grant(
        service=service, account=account(service, email), client_id=client_id, scope=scope or DEFAULT_SCOPES[service]
    )


def add_busy_block(email: str, starts_at: datetime, ends_at: datetime, label: str = "") -> GoogleBusyBlock:
    """Busy time on a Google calendar, reported by freeBusy like any event."""
    return GoogleBusyBlock.objects.create(
        account=account(Service.GOOGLE, email), starts_at=starts_at, ends_at=ends_at, label=label
    )


def set_zoom_daily_limit(limit: int, email: str | None = None) -> int:
    """Change Zoom's create/update cap per user per day (for one user, or for all)."""
    accounts = Account.objects.filter(service=Service.ZOOM)
    if email:
        accounts = accounts.filter(email=email.lower())
    return accounts.update(daily_meeting_limit=limit)


def _new_uid(service: str) -> str:
    if service == Service.GOOGLE:
        return str(100000000000000000000 + secrets.randbelow(10**20))
    if service == Service.ZOOM:
        return secrets.token_urlsafe(16)[:22]
    return str(uuid.uuid4())


def _organization(service: str, domain: str) -> str:
    # A Microsoft tenant id is stable per domain, like a real directory.
    if service == Service.MICROSOFT:
        if domain.split(".")[0] in ("outlook", "hotmail", "live", "msn"):
            return "9188040d-6c67-4c5b-b112-36a304b66dad"  # the one directory of personal Microsoft accounts
        return str(uuid.uuid5(uuid.NAMESPACE_DNS, domain or "sandbox.test"))
    if service == Service.ZOOM:
        return secrets.token_urlsafe(16)[:22]
    return ""
