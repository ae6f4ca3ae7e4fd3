from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.integrations_page, name="page"),
    path("integrations/callback/<str:provider>/", views.callback, name="callback"),
    path("integrations/zoom/clinic/", views.zoom_clinic, name="zoom_clinic"),
    path("integrations/<str:provider>/connect/", views.connect, name="connect"),
    path("integrations/<str:provider>/disconnect/", views.disconnect, name="disconnect"),
]
