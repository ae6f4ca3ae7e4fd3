"""Changes to connections: store a new authorization, disconnect, a clinic's own app credentials."""

import logging

import requests
from django.db import transaction

from clinicpro.http import http_session
from clinicpro.models import Clinic, Membership

from .errors import AuthorizationFailed, TokenRefreshFailed
from .models import Connection, ConnectionKind, ConnectionStatus
from .tokens import TokenEndpointRefused, client_auth_for, clinic_grant, connection_store_tokens, post_token_request
from .vendors.base import Vendor
from .vendors.registry import vendor as vendor_for

logger = logging.getLogger(__name__)


def connection_save_authorized(
    *,
    membership: Membership,
    provider: str,
    access_token: str,
    refresh_token: str,
    expires_in: int | None,
    scopes: str,
    account_email: str,
) -> Connection:
    """Store tokens from a finished authorization, replacing the member's earlier connection to that provider."""
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .filter(membership=membership, provider=provider, kind=ConnectionKind.OAUTH)
            .exclude(status=ConnectionStatus.REVOKED)
            .first()
        )
        replaced_refresh_token = ""
        if connection is None:
            connection = Connection(clinic=membership.clinic, membership=membership, provider=provider)
        elif connection.refresh_token and connection.refresh_token != refresh_token:
            replaced_refresh_token = connection.refresh_token
        connection.calendar_error_at = None
        connection_store_tokens(
            connection=connection,
            access_token=access_token,
            expires_in=expires_in,
            refresh_token=refresh_token,
            scopes=scopes,
            account_email=account_email,
        )
        connection.save(update_fields=["calendar_error_at"])
    if replaced_refresh_token:
        # The earlier grant is no longer used; do not leave it alive at the vendor. After the commit:
        # no network call is made while a caller's transaction or our row lock is held.
        transaction.on_commit(lambda: revoke_at_provider(provider, replaced_refresh_token))
    return connection


def connection_disconnect(*, connection: Connection) -> bool:
    """Revoke the grant at the provider where it can be revoked, then forget the tokens.

    Returns whether the provider confirmed the revocation (Microsoft has no revocation
    endpoint: its grant simply stops being used). The local tokens are deleted either way.
    """
    token = connection.refresh_token or connection.access_token
    revoked = False
    if token and not connection.is_server_to_server:
        revoked = revoke_at_provider(connection.provider, token)
    with transaction.atomic():
        connection.status = ConnectionStatus.REVOKED
        connection.access_token = ""
        connection.refresh_token = ""
        connection.client_secret = ""
        connection.expires_at = None
        connection.calendar_error_at = None
        connection.last_error = ""
        connection.save()
    return revoked


def revoke_at_provider(provider: str, token: str) -> bool:
    """Best effort: a vendor that is down must not keep someone from disconnecting."""
    vendor = vendor_for(provider)
    revoke_url = vendor.endpoints().revoke
    if not revoke_url:
        return False
    data, basic_auth = client_auth_for(vendor, {"token": token})
    if basic_auth is None:
        data = {"token": token}  # Google's revoke endpoint takes the token alone
    try:
        response = http_session().post(revoke_url, data=data, auth=basic_auth)
    except requests.RequestException as exc:
        logger.warning("Revoking a %s grant failed: %s", provider, type(exc).__name__)
        return False
    if response.status_code >= 400:
        # 400 invalid_token: already revoked or expired there, which is what we wanted.
        logger.info("Revoking a %s grant answered %s", provider, response.status_code)
        return False
    return True


def clinic_account_connect(
    *, clinic: Clinic, provider: str, account_id: str, client_id: str, client_secret: str
) -> Connection:
    """Check a clinic's own app credentials by asking the vendor for a token, then keep them (encrypted)."""
    vendor = vendor_for(provider)
    if not vendor.connects_clinics:
        raise AuthorizationFailed(f"{vendor.label} cannot be connected for a whole clinic.")
    try:
        issued = post_token_request(vendor, clinic_grant(vendor, account_id), basic_auth=(client_id, client_secret))
    except TokenEndpointRefused as exc:
        raise AuthorizationFailed(f"{exc} Check the account ID, client ID and client secret.") from None
    except TokenRefreshFailed as exc:
        raise AuthorizationFailed(f"{exc} Please try again in a moment.") from None
    email = _clinic_account_email(vendor, issued.access_token)
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .filter(clinic=clinic, provider=provider, kind=ConnectionKind.SERVER_TO_SERVER)
            .exclude(status=ConnectionStatus.REVOKED)
            .first()
        ) or Connection(clinic=clinic, provider=provider, kind=ConnectionKind.SERVER_TO_SERVER)
        connection.account_id = account_id
        connection.client_id = client_id
        connection.client_secret = client_secret
        connection.refresh_token = ""
        if connection.pk is None:
            connection.save()
        else:
            connection.save(update_fields=["account_id", "client_id", "client_secret", "refresh_token"])
        return connection_store_tokens(
            connection=connection,
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            scopes=issued.scope,
            account_email=email,
        )


def _clinic_account_email(vendor: Vendor, access_token: str) -> str:
    """The account's user, when the app may read it (Zoom: user:read:admin); blank otherwise."""
    userinfo_url = vendor.endpoints().userinfo
    if userinfo_url:
        try:
            response = http_session().get(userinfo_url, headers={"Authorization": f"Bearer {access_token}"})
            if response.status_code == 200:
                return str(response.json().get("email") or "")[:254]
        except (requests.RequestException, ValueError):
            pass
    logger.info("%s did not say which user the clinic's app acts as", vendor.label)
    return ""
