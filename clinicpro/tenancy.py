"""Resolve the clinic of a dashboard request, and guard owner-only actions.

Every dashboard view under /c/<slug>/ goes through `clinic_view`: the clinic is
found only through a membership of the signed-in user, so another clinic's slug
answers 404 exactly like a slug that does not exist.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Clinic, Membership, Role
from .requests import ClinicRequest

# One-to-one relations of a membership that every clinic page reads (an app's profile of the member),
# loaded with it; apps add theirs with `load_with_membership`.
_membership_relations: list[str] = []


def load_with_membership(relation: str) -> None:
    """Read `relation` (a one-to-one from another app's model to Membership) in the same query as the membership."""
    if relation not in _membership_relations:
        _membership_relations.append(relation)


def membership_for(request: HttpRequest, clinic_slug: str) -> Membership:
    """The signed-in user's membership of the clinic, or 404.

    Reads all the user's memberships at once and keeps their clinics on the request for the
    clinic switcher (`clinics_of_request`), which every dashboard page shows.
    """
    if not request.user.is_authenticated:
        raise Http404
    memberships = list(
        Membership.objects.select_related("clinic", *_membership_relations)
        .filter(user=request.user, clinic__is_active=True)
        .order_by("clinic__name", "clinic_id")
    )
    request.user_clinics = [m.clinic for m in memberships]  # type: ignore[attr-defined]
    membership = next((m for m in memberships if m.clinic.slug == clinic_slug), None)
    if membership is None:
        raise Http404("No such clinic.")
    return membership


def clinic_view(*, roles: tuple[str, ...] | None = None) -> Callable:
    """Decorate a view taking `clinic_slug`; it receives a `ClinicRequest` (its `clinic` and `membership`).

    `roles` limits the view to members holding one of them (403 for other members).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, clinic_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = membership_for(request, clinic_slug)
            if roles is not None and membership.role not in roles:
                allowed = " or ".join(Role(role).label.lower() for role in roles)
                raise PermissionDenied(f"Only a clinic {allowed} can do this.")
            clinic_request = cast(ClinicRequest, request)
            clinic_request.membership = membership
            clinic_request.clinic = membership.clinic
            return view(clinic_request, *args, **kwargs)

        return wrapper

    return decorator


owner_only = clinic_view(roles=(Role.OWNER,))


def clinics_of(user: Any) -> list[Clinic]:
    if not user.is_authenticated:
        return []
    return list(Clinic.objects.filter(memberships__user=user, is_active=True).order_by("name", "pk"))


def clinics_of_request(request: HttpRequest) -> list[Clinic]:
    """The signed-in user's clinics, as `membership_for` already read them if it ran."""
    known = getattr(request, "user_clinics", None)
    return known if known is not None else clinics_of(request.user)
