"""The OAuth 2.0 authorization code flow with PKCE, written once for every vendor that connects users.

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
from django.http import HttpRequest

from clinicpro.http import http_session
from clinicpro.models import Membership
from clinicpro.requests import AuthenticatedRequest

from .errors import AuthorizationFailed, TokenRefreshFailed
from .models import Connection
from .services import connection_save_authorized
from .tokens import TokenEndpointRefused, TokenResponse, client_auth_for, post_token_request
from .vendors.base import Vendor
from .vendors.oauth_urls import redirect_uri
from .vendors.registry import vendor as vendor_for

SESSION_KEY = "integrations_oauth"
# An authorization left unfinished longer than this must be started again.
PENDING_MAX_AGE_SECONDS = 15 * 60

# What a provider's own error codes mean to the person who just came back from it.
DENIED_ERRORS = {"access_denied", "consent_required", "interaction_required"}


def start_authorization(request: HttpRequest, provider: str, *, membership: Membership, next_url: str = "") -> str:
    """Remember a new state and PKCE verifier in the session; the provider's authorize URL to send the user to."""
    vendor = vendor_for(provider)
    if not vendor.connects_users or not vendor.is_available or vendor.oauth is None:
        raise AuthorizationFailed(f"{vendor.label} is not available on this site.")
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
        "client_id": vendor.credentials().client_id,
        "redirect_uri": redirect_uri(provider),
        "scope": " ".join(vendor.oauth.scopes),
        "state": state,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
        **vendor.oauth.authorize_params,
    }
    return f"{vendor.endpoints().authorize}?{urlencode(params)}"


def finish_authorization(request: AuthenticatedRequest, provider: str) -> tuple[Connection, str]:
    """Check the callback, redeem the code, store the connection; returns it and the `next` URL.

    Raises AuthorizationFailed with a message for the user; then nothing is stored.
    """
    vendor = vendor_for(provider)
    label = vendor.label
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

    issued = _redeem_code(vendor, code=code, verifier=str(pending["verifier"]))
    _require_offline_access(vendor, issued)
    _require_scopes(vendor, issued)
    email = fetch_account_email(vendor, issued.access_token)
    connection = connection_save_authorized(
        membership=membership,
        provider=provider,
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
        scopes=issued.scope or " ".join(vendor.oauth.scopes if vendor.oauth else ()),
        account_email=email,
    )
    return connection, str(pending.get("next") or "")


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def fetch_account_email(vendor: Vendor, access_token: str) -> str:
    """Whose account the token belongs to, from the vendor's userinfo endpoint (OpenID, users/me, Graph /me)."""
    label = vendor.label
    try:
        response = http_session().get(
            vendor.endpoints().userinfo,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
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


def _redeem_code(vendor: Vendor, *, code: str, verifier: str) -> TokenResponse:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(vendor.key),
        "code_verifier": verifier,
    }
    data, basic_auth = client_auth_for(vendor, data)
    try:
        return post_token_request(vendor, data, basic_auth=basic_auth)
    except TokenEndpointRefused as exc:
        raise AuthorizationFailed(f"{exc} Nothing was connected; please try again.") from None
    except TokenRefreshFailed as exc:
        raise AuthorizationFailed(f"{exc} Nothing was connected; please try again in a moment.") from None


def _require_offline_access(vendor: Vendor, issued: TokenResponse) -> None:
    if not issued.refresh_token:
        raise AuthorizationFailed(
            f"{vendor.label} did not grant offline access, so meetings could not be created "
            "while you are away. Please connect again and allow access."
        )


def _require_scopes(vendor: Vendor, issued: TokenResponse) -> None:
    # Some vendors let people untick scopes on the consent screen; a connection without these is useless.
    if vendor.oauth is None or not issued.scope:
        return
    granted = set(issued.scope.split())
    if not set(vendor.oauth.required_scopes) <= granted:
        raise AuthorizationFailed(
            vendor.oauth.missing_scope_message or f"{vendor.label} did not grant the access we asked for."
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
