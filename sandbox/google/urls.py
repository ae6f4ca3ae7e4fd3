from django.urls import path

from . import views

urlpatterns = [
    path("o/oauth2/v2/auth", views.authorize, name="google_authorize"),
    path("token", views.token_view, name="google_token"),
    path("revoke", views.revoke_view, name="google_revoke"),
    path("oauth2/v3/userinfo", views.userinfo_view, name="google_userinfo"),
    # google-api-python-client built with client_options={"api_endpoint": "<site>/sandbox/google/calendar/v3/"}
    # sends its calls here.
    path("calendar/v3/calendars/<str:calendar_id>/events", views.events_view, name="google_events"),
    path("calendar/v3/calendars/<str:calendar_id>/events/<str:event_id>", views.event_view, name="google_event"),
    path("calendar/v3/freeBusy", views.free_busy_view, name="google_freebusy"),
]
