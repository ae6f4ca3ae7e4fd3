from django.urls import path

from . import views

urlpatterns = [
    path("graph/v1.0/me", views.me_view, name="graph_me"),
    path("graph/v1.0/me/events", views.events_view, name="graph_events"),
    path("graph/v1.0/me/events/<str:event_id>", views.event_view, name="graph_event"),
    path("graph/v1.0/me/onlineMeetings/createOrGet", views.create_or_get_view, name="graph_create_or_get"),
    path("graph/v1.0/me/onlineMeetings/<str:meeting_id>", views.meeting_view, name="graph_online_meeting"),
    path("<str:tenant>/oauth2/v2.0/authorize", views.authorize, name="microsoft_authorize"),
    path("<str:tenant>/oauth2/v2.0/token", views.token_view, name="microsoft_token"),
]
