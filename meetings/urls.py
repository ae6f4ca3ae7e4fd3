from django.urls import path

from .views import configuration, join, regenerate

urlpatterns = [
    # No trailing slash: the link is pasted into SMS and calendar invites, where shorter is better.
    path("j/<token:token>", join.meeting_join, name="meeting_join"),
    path("c/<slug:clinic_slug>/settings/meetings/", configuration.meeting_settings, name="clinic_meeting_settings"),
    path(
        "c/<slug:clinic_slug>/bookings/<int:booking_id>/meeting/regenerate/",
        regenerate.regenerate,
        name="clinic_meeting_regenerate",
    ),
]
