from django.urls import path

from .views import dashboard

urlpatterns = [
    path("c/<slug:clinic_slug>/", dashboard.dashboard, name="clinic_dashboard"),
]
