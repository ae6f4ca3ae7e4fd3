from django.urls import path

from . import views

urlpatterns = [
    path("oauth/authorize", views.authorize, name="zoom_authorize"),
    path("oauth/token", views.token_view, name="zoom_token"),
    path("oauth/revoke", views.revoke_view, name="zoom_revoke"),
    path("v2/users/<str:user_id>", views.user_view, name="zoom_user"),
    path("v2/users/<str:user_id>/meetings", views.user_meetings_view, name="zoom_user_meetings"),
    path("v2/meetings/<str:meeting_id>", views.meeting_view, name="zoom_meeting"),
]
