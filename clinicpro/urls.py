from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from . import health, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    *([] if settings.GOOGLE_LOGIN_ENABLED else [re_path(r"^accounts/google/", views.not_found)]),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", views.dashboard_home, name="dashboard_home"),
    path("", include("clinicpro.urls_members")),
    path("", include("bookings.urls")),
    path("", include("meetings.urls")),
    path("", include("integrations.urls")),
    path("", include("payments.urls")),
    path("", include("notifications.urls")),
    path("anymail/", include("anymail.urls")),
    path("", include("api.urls")),
]

if settings.SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("sandbox.urls")))
