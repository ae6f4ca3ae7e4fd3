from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinicpro.tenancy import clinic_view


@clinic_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "bookings/dashboard.html", {})
