"""Plumbing shared by the emulated APIs: JSON in and out, credentials, and fault scripts.

The emulated endpoints speak for third parties, so they are CSRF-exempt JSON
views; only the consent pages are forms of ours.
"""

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from . import faults
from .models import Fault

View = Callable[..., HttpResponse]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(body, status=status, safe=False, headers=headers, json_dumps_params={"ensure_ascii": False})


def empty_response(status: int = 204) -> HttpResponse:
    response = HttpResponse(status=status)
    del response["Content-Type"]
    return response


def read_json_object(request: HttpRequest) -> dict[str, Any] | None:
    """The request body as a JSON object, or None when it is not one."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def bearer_token(request: HttpRequest) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def by_method(**handlers: View) -> View:
    """One URL, one handler per HTTP method (GET=..., PATCH=...)."""

    @csrf_exempt
    def dispatch(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = handlers.get(request.method or "")
        if handler is None:
            return json_response({"error": f"Method {request.method} not allowed."}, status=405)
        return handler(request, *args, **kwargs)

    return dispatch


@dataclass(frozen=True)
class VendorReplies:
    """How one vendor API answers the scripted failures."""

    server_error: Callable[[], HttpResponse]
    rate_limited: Callable[[], HttpResponse]
    unauthorized: Callable[[], HttpResponse]
    # Vendor-specific modes (Fault.Mode value -> answer), e.g. Google's 403 usage limits.
    extra: dict[str, Callable[[Fault], HttpResponse]] = field(default_factory=dict)


def emulated(service: str, endpoint: str, replies: VendorReplies) -> Callable[[View], View]:
    """Consult the fault script for `service` `endpoint` before (and around) the view.

    The view sees the fault it was given as `request.sandbox_fault`, for the
    modes only it can play (pending, invalid_grant).
    """
    if endpoint not in faults.ENDPOINTS[service]:
        raise ValueError(f"{endpoint!r} is not a documented {service} endpoint.")

    def decorator(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fault = faults.take(service, endpoint)
            request.sandbox_fault = fault  # type: ignore[attr-defined]
            if fault is None:
                return view(request, *args, **kwargs)
            return _play(fault, replies, lambda: view(request, *args, **kwargs))

        return wrapper

    return decorator


def _play(fault: Fault, replies: VendorReplies, act: Callable[[], HttpResponse]) -> HttpResponse:
    mode = fault.mode
    if mode == Fault.Mode.SERVER_ERROR:
        return replies.server_error()
    if mode == Fault.Mode.RATE_LIMITED:
        response = replies.rate_limited()
        response["Retry-After"] = retry_after_value(fault.retry_after, as_date=fault.retry_after_as_date)
        return response
    if mode == Fault.Mode.UNAUTHORIZED:
        return replies.unauthorized()
    if mode == Fault.Mode.DELAY:
        _pause(fault.delay_seconds)
        return act()
    if mode == Fault.Mode.TIMEOUT:
        # The work is done and committed; only the answer is late, so the client
        # that gave up must find what it created when it retries.
        response = act()
        _pause(fault.delay_seconds)
        return response
    if mode == Fault.Mode.LOST_RESPONSE:
        act()
        return lost_response()
    if mode in replies.extra:
        return replies.extra[mode](fault)
    return act()


def retry_after_value(seconds: int, *, as_date: bool = False) -> str:
    if as_date:
        return http_date((timezone.now() + timedelta(seconds=seconds)).timestamp())
    return str(seconds)


def lost_response() -> HttpResponse:
    """What a client sees when a proxy loses the upstream answer."""
    return HttpResponse(
        "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>",
        status=502,
        content_type="text/html; charset=utf-8",
    )


def _pause(seconds: float) -> None:
    # Hold no database connection while sleeping: a test database must be
    # droppable even when a slow answer is still on its way.
    connections.close_all()
    time.sleep(max(seconds, 0))
