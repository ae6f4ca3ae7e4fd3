"""Google's endpoints: OAuth (accounts.google.com, oauth2.googleapis.com) and Calendar v3."""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

import jwt
from django.http import HttpRequest, HttpResponse, QueryDict

from .. import oauth
from ..consent import (
    AuthorizeProblem,
    AuthorizeRedirect,
    ConsentRequest,
    ConsentScreen,
    checked_redirect_uri,
    consent_view,
    pkce_params,
    required_param,
)
from ..emulation import (
    basic_credentials,
    bearer_token,
    by_method,
    empty_response,
    emulated,
    json_response,
    read_json_object,
)
from ..models import Account, Fault, Grant, Service
from . import calendar
from .errors import (
    API_REPLIES,
    TOKEN_REPLIES,
    GoogleApiError,
    insufficient_scopes,
    invalid_credentials,
    token_error,
    token_refusal,
)

SCOPE = "https://www.googleapis.com/auth/"
# Which scopes each Calendar method accepts, from the v3 discovery document.
EVENTS_WRITE = {SCOPE + s for s in ("calendar", "calendar.app.created", "calendar.events", "calendar.events.owned")}
EVENTS_READ = EVENTS_WRITE | {
    SCOPE + s
    for s in (
        "calendar.events.freebusy",
        "calendar.events.owned.readonly",
        "calendar.events.public.readonly",
        "calendar.events.readonly",
        "calendar.readonly",
    )
}
FREEBUSY = {SCOPE + s for s in ("calendar", "calendar.events.freebusy", "calendar.freebusy", "calendar.readonly")}
EMAIL_SCOPES = {"email", SCOPE + "userinfo.email"}
ID_TOKEN_KEY = "sandbox-google-id-token-signing-key"


# --- OAuth -----------------------------------------------------------------------------


def _parse_authorize(params: QueryDict) -> ConsentRequest:
    client_id = required_param(params, "client_id")
    redirect_uri = checked_redirect_uri(params)
    state = params.get("state", "")
    if params.get("response_type") != "code":
        raise AuthorizeRedirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
    scope = required_param(params, "scope")
    challenge, method = pkce_params(params, redirect_uri, state)
    access_type = params.get("access_type", "online")
    if access_type not in ("online", "offline"):
        raise AuthorizeProblem("invalid_request", f"Invalid access_type: {access_type}")
    return ConsentRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=challenge,
        code_challenge_method=method,
        options={"access_type": access_type, "prompt": params.get("prompt", "")},
    )


def _wants_refresh_token(consent: ConsentRequest, account: Account) -> bool:
    # Google hands out a refresh token on the first offline consent only, unless
    # prompt=consent asks again: a reconnect without it gets no refresh token.
    if consent.options["access_type"] != "offline":
        return False
    if "consent" in consent.options["prompt"].split():
        return True
    return not Grant.objects.filter(
        service=Service.GOOGLE, account=account, client_id=consent.client_id, revoked_at__isnull=True
    ).exists()


CONSENT = ConsentScreen(
    service=Service.GOOGLE,
    brand="Google",
    parse=_parse_authorize,
    wants_refresh_token=_wants_refresh_token,
    approved_params=lambda consent, account: {"scope": consent.scope, "authuser": "0", "prompt": "consent"},
)


def authorize(request: HttpRequest) -> HttpResponse:
    return consent_view(request, CONSENT)


@emulated(Service.GOOGLE, "token", TOKEN_REPLIES)
def token(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return token_error(405, "invalid_request", "Method not allowed.")
    client_id, client_secret = basic_credentials(request) or (
        request.POST.get("client_id", ""),
        request.POST.get("client_secret", ""),
    )
    grant_type = request.POST.get("grant_type", "")
    try:
        oauth.authenticate_client(service=Service.GOOGLE, client_id=client_id, client_secret=client_secret)
        fault = request.sandbox_fault  # type: ignore[attr-defined]
        if fault is not None and fault.mode == Fault.Mode.INVALID_GRANT:
            raise oauth.OAuthRefusal("scripted")
        if grant_type == "authorization_code":
            issued = oauth.redeem_code(
                service=Service.GOOGLE,
                code=request.POST.get("code", ""),
                client_id=client_id,
                redirect_uri=request.POST.get("redirect_uri", ""),
                code_verifier=request.POST.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            issued = oauth.refresh(
                service=Service.GOOGLE,
                refresh_token=request.POST.get("refresh_token", ""),
                client_id=client_id,
                rotate=False,
            )
        else:
            raise oauth.OAuthRefusal("unsupported_grant_type", grant_type)
    except oauth.OAuthRefusal as refusal:
        return token_refusal(refusal.reason, refusal.detail)
    return json_response(_token_body(issued, client_id))


def _token_body(issued: oauth.IssuedTokens, client_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": issued.access_token, "expires_in": issued.expires_in}
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    body.update({"scope": issued.scope, "token_type": "Bearer"})
    if "openid" in issued.grant.scopes:
        body["id_token"] = _id_token(issued.grant, client_id)
    return body


def _id_token(grant: Grant, client_id: str) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "azp": client_id,
        "aud": client_id,
        "sub": grant.account.uid,
        "iat": now,
        "exp": now + oauth.ACCESS_TOKEN_SECONDS,
    }
    if grant.scopes & EMAIL_SCOPES:
        claims.update({"email": grant.account.email, "email_verified": True})
    return jwt.encode(claims, ID_TOKEN_KEY, algorithm="HS256")


def revoke(request: HttpRequest) -> HttpResponse:
    value = request.POST.get("token") or request.GET.get("token", "")
    if not oauth.revoke(service=Service.GOOGLE, token=value):
        return token_error(400, "invalid_token", "Token expired or revoked")
    return json_response({})


def userinfo(request: HttpRequest) -> HttpResponse:
    try:
        grant = oauth.authenticate_bearer(service=Service.GOOGLE, token=bearer_token(request)).grant
    except oauth.BearerRefusal:
        return token_error(401, "invalid_request", "Invalid Credentials")
    body: dict[str, Any] = {"sub": grant.account.uid}
    if grant.scopes & EMAIL_SCOPES:
        body.update({"email": grant.account.email, "email_verified": True})
    if grant.scopes & {"profile", SCOPE + "userinfo.profile"}:
        body["name"] = grant.account.display_name
    return json_response(body)


# --- Calendar v3 ------------------------------------------------------------------------

CalendarView = Callable[..., HttpResponse]


def calendar_api(scopes: set[str]) -> Callable[[CalendarView], CalendarView]:
    """Authenticate the bearer token, check its scopes, and render GoogleApiError as Google does."""

    def decorator(view: CalendarView) -> CalendarView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                grant = oauth.authenticate_bearer(service=Service.GOOGLE, token=bearer_token(request)).grant
            except oauth.BearerRefusal:
                return invalid_credentials()
            if not grant.scopes & scopes:
                return insufficient_scopes()
            try:
                return view(request, grant.account, *args, **kwargs)
            except GoogleApiError as error:
                return error.response()

        return wrapper

    return decorator


def _body(request: HttpRequest) -> dict[str, Any]:
    body = read_json_object(request)
    if body is None:
        raise GoogleApiError(400, "parseError", "Parse Error")
    return body


@emulated(Service.GOOGLE, "events.insert", API_REPLIES)
@calendar_api(EVENTS_WRITE)
def insert_event(request: HttpRequest, account: Account, calendar_id: str) -> HttpResponse:
    calendar.check_calendar(account, calendar_id)
    fault = request.sandbox_fault  # type: ignore[attr-defined]
    mode = fault.mode if fault is not None else ""
    event = calendar.insert_event(
        account=account,
        body=_body(request),
        conference_version=calendar.conference_version(request.GET.get("conferenceDataVersion")),
        send_updates=calendar.send_updates(request.GET.get("sendUpdates")),
        pending_reads=fault.pending_reads if mode == Fault.Mode.PENDING else None,
        meet_allowed=mode != Fault.Mode.NO_MEET,
        conference_fails=mode == Fault.Mode.CONFERENCE_FAILURE,
    )
    return json_response(event.resource)


@emulated(Service.GOOGLE, "events.get", API_REPLIES)
@calendar_api(EVENTS_READ)
def get_event(request: HttpRequest, account: Account, calendar_id: str, event_id: str) -> HttpResponse:
    calendar.check_calendar(account, calendar_id)
    return json_response(calendar.read_event(account=account, event_id=event_id).resource)


@emulated(Service.GOOGLE, "events.patch", API_REPLIES)
@calendar_api(EVENTS_WRITE)
def patch_event(request: HttpRequest, account: Account, calendar_id: str, event_id: str) -> HttpResponse:
    calendar.check_calendar(account, calendar_id)
    event = calendar.patch_event(
        account=account,
        event_id=event_id,
        body=_body(request),
        conference_version=calendar.conference_version(request.GET.get("conferenceDataVersion")),
        send_updates=calendar.send_updates(request.GET.get("sendUpdates")),
    )
    return json_response(event.resource)


@emulated(Service.GOOGLE, "events.delete", API_REPLIES)
@calendar_api(EVENTS_WRITE)
def delete_event(request: HttpRequest, account: Account, calendar_id: str, event_id: str) -> HttpResponse:
    calendar.check_calendar(account, calendar_id)
    calendar.delete_event(
        account=account, event_id=event_id, send_updates=calendar.send_updates(request.GET.get("sendUpdates"))
    )
    return empty_response(204)


@emulated(Service.GOOGLE, "freebusy", API_REPLIES)
@calendar_api(FREEBUSY)
def free_busy(request: HttpRequest, account: Account) -> HttpResponse:
    return json_response(calendar.free_busy(account=account, body=_body(request)))


token_view = by_method(POST=token)
revoke_view = by_method(POST=revoke)
userinfo_view = by_method(GET=userinfo, POST=userinfo)
events_view = by_method(POST=insert_event)
event_view = by_method(GET=get_event, PATCH=patch_event, DELETE=delete_event)
free_busy_view = by_method(POST=free_busy)
