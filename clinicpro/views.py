from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .tenancy import clinic_view, clinics_of


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "clinicpro/landing.html")


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """Send a member to their clinic's dashboard, or let them choose among several."""
    clinics = clinics_of(request.user)
    if len(clinics) == 1:
        return redirect("clinic_dashboard", clinic_slug=clinics[0].slug)
    return render(request, "clinicpro/chooser.html", {"clinics": clinics})


@clinic_view()
def members(request: HttpRequest) -> HttpResponse:
    return render(request, "clinicpro/members.html", {"members": request.clinic.memberships.select_related("user")})


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
