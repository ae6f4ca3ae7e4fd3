"""Zoom's endpoints: OAuth (zoom.us/oauth) and the meetings API (api.zoom.us/v2)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.http import http_date

from .. import oauth, world
from ..consent import (
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
from ..models import Fault, Grant, Service
from . import meetings
from .errors import API_REPLIES, TOKEN_REPLIES, ZoomApiError, api_error, token_error, token_refusal

S2S_SCOPES = "meeting:read:admin meeting:write:admin user:read:admin"
S2S_TOKEN_SECONDS = 3600


# --- OAuth -----------------------------------------------------------------------------


def _parse_authorize(params: QueryDict) -> ConsentRequest:
    client_id = required_param(params, "client_id")
    redirect_uri = checked_redirect_uri(params)
    state = params.get("state", "")
    if params.get("response_type") != "code":
        raise AuthorizeRedirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
    challenge, method = pkce_params(params, redirect_uri, state)
    # Zoom apps declare their scopes in the Marketplace; the authorize URL usually carries none.
    scope = params.get("scope", "") or world.DEFAULT_SCOPES[Service.ZOOM]
    return ConsentRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=challenge,
        code_challenge_method=method,
    )


CONSENT = ConsentScreen(
    service=Service.ZOOM,
    brand="Zoom",
    parse=_parse_authorize,
    wants_refresh_token=lambda consent, account: True,
)


def authorize(request: HttpRequest) -> HttpResponse:
    return consent_view(request, CONSENT)


@emulated(Service.ZOOM, "token", TOKEN_REPLIES)
def token(request: HttpRequest) -> HttpResponse:
    # Zoom takes the grant in the query string as readily as in the form body.
    params = request.GET.copy()
    params.update(request.POST)
    client_id, client_secret = basic_credentials(request) or ("", "")
    grant_type = params.get("grant_type", "")
    try:
        oauth.authenticate_client(service=Service.ZOOM, client_id=client_id, client_secret=client_secret)
        fault = request.sandbox_fault  # type: ignore[attr-defined]
        if fault is not None and fault.mode == Fault.Mode.INVALID_GRANT:
            raise oauth.OAuthRefusal("scripted")
        if grant_type == "authorization_code":
            issued = oauth.redeem_code(
                service=Service.ZOOM,
                code=params.get("code", ""),
                client_id=client_id,
                redirect_uri=params.get("redirect_uri", ""),
                code_verifier=params.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            issued = oauth.refresh(
                service=Service.ZOOM, refresh_token=params.get("refresh_token", ""), client_id=client_id, rotate=True
            )
        elif grant_type == "account_credentials":
            issued = _account_token(client_id, params.get("account_id", ""))
        else:
            raise oauth.OAuthRefusal("unsupported_grant_type", grant_type)
    except oauth.OAuthRefusal as refusal:
        return token_refusal(refusal.reason, refusal.detail)
    body: dict[str, Any] = {"access_token": issued.access_token, "token_type": "bearer"}
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    body.update(
        {"expires_in": issued.expires_in, "scope": issued.scope, "api_url": request.build_absolute_uri("/sandbox/zoom")}
    )
    return json_response(body)


def _account_token(client_id: str, account_id: str) -> oauth.IssuedTokens:
    if not account_id:
        raise oauth.OAuthRefusal("missing_parameter", "account_id")
    admin = world.account(Service.ZOOM, f"admin@{account_id.lower()}.zoom.test", organization=account_id)
    return oauth.issue_account_token(
        service=Service.ZOOM, account=admin, client_id=client_id, scope=S2S_SCOPES, lifetime=S2S_TOKEN_SECONDS
    )


def revoke(request: HttpRequest) -> HttpResponse:
    client_id, client_secret = basic_credentials(request) or ("", "")
    try:
        oauth.authenticate_client(service=Service.ZOOM, client_id=client_id, client_secret=client_secret)
    except oauth.OAuthRefusal as refusal:
        return token_refusal(refusal.reason)
    value = request.POST.get("token") or request.GET.get("token", "")
    if not oauth.revoke(service=Service.ZOOM, token=value):
        return token_error(400, "invalid_request", "Invalid Token!")
    return json_response({"status": "success"})


# --- API v2 ------------------------------------------------------------------------------

ZoomView = Callable[..., HttpResponse]


def zoom_api(view: ZoomView) -> ZoomView:
    """Authenticate the bearer token and render ZoomApiError as Zoom does."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            grant = oauth.authenticate_bearer(service=Service.ZOOM, token=bearer_token(request)).grant
        except oauth.BearerRefusal as refusal:
            message = "Access token is expired." if refusal.reason == "expired" else "Invalid access token."
            return api_error(401, 124, message)
        try:
            return view(request, grant, *args, **kwargs)
        except meetings.DailyCapReached as capped:
            response = capped.response()
            response["Retry-After"] = http_date(capped.resets_at().timestamp())
            response["X-RateLimit-Type"] = "Daily-limit"
            response["X-RateLimit-Limit"] = str(grant.account.daily_meeting_limit)
            response["X-RateLimit-Remaining"] = "0"
            return response
        except ZoomApiError as error:
            return error.response()

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    body = read_json_object(request)
    if body is None:
        raise ZoomApiError(400, 300, "Request Body should be a valid JSON object.")
    return body


@zoom_api
def get_user(request: HttpRequest, grant: Grant, user_id: str) -> HttpResponse:
    return json_response(meetings.user_resource(meetings.caller_user(grant, user_id)))


@emulated(Service.ZOOM, "meetings.create", API_REPLIES)
@zoom_api
def create_meeting(request: HttpRequest, grant: Grant, user_id: str) -> HttpResponse:
    host = meetings.caller_user(grant, user_id)
    meeting = meetings.create_meeting(account=host, body=_body(request))
    return json_response(meetings.meeting_resource(meeting), status=201)


@emulated(Service.ZOOM, "meetings.list", API_REPLIES)
@zoom_api
def list_meetings(request: HttpRequest, grant: Grant, user_id: str) -> HttpResponse:
    host = meetings.caller_user(grant, user_id)
    return json_response(meetings.list_meetings(account=host, params=request.GET.dict()))


@emulated(Service.ZOOM, "meetings.get", API_REPLIES)
@zoom_api
def get_meeting(request: HttpRequest, grant: Grant, meeting_id: str) -> HttpResponse:
    return json_response(meetings.get_meeting(grant=grant, meeting_id=meeting_id))


@emulated(Service.ZOOM, "meetings.update", API_REPLIES)
@zoom_api
def update_meeting(request: HttpRequest, grant: Grant, meeting_id: str) -> HttpResponse:
    meetings.update_meeting(grant=grant, meeting_id=meeting_id, body=_body(request))
    return empty_response(204)


@emulated(Service.ZOOM, "meetings.delete", API_REPLIES)
@zoom_api
def delete_meeting(request: HttpRequest, grant: Grant, meeting_id: str) -> HttpResponse:
    meetings.delete_meeting(grant=grant, meeting_id=meeting_id)
    return empty_response(204)


token_view = by_method(POST=token)
revoke_view = by_method(POST=revoke)
user_view = by_method(GET=get_user)
user_meetings_view = by_method(GET=list_meetings, POST=create_meeting)
meeting_view = by_method(GET=get_meeting, PATCH=update_meeting, DELETE=delete_meeting)
