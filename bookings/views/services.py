"""The service editor: owners edit every service, practitioners the services they offer."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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


def _service_form(request: ClinicRequest, service: Service) -> ServiceForm:
    edit_path = (
        reverse("clinic_service_edit", args=[request.clinic.slug, service.pk])
        if service.pk
        else reverse("clinic_service_new", args=[request.clinic.slug])
    )
    return ServiceForm(
        request.POST or None,
        instance=service,
        clinic=request.clinic,
        practitioner=selectors.clinic_practitioner_of(request.membership),
        back_to=edit_path,
    )


def _editor_context(request: ClinicRequest, form: ServiceForm, service: Service) -> dict[str, Any]:
    platforms_url = (
        reverse("clinic_service_platforms", args=[request.clinic.slug, service.pk])
        if service.pk
        else reverse("clinic_service_new_platforms", args=[request.clinic.slug])
    )
    return {"form": form, "service": service, "platforms_url": platforms_url}


def _service_or_new(request: ClinicRequest, service_id: int | None) -> Service:
    return _editable_service(request, service_id) if service_id else Service(clinic=request.clinic)


@editors_only
def service_edit(request: ClinicRequest, service_id: int | None = None) -> HttpResponse:
    service = _service_or_new(request, service_id)
    form = _service_form(request, service)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            service = form.save()
        messages.success(request, f"Saved “{service.name}”.")
        return redirect("clinic_services", clinic_slug=request.clinic.slug)
    return render(request, "bookings/services/edit.html", _editor_context(request, form, service))


@editors_only
@require_POST
def service_platforms(request: ClinicRequest, service_id: int | None = None) -> HttpResponse:
    """The editor's "Where it happens" for the form as it stands, shown live (htmx) before saving; saves nothing."""
    service = _service_or_new(request, service_id)
    context = {**_editor_context(request, _service_form(request, service), service), "live": True}
    return render(request, "bookings/services/_where.html", context)


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
