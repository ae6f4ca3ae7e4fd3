"""/integrations/: connect, reconnect and disconnect Google, Zoom and Microsoft accounts."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bookings.templatetags.booking_tags import zone_label
from clinicpro.models import Membership
from clinicpro.tenancy import membership_for

from .endpoints import PROVIDER_LABELS, PROVIDERS, is_enabled, provider_endpoints
from .errors import AuthorizationFailed
from .forms import ZoomClinicForm
from .models import Connection
from .oauth import finish_authorization, start_authorization
from .page_hooks import connection_banners
from .selectors import current_clinic_zoom_connection, current_connection
from .services import connection_disconnect, zoom_clinic_connect

CARD_TITLES = {"google": "Google Meet and Calendar", "zoom": "Zoom", "microsoft": "Microsoft Teams"}
USED_FOR = {
    "google": "Google Meet links for your online bookings, on your Google Calendar; your calendar's busy "
    "times are kept out of the slots patients can book.",
    "zoom": "Zoom meetings for your online bookings, with a waiting room and a passcode.",
    "microsoft": "Microsoft Teams meetings for your online bookings, on your Outlook calendar.",
}


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
def integrations_page(request: HttpRequest) -> HttpResponse:
    memberships = _memberships(request)
    if not memberships:
        return render(request, "integrations/page.html", {"memberships": []})
    membership = _selected(memberships, request.GET.get("clinic", ""))
    return _render_page(request, memberships, membership, zoom_form=ZoomClinicForm())


@login_required
@require_POST
def connect(request: HttpRequest, provider: str) -> HttpResponse:
    provider = _known(provider)
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
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    provider = _known(provider)
    try:
        connection, next_url = finish_authorization(request, provider)
    except AuthorizationFailed as exc:
        messages.error(request, str(exc))
        return redirect("integrations:page")
    account = f" as {connection.account_email}" if connection.account_email else ""
    messages.success(request, f"{CARD_TITLES[provider]} is connected{account} for {connection.clinic.name}.")
    return redirect(_safe_next(request, next_url) or _page_url(connection.membership))


@login_required
@require_POST
def disconnect(request: HttpRequest, provider: str) -> HttpResponse:
    provider = _known(provider)
    membership = membership_for(request, request.POST.get("clinic", ""))
    connection = current_connection(membership=membership, provider=provider)
    if connection is None:
        raise Http404("Nothing to disconnect.")
    revoked = connection_disconnect(connection=connection)
    note = f" and access was revoked at {PROVIDER_LABELS[provider]}" if revoked else ""
    messages.success(request, f"{CARD_TITLES[provider]} is disconnected{note}.")
    return redirect(_page_url(membership))


@login_required
@require_POST
def zoom_clinic(request: HttpRequest) -> HttpResponse:
    """An owner sets (or removes) the clinic-wide Zoom Server-to-Server credentials."""
    membership = membership_for(request, request.POST.get("clinic", ""))
    if not membership.is_owner:
        raise PermissionDenied("Only a clinic owner can set the clinic's Zoom account.")
    if request.POST.get("action") == "disconnect":
        existing = current_clinic_zoom_connection(membership.clinic)
        if existing is None:
            raise Http404("Nothing to disconnect.")
        connection_disconnect(connection=existing)
        messages.success(request, "The clinic's Zoom account is disconnected.")
        return redirect(_page_url(membership))
    form = ZoomClinicForm(request.POST)
    if form.is_valid():
        try:
            zoom_clinic_connect(clinic=membership.clinic, **form.cleaned_data)
        except AuthorizationFailed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Zoom accepted the credentials: the whole clinic can now use Zoom.")
            return redirect(_page_url(membership))
    return _render_page(request, _memberships(request), membership, zoom_form=form, status=400)


def _render_page(
    request: HttpRequest,
    memberships: list[Membership],
    membership: Membership,
    *,
    zoom_form: ZoomClinicForm,
    status: int = 200,
) -> HttpResponse:
    is_practitioner = hasattr(membership, "practitioner")
    cards = [
        Card(
            provider=provider,
            title=CARD_TITLES[provider],
            used_for=USED_FOR[provider],
            connection=current_connection(membership=membership, provider=provider),
            available=is_enabled(provider) and provider_endpoints(provider).is_configured,
        )
        for provider in PROVIDERS
    ]
    context = {
        "memberships": memberships,
        "membership": membership,
        "clinic": membership.clinic,
        "is_practitioner": is_practitioner,
        "cards": cards,
        "banners": connection_banners(membership),
        "next": _safe_next(request, request.GET.get("next", "") or request.POST.get("next", "")),
        "zone_label": zone_label(membership.clinic.zone),
        "zoom_clinic": current_clinic_zoom_connection(membership.clinic) if membership.is_owner else None,
        "zoom_form": zoom_form,
        "zoom_available": is_enabled("zoom"),
    }
    return render(request, "integrations/page.html", context, status=status)


def _memberships(request: HttpRequest) -> list[Membership]:
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


def _known(provider: str) -> str:
    if provider not in PROVIDERS:
        raise Http404("No such integration.")
    return provider


def _safe_next(request: HttpRequest, value: str) -> str:
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
