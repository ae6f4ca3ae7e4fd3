"""The OAuth 2.0 authorization code flow with PKCE, written once for the three providers.

The state, the PKCE verifier, the member connecting and where to go afterwards
live in the session, keyed by provider; the callback compares the state in
constant time and redeems the code with the verifier. Nothing is stored until
the provider has issued tokens and told us whose account they belong to.
"""

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import requests
from django.db import transaction
from django.http import HttpRequest

from clinicpro.http import http_session
from clinicpro.models import Membership

from .endpoints import PROVIDER_LABELS, ProviderEndpoints, is_enabled, provider_endpoints, redirect_uri
from .errors import AuthorizationFailed, TokenRefreshFailed
from .models import Connection
from .services import connection_save_authorized
from .tokens import TokenEndpointRefused, TokenResponse, post_token_request

SESSION_KEY = "integrations_oauth"
# An authorization left unfinished longer than this must be started again.
PENDING_MAX_AGE_SECONDS = 15 * 60

# What a provider's own error codes mean to the person who just came back from it.
DENIED_ERRORS = {"access_denied", "consent_required", "interaction_required"}


def start_authorization(request: HttpRequest, provider: str, *, membership: Membership, next_url: str = "") -> str:
    """Remember a new state and PKCE verifier in the session; the provider's authorize URL to send the user to."""
    endpoints = provider_endpoints(provider)
    if not is_enabled(provider) or not endpoints.is_configured:
        raise AuthorizationFailed(f"{PROVIDER_LABELS[provider]} is not available on this site.")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[provider] = {
        "state": state,
        "verifier": verifier,
        "membership_id": membership.pk,
        "next": next_url,
        "started": int(time.time()),
    }
    request.session[SESSION_KEY] = pending
    params = {
        "response_type": "code",
        "client_id": endpoints.client_id,
        "redirect_uri": redirect_uri(provider),
        "scope": " ".join(endpoints.scopes),
        "state": state,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
        **_extra_authorize_params(provider),
    }
    return f"{endpoints.authorize_url}?{urlencode(params)}"


def finish_authorization(request: HttpRequest, provider: str) -> tuple[Connection, str]:
    """Check the callback, redeem the code, store the connection; returns it and the `next` URL.

    Raises AuthorizationFailed with a message for the user; then nothing is stored.
    """
    label = PROVIDER_LABELS[provider]
    pending = _pop_pending(request, provider)
    if pending is None:
        raise AuthorizationFailed(f"This {label} sign-in was not started here or has expired. Please connect again.")
    if not hmac.compare_digest(str(pending["state"]), request.GET.get("state", "")):
        raise AuthorizationFailed(f"The answer from {label} did not match this sign-in. Nothing was connected.")
    error = request.GET.get("error", "")
    if error:
        if error in DENIED_ERRORS:
            raise AuthorizationFailed(f"Access was not granted at {label}, so nothing was connected.")
        detail = request.GET.get("error_description", "")[:200]
        raise AuthorizationFailed(f"{label} reported an error ({error}{': ' + detail if detail else ''}).")
    code = request.GET.get("code", "")
    if not code:
        raise AuthorizationFailed(f"{label} sent no authorization code. Please connect again.")
    membership = (
        Membership.objects.filter(pk=pending["membership_id"], user=request.user, clinic__is_active=True)
        .select_related("clinic")
        .first()
    )
    if membership is None:
        raise AuthorizationFailed("You are no longer a member of that clinic.")

    endpoints = provider_endpoints(provider)
    issued = _redeem_code(endpoints, code=code, verifier=str(pending["verifier"]))
    _require_offline_access(provider, issued)
    _require_calendar_scope(provider, issued)
    email = fetch_account_email(endpoints, issued.access_token)
    with transaction.atomic():
        connection = connection_save_authorized(
            membership=membership,
            provider=provider,
            access_token=issued.access_token,
            refresh_token=issued.refresh_token,
            expires_in=issued.expires_in,
            scopes=issued.scope or " ".join(endpoints.scopes),
            account_email=email,
        )
    return connection, str(pending.get("next") or "")


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def fetch_account_email(endpoints: ProviderEndpoints, access_token: str) -> str:
    """Whose account the token belongs to: Google userinfo, Zoom users/me, Graph /me."""
    label = PROVIDER_LABELS[endpoints.provider]
    try:
        response = http_session().get(
            endpoints.userinfo_url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        )
    except requests.RequestException:
        raise AuthorizationFailed(f"{label} did not answer when we asked which account was connected.") from None
    if response.status_code != 200:
        raise AuthorizationFailed(f"{label} would not tell us which account was connected ({response.status_code}).")
    try:
        profile: dict[str, Any] = response.json()
    except ValueError:
        raise AuthorizationFailed(f"{label} answered with an unreadable profile.") from None
    email = profile.get("email") or profile.get("mail") or profile.get("userPrincipalName") or ""
    return str(email)[:254]


def _extra_authorize_params(provider: str) -> dict[str, str]:
    if provider == "google":
        # offline + consent: Google only issues a refresh token when the consent screen is shown.
        return {"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}
    if provider == "microsoft":
        return {"response_mode": "query"}
    return {}


def _redeem_code(endpoints: ProviderEndpoints, *, code: str, verifier: str) -> TokenResponse:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(endpoints.provider),
        "code_verifier": verifier,
    }
    basic_auth = None
    if endpoints.provider == "zoom":
        basic_auth = (endpoints.client_id, endpoints.client_secret)
    else:
        data.update(client_id=endpoints.client_id, client_secret=endpoints.client_secret)
    try:
        return post_token_request(endpoints, data, basic_auth=basic_auth)
    except TokenEndpointRefused as exc:
        raise AuthorizationFailed(f"{exc} Nothing was connected; please try again.") from None
    except TokenRefreshFailed as exc:
        raise AuthorizationFailed(f"{exc} Nothing was connected; please try again in a moment.") from None


def _require_offline_access(provider: str, issued: TokenResponse) -> None:
    if not issued.refresh_token:
        raise AuthorizationFailed(
            f"{PROVIDER_LABELS[provider]} did not grant offline access, so meetings could not be created "
            "while you are away. Please connect again and allow access."
        )


def _require_calendar_scope(provider: str, issued: TokenResponse) -> None:
    # Google lets people untick scopes on the consent screen; without calendar.events no Meet can be made.
    if (
        provider == "google"
        and issued.scope
        and "https://www.googleapis.com/auth/calendar.events" not in issued.scope.split()
    ):
        raise AuthorizationFailed(
            "Google did not grant access to your calendar events, which Google Meet links need. "
            "Please connect again and allow calendar access."
        )


def _pop_pending(request: HttpRequest, provider: str) -> dict[str, Any] | None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(provider, None)
    request.session[SESSION_KEY] = pending
    if not isinstance(entry, dict):
        return None
    if time.time() - float(entry.get("started", 0)) > PENDING_MAX_AGE_SECONDS:
        return None
    return entry
