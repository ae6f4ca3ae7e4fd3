"""Mounted at /sandbox/ only when SANDBOX_ENABLED (see clinicpro/urls.py)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.control, name="sandbox_control"),
    path("faults/", views.faults_api, name="sandbox_faults"),
    path("faults/<int:fault_id>/", views.fault_api, name="sandbox_fault"),
    path("google/", include("sandbox.google.urls")),
    path("zoom/", include("sandbox.zoom.urls")),
    path("microsoft/", include("sandbox.microsoft.urls")),
    path("webhooks/", include("sandbox.webhooks.urls")),
]
