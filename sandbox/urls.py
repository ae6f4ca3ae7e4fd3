"""Mounted at /sandbox/ only when SANDBOX_ENABLED (see clinicpro/urls.py).

Each registered vendor's emulator (its descriptor's `emulator`) answers under /sandbox/<vendor key>/.
"""

from django.urls import include, path

from integrations.vendors.registry import vendors_where

from . import views

EMULATED = vendors_where(lambda vendor: bool(vendor.emulator))

urlpatterns = [
    path("", views.control, name="sandbox_control"),
    path("faults/", views.faults_api, name="sandbox_faults"),
    path("faults/<int:fault_id>/", views.fault_api, name="sandbox_fault"),
    *(
        path(f"{vendor.key}/", include(vendor.emulator))
        for vendor in vendors_where(lambda vendor: bool(vendor.emulator))
    ),
    path("outbox/", include("sandbox.outbox.urls")),
    path("webhooks/", include("sandbox.webhooks.urls")),
    path("room/", include("sandbox.room.urls")),
]
