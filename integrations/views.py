"""/integrations/: connect, reconnect and disconnect the accounts of every registered vendor."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bookings.formatting import zone_label
from clinicpro.models import Membership
from clinicpro.requests import AuthenticatedRequest
from clinicpro.tenancy import membership_for

from .errors import AuthorizationFailed
from .forms import ClinicAccountForm
from .models import Connection
from .oauth import finish_authorization, start_authorization
from .page_hooks import connection_banners
from .selectors import current_clinic_connection, current_connection
from .services import clinic_account_connect, connection_disconnect
from .vendors.base import Vendor
from .vendors.registry import is_vendor, vendor, vendors_where


@dataclass(frozen=True)
class ClinicAccount:
    """A vendor where an owner can connect an account for the whole clinic."""

    provider: str
    title: str
    summary: str
    connection: Connection | None
    form: ClinicAccountForm


@dataclass(frozen=True)
class Card:
    provider: str
    title: str
    used_for: str
    connection: Connection | None
    available: bool

    @property
    def state(self) -> str:
        return self.connection.status if self.connection else "not_connected"

    @property
    def state_label(self) -> str:
        return self.connection.get_status_display() if self.connection else "Not connected"


@login_required
@require_GET
def integrations_page(request: AuthenticatedRequest) -> HttpResponse:
    memberships = _memberships(request)
    if not memberships:
        return render(request, "integrations/page.html", {"memberships": []})
    membership = _selected(memberships, request.GET.get("clinic", ""))
    return _render_page(request, memberships, membership)


@login_required
@require_POST
def connect(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    _known(provider)
    membership = membership_for(request, request.POST.get("clinic", ""))
    next_url = _safe_next(request, request.POST.get("next", ""))
    if not hasattr(membership, "practitioner"):
        messages.error(request, "Only practitioners connect their own accounts.")
        return redirect(_page_url(membership, next_url))
    try:
        authorize_url = start_authorization(request, provider, membership=membership, next_url=next_url)
    except AuthorizationFailed as exc:
        messages.error(request, str(exc))
        return redirect(_page_url(membership, next_url))
    return HttpResponseRedirect(authorize_url)


@login_required
@require_GET
def callback(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    _known(provider)
    try:
        connection, next_url = finish_authorization(request, provider)
    except AuthorizationFailed as exc:
        messages.error(request, str(exc))
        return redirect("integrations:page")
    account = f" as {connection.account_email}" if connection.account_email else ""
    title = vendor(provider).connect_title
    messages.success(request, f"{title} is connected{account} for {connection.clinic.name}.")
    return redirect(_safe_next(request, next_url) or _page_url(connection.membership))


@login_required
@require_POST
def disconnect(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    _known(provider)
    membership = membership_for(request, request.POST.get("clinic", ""))
    connection = current_connection(membership=membership, provider=provider)
    if connection is None:
        raise Http404("Nothing to disconnect.")
    revoked = connection_disconnect(connection=connection)
    note = f" and access was revoked at {vendor(provider).label}" if revoked else ""
    messages.success(request, f"{vendor(provider).connect_title} is disconnected{note}.")
    return redirect(_page_url(membership))


@login_required
@require_POST
def clinic_account(request: AuthenticatedRequest, provider: str) -> HttpResponse:
    """An owner sets (or removes) the clinic-wide credentials of a vendor's app (e.g. Zoom Server-to-Server)."""
    known = _known(provider)
    if not known.connects_clinics:
        raise Http404("No such integration.")
    membership = membership_for(request, request.POST.get("clinic", ""))
    if not membership.is_owner:
        raise PermissionDenied(f"Only a clinic owner can set the clinic's {known.label} account.")
    if request.POST.get("action") == "disconnect":
        existing = current_clinic_connection(membership.clinic, provider=provider)
        if existing is None:
            raise Http404("Nothing to disconnect.")
        connection_disconnect(connection=existing)
        messages.success(request, f"The clinic's {known.label} account is disconnected.")
        return redirect(_page_url(membership))
    form = ClinicAccountForm(request.POST, auto_id=f"id_{provider}_%s")
    if form.is_valid():
        try:
            clinic_account_connect(clinic=membership.clinic, provider=provider, **form.cleaned_data)
        except AuthorizationFailed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{known.label} accepted the credentials: the whole clinic can now use {known.label}."
            )
            return redirect(_page_url(membership))
    return _render_page(request, _memberships(request), membership, forms={provider: form}, status=400)


def _render_page(
    request: AuthenticatedRequest,
    memberships: list[Membership],
    membership: Membership,
    *,
    forms: dict[str, ClinicAccountForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    is_practitioner = hasattr(membership, "practitioner")
    cards = [
        Card(
            provider=card_vendor.key,
            title=card_vendor.connect_title or card_vendor.label,
            used_for=card_vendor.connect_summary,
            connection=current_connection(membership=membership, provider=card_vendor.key),
            available=card_vendor.is_available,
        )
        for card_vendor in vendors_where(lambda candidate: candidate.connects_users)
    ]
    clinic_accounts = [
        ClinicAccount(
            provider=account_vendor.key,
            title=account_vendor.clinic_account_title or f"{account_vendor.label} for the whole clinic",
            summary=account_vendor.clinic_account_summary,
            connection=current_clinic_connection(membership.clinic, provider=account_vendor.key),
            form=(forms or {}).get(account_vendor.key) or ClinicAccountForm(auto_id=f"id_{account_vendor.key}_%s"),
        )
        for account_vendor in vendors_where(lambda candidate: candidate.connects_clinics and candidate.is_enabled)
    ]
    context = {
        "memberships": memberships,
        "membership": membership,
        "clinic": membership.clinic,
        "is_practitioner": is_practitioner,
        # Owners and practitioners choose each service's platform there; other members cannot open it.
        "services_url": reverse("clinic_services", args=[membership.clinic.slug])
        if is_practitioner or membership.is_owner
        else "",
        "cards": cards,
        "banners": connection_banners(membership),
        "next": _safe_next(request, request.GET.get("next", "") or request.POST.get("next", "")),
        "zone_label": zone_label(membership.clinic.zone),
        "clinic_accounts": clinic_accounts if membership.is_owner else [],
    }
    return render(request, "integrations/page.html", context, status=status)


def _memberships(request: AuthenticatedRequest) -> list[Membership]:
    return list(
        Membership.objects.filter(user=request.user, clinic__is_active=True)
        .select_related("clinic", "practitioner")
        .order_by("clinic__name")
    )


def _selected(memberships: list[Membership], slug: str) -> Membership:
    if not slug:
        practitioners = [m for m in memberships if hasattr(m, "practitioner")]
        return (practitioners or memberships)[0]
    for membership in memberships:
        if membership.clinic.slug == slug:
            return membership
    raise Http404("No such clinic.")


def _known(provider: str) -> Vendor:
    if not is_vendor(provider):
        raise Http404("No such integration.")
    return vendor(provider)


def _safe_next(request: AuthenticatedRequest, value: str) -> str:
    """Only a path on this site: `next` must not turn us into an open redirect."""
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return ""


def _page_url(membership: Membership | None, next_url: str = "") -> str:
    query = {"clinic": membership.clinic.slug} if membership else {}
    if next_url:
        query["next"] = next_url
    return reverse("integrations:page") + (f"?{urlencode(query)}" if query else "")
