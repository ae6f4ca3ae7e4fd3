"""Microsoft's endpoints: the identity platform (login.microsoftonline.com) and Graph v1.0."""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from .. import oauth
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
from ..models import Account, Fault, Service
from . import graph
from .errors import API_REPLIES, TOKEN_REPLIES, GraphError, invalid_token, token_refusal

# Scopes that shape the sign-in itself; Entra ID leaves them out of the scope it reports.
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
PREFER_ZONE = re.compile(r'outlook\.timezone="([^"]+)"')


# --- Identity platform ----------------------------------------------------------------------


def _parse_authorize(params: QueryDict) -> ConsentRequest:
    client_id = required_param(params, "client_id")
    redirect_uri = checked_redirect_uri(params)
    state = params.get("state", "")
    if params.get("response_type") != "code":
        raise AuthorizeRedirect(
            redirect_uri,
            {
                "error": "unsupported_response_type",
                "error_description": "AADSTS70005: The provided value for the 'response_type' is not supported.",
                "state": state,
            },
        )
    scope = params.get("scope", "").strip()
    if not scope:
        raise AuthorizeRedirect(
            redirect_uri,
            {
                "error": "invalid_request",
                "error_description": "AADSTS900144: The request body must contain the following parameter: 'scope'.",
                "state": state,
            },
        )
    challenge, method = pkce_params(params, redirect_uri, state)
    return ConsentRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=challenge,
        code_challenge_method=method,
    )


CONSENT = ConsentScreen(
    service=Service.MICROSOFT,
    brand="Microsoft",
    parse=_parse_authorize,
    # Entra ID issues a refresh token only when offline_access was asked for.
    wants_refresh_token=lambda consent, account: "offline_access" in consent.scope.split(),
    approved_params=lambda consent, account: {"session_state": account.organization},
    denied_params={
        "error": "access_denied",
        "error_description": "AADSTS65004: User declined to consent to access the app.",
    },
)


def authorize(request: HttpRequest, tenant: str) -> HttpResponse:
    return consent_view(request, CONSENT)


@emulated(Service.MICROSOFT, "token", TOKEN_REPLIES)
def token(request: HttpRequest, tenant: str) -> HttpResponse:
    params = request.POST
    client_id, client_secret = basic_credentials(request) or (
        params.get("client_id", ""),
        params.get("client_secret", ""),
    )
    grant_type = params.get("grant_type", "")
    try:
        if not grant_type:
            raise oauth.OAuthRefusal("missing_parameter", "grant_type")
        try:
            oauth.authenticate_client(service=Service.MICROSOFT, client_id=client_id, client_secret=client_secret)
        except oauth.OAuthRefusal:
            raise oauth.OAuthRefusal("invalid_client", client_id) from None
        fault = request.sandbox_fault  # type: ignore[attr-defined]
        if fault is not None and fault.mode == Fault.Mode.INVALID_GRANT:
            raise oauth.OAuthRefusal("scripted")
        if grant_type == "authorization_code":
            issued = oauth.redeem_code(
                service=Service.MICROSOFT,
                code=params.get("code", ""),
                client_id=client_id,
                redirect_uri=params.get("redirect_uri", ""),
                code_verifier=params.get("code_verifier", ""),
            )
        elif grant_type == "refresh_token":
            issued = oauth.refresh(
                service=Service.MICROSOFT,
                refresh_token=params.get("refresh_token", ""),
                client_id=client_id,
                rotate=True,
            )
        else:
            raise oauth.OAuthRefusal("unsupported_grant_type", grant_type)
    except oauth.OAuthRefusal as refusal:
        return token_refusal(refusal.reason, refusal.detail)
    return json_response(_token_body(issued))


def _token_body(issued: oauth.IssuedTokens) -> dict[str, Any]:
    reported = [scope for scope in issued.scope.split() if scope not in OIDC_SCOPES]
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join(reported),
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.access_token,
    }
    if issued.refresh_token:
        body["refresh_token"] = issued.refresh_token
    return body


# --- Graph v1.0 --------------------------------------------------------------------------------

GraphView = Callable[..., HttpResponse]
BEARER_MESSAGES = {
    "missing": "Access token is empty.",
    "invalid": "CompactToken parsing failed with error code: 80049217",
    "expired": "Lifetime validation failed, the token is expired.",
    "revoked": "Access token has expired or is not yet valid.",
}


def graph_api(view: GraphView) -> GraphView:
    """Authenticate the bearer token and render GraphError as Graph does."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            account = oauth.authenticate_bearer(service=Service.MICROSOFT, token=bearer_token(request)).grant.account
        except oauth.BearerRefusal as refusal:
            return invalid_token(BEARER_MESSAGES[refusal.reason])
        try:
            return view(request, account, *args, **kwargs)
        except GraphError as error:
            return error.response()

    return wrapper


def _body(request: HttpRequest) -> dict[str, Any]:
    body = read_json_object(request)
    if body is None:
        raise GraphError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid "
            "JSON format.",
        )
    return body


def _prefer_zone(request: HttpRequest) -> str | None:
    match = PREFER_ZONE.search(request.headers.get("Prefer", ""))
    return match.group(1) if match else None


@graph_api
def me(request: HttpRequest, account: Account) -> HttpResponse:
    return json_response(graph.me_resource(account))


@emulated(Service.MICROSOFT, "events.create", API_REPLIES)
@graph_api
def create_event(request: HttpRequest, account: Account) -> HttpResponse:
    event = graph.create_event(account=account, body=_body(request))
    return json_response(graph.event_resource(event, _prefer_zone(request)), status=201)


@emulated(Service.MICROSOFT, "events.list", API_REPLIES)
@graph_api
def list_events(request: HttpRequest, account: Account) -> HttpResponse:
    events = graph.list_events(account=account, odata_filter=request.GET.get("$filter", ""))
    zone = _prefer_zone(request)
    context = f"{graph.GRAPH}/$metadata#users('{account.uid}')/events"
    return json_response({"@odata.context": context, "value": [graph.event_resource(e, zone) for e in events]})


@emulated(Service.MICROSOFT, "events.get", API_REPLIES)
@graph_api
def get_event(request: HttpRequest, account: Account, event_id: str) -> HttpResponse:
    event = graph.get_event(account=account, event_id=event_id)
    return json_response(graph.event_resource(event, _prefer_zone(request)))


@emulated(Service.MICROSOFT, "events.update", API_REPLIES)
@graph_api
def update_event(request: HttpRequest, account: Account, event_id: str) -> HttpResponse:
    event = graph.update_event(account=account, event_id=event_id, body=_body(request))
    return json_response(graph.event_resource(event, _prefer_zone(request)))


@emulated(Service.MICROSOFT, "events.delete", API_REPLIES)
@graph_api
def delete_event(request: HttpRequest, account: Account, event_id: str) -> HttpResponse:
    graph.delete_event(account=account, event_id=event_id)
    return empty_response(204)


@emulated(Service.MICROSOFT, "onlinemeetings.createorget", API_REPLIES)
@graph_api
def create_or_get_meeting(request: HttpRequest, account: Account) -> HttpResponse:
    meeting, created = graph.create_or_get_meeting(account=account, body=_body(request))
    return json_response(graph.meeting_resource(meeting), status=201 if created else 200)


@emulated(Service.MICROSOFT, "onlinemeetings.get", API_REPLIES)
@graph_api
def get_meeting(request: HttpRequest, account: Account, meeting_id: str) -> HttpResponse:
    return json_response(graph.meeting_resource(graph.get_meeting(account=account, meeting_id=meeting_id)))


@emulated(Service.MICROSOFT, "onlinemeetings.update", API_REPLIES)
@graph_api
def update_meeting(request: HttpRequest, account: Account, meeting_id: str) -> HttpResponse:
    meeting = graph.update_meeting(account=account, meeting_id=meeting_id, body=_body(request))
    return json_response(graph.meeting_resource(meeting))


@emulated(Service.MICROSOFT, "onlinemeetings.delete", API_REPLIES)
@graph_api
def delete_meeting(request: HttpRequest, account: Account, meeting_id: str) -> HttpResponse:
    graph.delete_meeting(account=account, meeting_id=meeting_id)
    return empty_response(204)


token_view = by_method(POST=token)
me_view = by_method(GET=me)
events_view = by_method(GET=list_events, POST=create_event)
event_view = by_method(GET=get_event, PATCH=update_event, DELETE=delete_event)
create_or_get_view = by_method(POST=create_or_get_meeting)
meeting_view = by_method(GET=get_meeting, PATCH=update_meeting, DELETE=delete_meeting)
