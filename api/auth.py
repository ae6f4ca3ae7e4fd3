"""Who is calling: a clinic's API key (Bearer) or a signed-in member's session (with CSRF).

Either way the result is a `Caller` bound to exactly one clinic; every query of
the API goes through `caller.clinic`, so another clinic's ids answer 404.
"""

from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from clinicpro.models import Membership

from .keys import api_key_authenticate
from .models import ApiKey, KeyAudience
from .problems import ApiProblem
from .ratelimit import check_rate

CLINIC_HEADER = "X-Clinic"


@dataclass(frozen=True)
class Caller:
    clinic: Any
    principal: str  # "key:<id>" or "user:<id>"
    can_write: bool
    sees_host_links: bool
    api_key: ApiKey | None = None
    membership: Membership | None = None
    user: Any = None


class ApiRequest(HttpRequest):
    """A request django-ninja authenticated: `auth` is the `Caller` one of the auth classes below returned."""

    auth: Caller


def caller_of(request: HttpRequest) -> Caller:
    return cast(ApiRequest, request).auth


def require_write(request: HttpRequest) -> Caller:
    caller = caller_of(request)
    if not caller.can_write:
        raise ApiProblem(403, "read_only_key", "This key may only read", "Ask an owner for a key with write scope.")
    return caller


class ApiKeyAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        api_key = api_key_authenticate(token)
        if api_key is None:
            return None
        caller = Caller(
            clinic=api_key.clinic,
            principal=f"key:{api_key.pk}",
            can_write=api_key.can_write,
            sees_host_links=api_key.audience == KeyAudience.STAFF,
            api_key=api_key,
            user=api_key.created_by,
        )
        check_rate(caller.principal)
        return caller


class MemberSessionAuth(APIKeyCookie):
    """The dashboards' own session; unsafe methods need the CSRF token like any form."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Caller | None:
        # No session, no CSRF question: a bad API key on a POST is a 401, not a CSRF failure.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:
        user = request.user
        if not user.is_authenticated:
            return None
        memberships = Membership.objects.select_related("clinic").filter(user=user, clinic__is_active=True)
        slug = request.headers.get(CLINIC_HEADER, "")
        if slug:
            memberships = memberships.filter(clinic__slug=slug)
        found = list(memberships[:2])
        if len(found) != 1:
            raise ApiProblem(
                400 if len(found) > 1 else 404,
                "clinic_required" if len(found) > 1 else "not_found",
                "Name the clinic" if len(found) > 1 else "No such clinic",
                f"Send the clinic's slug in the {CLINIC_HEADER} header.",
            )
        membership = found[0]
        caller = Caller(
            clinic=membership.clinic,
            principal=f"user:{user.pk}",
            can_write=True,
            sees_host_links=True,
            membership=membership,
            user=user,
        )
        check_rate(caller.principal)
        return caller
