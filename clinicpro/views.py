from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import services
from .forms import InvitationForm, RoleForm
from .models import Invitation, InvitationStatus, Membership
from .tenancy import ClinicRequest, clinics_of, owner_only

PENDING_INVITATION = "clinicpro.pending_invitation"


def not_found(request: HttpRequest) -> HttpResponse:
    """A feature that is switched off: its URLs do not exist."""
    raise Http404("Not available.")


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "clinicpro/landing.html")


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Send a member to their clinic's dashboard, let them choose among several, or explain what to do."""
    token = request.session.pop(PENDING_INVITATION, None)
    if token and Invitation.objects.filter(token=token).first() is not None:
        # Back from signing up or in (possibly via email verification): finish accepting the invitation.
        return redirect("accept_invitation", token=token)
    clinics = clinics_of(request.user)
    if len(clinics) == 1:
        return redirect("clinic_dashboard", clinic_slug=clinics[0].slug)
    if not clinics:
        return render(request, "clinicpro/no_clinic.html")
    return render(request, "clinicpro/chooser.html", {"clinics": clinics})


# --- Members and invitations (owners) ------------------------------------------------------


def _members_page(request: ClinicRequest, invite_form: InvitationForm | None = None, status: int = 200) -> HttpResponse:
    clinic = request.clinic
    memberships = clinic.memberships.select_related("user").order_by("role", "user__email")
    pending = list(clinic.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True))
    context = {
        "memberships": [(m, RoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in memberships],
        "pending_invitations": [i for i in pending if i.status == InvitationStatus.PENDING],
        "expired_invitations": [i for i in pending if i.status == InvitationStatus.EXPIRED],
        "invite_form": invite_form or InvitationForm(),
    }
    return render(request, "clinicpro/members.html", context, status=status)


@owner_only
def members(request: ClinicRequest) -> HttpResponse:
    return _members_page(request)


@owner_only
@require_POST
def member_invite(request: ClinicRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _members_page(request, invite_form=form, status=400)
    try:
        invitation = services.invitation_create(clinic=request.clinic, invited_by=request.user, **form.cleaned_data)
    except services.TenancyError as exc:
        form.add_error("email", str(exc))
        return _members_page(request, invite_form=form, status=400)
    messages.success(request, f"Invitation sent to {invitation.email}.")
    return redirect("clinic_members", clinic_slug=request.clinic.slug)


@owner_only
@require_POST
def invitation_revoke(request: ClinicRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, clinic=request.clinic)
    try:
        services.invitation_revoke(invitation=invitation)
        messages.success(request, f"Invitation for {invitation.email} withdrawn.")
    except services.TenancyError as exc:
        messages.error(request, str(exc))
    return redirect("clinic_members", clinic_slug=request.clinic.slug)


@owner_only
@require_POST
def member_change_role(request: ClinicRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, clinic=request.clinic)
    form = RoleForm(request.POST, prefix=f"m{membership.pk}")
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
        return redirect("clinic_members", clinic_slug=request.clinic.slug)
    try:
        services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except services.TenancyError as exc:
        messages.error(request, str(exc))
        return redirect("clinic_members", clinic_slug=request.clinic.slug)
    messages.success(request, f"{membership.user.email} is now {membership.get_role_display().lower()}.")
    if membership.user_id == request.user.pk and not membership.is_owner:  # stepped down: the page is owners' only
        return redirect("clinic_dashboard", clinic_slug=request.clinic.slug)
    return redirect("clinic_members", clinic_slug=request.clinic.slug)


@owner_only
@require_POST
def member_remove(request: ClinicRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, clinic=request.clinic)
    try:
        services.membership_remove(membership=membership)
    except services.TenancyError as exc:
        messages.error(request, str(exc))
        return redirect("clinic_members", clinic_slug=request.clinic.slug)
    messages.success(request, f"{membership.user.email} no longer belongs to {request.clinic.name}.")
    if membership.user_id == request.user.pk:  # an owner who left has no members page any more
        return redirect("dashboard_home")
    return redirect("clinic_members", clinic_slug=request.clinic.slug)


# --- Accepting an invitation ------------------------------------------------------------------


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone with the link sees whom it invites; a signed-in user confirms with a POST."""
    invitation = Invitation.objects.select_related("clinic").filter(token=token).first()
    if invitation is None:
        return render(
            request, "clinicpro/invitation_refused.html", {"reason": "This invitation link is not valid."}, status=404
        )
    refusal = services.invitation_refusal(invitation)
    if refusal:
        return render(
            request, "clinicpro/invitation_refused.html", {"reason": refusal, "invitation": invitation}, status=410
        )
    if not request.user.is_authenticated:
        request.session[PENDING_INVITATION] = token
        here = reverse("accept_invitation", kwargs={"token": token})
        return render(request, "clinicpro/invitation_signin.html", {"invitation": invitation, "next": here})
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except services.TenancyError as exc:
            return render(
                request, "clinicpro/invitation_refused.html", {"reason": str(exc), "invitation": invitation}, status=409
            )
        request.session.pop(PENDING_INVITATION, None)
        messages.success(request, f"Welcome to {membership.clinic.name}.")
        return redirect("clinic_dashboard", clinic_slug=membership.clinic.slug)
    return render(
        request,
        "clinicpro/invitation_confirm.html",
        {
            "invitation": invitation,
            "address_verified": services.invitation_addressed_to(invitation=invitation, user=request.user),
        },
    )
