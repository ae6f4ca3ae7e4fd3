"""The authorization server the three emulated providers share.

Vendors differ in their wire format and error bodies, not in the mechanics:
each vendor module maps `OAuthRefusal.reason` and `BearerRefusal.reason` onto
its own answers.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Account, AuthorizationCode, Grant, OAuthClient, Token

ACCESS_TOKEN_SECONDS = 3599
CODE_SECONDS = 600

# Shaped like the vendors' own tokens, so logs and screens look familiar.
_PREFIXES: dict[tuple[str, str], str] = {
    ("google", Token.Kind.ACCESS): "ya29.",
    ("google", Token.Kind.REFRESH): "1//0",
    ("zoom", Token.Kind.ACCESS): "eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.",
    ("zoom", Token.Kind.REFRESH): "eyJzdiI6IjAwMDAwMSIsInJ0IjoiMSJ9.",
    ("microsoft", Token.Kind.ACCESS): "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.",
    ("microsoft", Token.Kind.REFRESH): "0.AXoA",
}


class OAuthRefusal(Exception):
    """The token endpoint refuses; `reason` is one of the names below, vendors word it."""

    # invalid_client, unsupported_grant_type, missing_parameter, bad_code, code_reused, code_expired,
    # redirect_mismatch, client_mismatch, pkce_missing, pkce_mismatch, refresh_unknown, refresh_revoked,
    # refresh_expired, scripted
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class BearerRefusal(Exception):
    """An API call's bearer token is missing, unknown, expired or revoked."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class IssuedTokens:
    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str
    grant: Grant


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def pkce_challenge(verifier: str, method: str = "S256") -> str:
    if method == "plain":
        return verifier
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def authenticate_client(*, service: str, client_id: str, client_secret: str) -> None:
    """Check a client's secret; a client seen for the first time is registered with it."""
    if not client_id or not client_secret:
        raise OAuthRefusal("invalid_client", "missing client credentials")
    client, created = OAuthClient.objects.get_or_create(
        service=service, client_id=client_id, defaults={"secret_digest": digest(client_secret)}
    )
    if not created and not hmac.compare_digest(client.secret_digest, digest(client_secret)):
        raise OAuthRefusal("invalid_client", "wrong client secret")


def issue_code(
    *,
    service: str,
    account: Account,
    client_id: str,
    redirect_uri: str,
    scope: str,
    code_challenge: str = "",
    code_challenge_method: str = "",
    issue_refresh_token: bool = False,
) -> str:
    code = "4/0" + secrets.token_urlsafe(32) if service == "google" else secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        service=service,
        code_digest=digest(code),
        account=account,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method or ("S256" if code_challenge else ""),
        issue_refresh_token=issue_refresh_token,
        expires_at=timezone.now() + timedelta(seconds=CODE_SECONDS),
    )
    return code


def redeem_code(*, service: str, code: str, client_id: str, redirect_uri: str, code_verifier: str = "") -> IssuedTokens:
    """Exchange an authorization code once; PKCE is checked when the code carried a challenge."""
    if not code:
        raise OAuthRefusal("missing_parameter", "code")
    with transaction.atomic():
        grant_code = (
            AuthorizationCode.objects.select_for_update()
            .select_related("account")
            .filter(service=service, code_digest=digest(code))
            .first()
        )
        if grant_code is None:
            raise OAuthRefusal("bad_code")
        if grant_code.redeemed_at is not None:
            raise OAuthRefusal("code_reused")
        if grant_code.expires_at <= timezone.now():
            raise OAuthRefusal("code_expired")
        if grant_code.client_id != client_id:
            raise OAuthRefusal("client_mismatch")
        if grant_code.redirect_uri != redirect_uri:
            raise OAuthRefusal("redirect_mismatch")
        if grant_code.code_challenge:
            if not code_verifier:
                raise OAuthRefusal("pkce_missing")
            expected = pkce_challenge(code_verifier, grant_code.code_challenge_method)
            if not hmac.compare_digest(expected, grant_code.code_challenge):
                raise OAuthRefusal("pkce_mismatch")
        grant_code.redeemed_at = timezone.now()
        grant_code.save(update_fields=["redeemed_at"])
        grant = Grant.objects.create(
            service=service, account=grant_code.account, client_id=client_id, scope=grant_code.scope
        )
        return _issue(grant, with_refresh=grant_code.issue_refresh_token)


def refresh(*, service: str, refresh_token: str, client_id: str, rotate: bool) -> IssuedTokens:
    """A new access token for a refresh token; with `rotate` the old refresh token dies."""
    if not refresh_token:
        raise OAuthRefusal("missing_parameter", "refresh_token")
    with transaction.atomic():
        token = (
            Token.objects.select_for_update()
            .select_related("grant__account")
            .filter(grant__service=service, kind=Token.Kind.REFRESH, token_digest=digest(refresh_token))
            .first()
        )
        if token is None:
            raise OAuthRefusal("refresh_unknown")
        grant = token.grant
        if grant.revoked_at is not None:
            raise OAuthRefusal("refresh_revoked")
        if token.revoked_at is not None:
            raise OAuthRefusal("refresh_unknown", "rotated")
        if token.expires_at is not None and token.expires_at <= timezone.now():
            raise OAuthRefusal("refresh_expired")
        if grant.client_id != client_id:
            raise OAuthRefusal("client_mismatch")
        if rotate:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        return _issue(grant, with_refresh=rotate)


def issue_account_token(
    *, service: str, account: Account, client_id: str, scope: str, lifetime: int = ACCESS_TOKEN_SECONDS
) -> IssuedTokens:
    """A Server-to-Server grant: an access token only, asked for again on expiry."""
    grant = Grant.objects.create(
        service=service, account=account, client_id=client_id, scope=scope, kind=Grant.Kind.ACCOUNT
    )
    return _issue(grant, with_refresh=False, lifetime=lifetime)


def issue_grant(*, service: str, account: Account, client_id: str, scope: str) -> IssuedTokens:
    """A consented grant with both tokens, without the consent dance (tests, demo seeding)."""
    grant = Grant.objects.create(service=service, account=account, client_id=client_id, scope=scope)
    return _issue(grant, with_refresh=True)


def revoke(*, service: str, token: str) -> bool:
    """Revoke the grant a token (access or refresh) belongs to, with all its tokens."""
    found = Token.objects.filter(grant__service=service, token_digest=digest(token)).select_related("grant").first()
    if found is None or found.grant.revoked_at is not None:
        return False
    Grant.objects.filter(pk=found.grant_id).update(revoked_at=timezone.now())
    return True


def authenticate_bearer(*, service: str, token: str) -> Token:
    """The live access token presented to an API, with its grant and account."""
    if not token:
        raise BearerRefusal("missing")
    found = (
        Token.objects.select_related("grant__account")
        .filter(grant__service=service, kind=Token.Kind.ACCESS, token_digest=digest(token))
        .first()
    )
    if found is None:
        raise BearerRefusal("invalid")
    if found.grant.revoked_at is not None or found.revoked_at is not None:
        raise BearerRefusal("revoked")
    if found.expires_at is not None and found.expires_at <= timezone.now():
        raise BearerRefusal("expired")
    return found


def _issue(grant: Grant, *, with_refresh: bool, lifetime: int = ACCESS_TOKEN_SECONDS) -> IssuedTokens:
    access = _new_token(grant, Token.Kind.ACCESS, timezone.now() + timedelta(seconds=lifetime))
    refresh_token = _new_token(grant, Token.Kind.REFRESH, None) if with_refresh else None
    return IssuedTokens(
        access_token=access,
        refresh_token=refresh_token,
        expires_in=lifetime,
        scope=grant.scope,
        grant=grant,
    )


def _new_token(grant: Grant, kind: str, expires_at: datetime | None) -> str:
    value = _PREFIXES[(grant.service, kind)] + secrets.token_urlsafe(48)
    Token.objects.create(grant=grant, kind=kind, token_digest=digest(value), hint=value[-6:], expires_at=expires_at)
    return value
