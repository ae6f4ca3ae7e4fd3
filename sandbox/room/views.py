"""/sandbox/room/<room>: the room as its participants see it, or why the server turned them away."""

import re
import secrets
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from meetings.selectors import room_server_settings

from .admission import Admission, Refused, admit_open, admit_signed, record_join, roster

# In an open room the server knows a visitor only by their browser, as a Jitsi client's session would.
VISITOR_COOKIE = "sandbox_room_visitor"
VISITOR_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
VISITOR_COOKIE_SECONDS = 7 * 24 * 3600
REFRESH_SECONDS = 5


@never_cache
@require_GET
def room_page(request: HttpRequest, room: str) -> HttpResponse:
    room = room.lower()  # Jitsi room names are case-insensitive
    config = room_server_settings(room)
    if config is None:
        return _turned_away(request, room, "No room by this name was made on this server.", status=404)
    if config.uses_jwt:
        try:
            admission = admit_signed(request.GET.get("jwt", ""), room=room, domain=_domain(request), config=config)
        except Refused as refusal:
            return _turned_away(request, room, str(refusal), status=403)
    else:
        admission = admit_open(_visitor(request))
    record_join(room, admission)
    response = render(
        request,
        "sandbox/room.html",
        {
            "room": room,
            "you": admission,
            "people": roster(room, you=admission.visitor),
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if not admission.signed:
        _remember_visitor(request, response, admission)
    return response


def _domain(request: HttpRequest) -> str:
    """The host name this server was reached at: a token's `sub` must name it (or be "*")."""
    return (urlsplit(f"//{request.get_host()}").hostname or "").lower()


def _visitor(request: HttpRequest) -> str:
    known = request.COOKIES.get(VISITOR_COOKIE, "")
    return known if VISITOR_PATTERN.match(known) else secrets.token_urlsafe(24)


def _remember_visitor(request: HttpRequest, response: HttpResponse, admission: Admission) -> None:
    response.set_cookie(
        VISITOR_COOKIE,
        admission.visitor,
        max_age=VISITOR_COOKIE_SECONDS,
        path=request.path.rstrip("/"),
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _turned_away(request: HttpRequest, room: str, reason: str, *, status: int) -> HttpResponse:
    return render(
        request, "sandbox/room_refused.html", {"room": room, "reason": reason, "status": status}, status=status
    )
