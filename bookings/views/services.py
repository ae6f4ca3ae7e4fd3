"""The service editor: owners edit every service, practitioners the services they offer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clinicpro.models import Role
from clinicpro.tenancy import ClinicRequest, clinic_view

from .. import hooks, selectors
from ..forms import ServiceForm
from ..models import Practitioner, Service

editors_only = clinic_view(roles=(Role.OWNER, Role.PRACTITIONER))


def _editable_service(request: ClinicRequest, service_id: int) -> Service:
    service = Service.objects.filter(clinic=request.clinic, pk=service_id).first()
    if service is None:
        raise Http404("No such service.")
    if not _may_edit(request, service):
        raise PermissionDenied("Only the clinic owner or a practitioner offering this service can change it.")
    return service


def _may_edit(request: ClinicRequest, service: Service, own: Practitioner | None = None) -> bool:
    if request.membership.is_owner:
        return True
    own = own or selectors.clinic_practitioner_of(request.membership)
    return own is not None and any(p.pk == own.pk for p in service.practitioners.all())


@editors_only
def service_list(request: ClinicRequest) -> HttpResponse:
    own = selectors.clinic_practitioner_of(request.membership)
    services = Service.objects.filter(clinic=request.clinic).prefetch_related(
        Prefetch("practitioners", queryset=Practitioner.objects.order_by("display_name"))
    )
    labels = {platform.key: platform.label for platform in hooks.meeting_platforms(request.clinic, own)}
    rows = [
        {
            "service": s,
            "editable": _may_edit(request, s, own),
            "platform": labels.get(s.meeting_platform, s.meeting_platform),
        }
        for s in services
    ]
    return render(request, "bookings/services/list.html", {"rows": rows})


@editors_only
def service_edit(request: ClinicRequest, service_id: int | None = None) -> HttpResponse:
    service = _editable_service(request, service_id) if service_id else Service(clinic=request.clinic)
    form = ServiceForm(
        request.POST or None,
        instance=service,
        clinic=request.clinic,
        practitioner=selectors.clinic_practitioner_of(request.membership),
        back_to=request.get_full_path(),
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            service = form.save()
        messages.success(request, f"Saved “{service.name}”.")
        return redirect("clinic_services", clinic_slug=request.clinic.slug)
    return render(request, "bookings/services/edit.html", {"form": form, "service": service})


@editors_only
@require_POST
def service_toggle(request: ClinicRequest, service_id: int) -> HttpResponse:
    """Deactivate (or bring back) a service; its bookings stay as they are."""
    service = _editable_service(request, service_id)
    service.is_active = not service.is_active
    service.save(update_fields=["is_active"])
    state = "is bookable again" if service.is_active else "is no longer offered; existing bookings are kept"
    messages.success(request, f"“{service.name}” {state}.")
    return redirect("clinic_services", clinic_slug=request.clinic.slug)
