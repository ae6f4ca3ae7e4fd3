from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.integrations_page, name="page"),
    path("integrations/callback/<str:provider>/", views.callback, name="callback"),
    path("integrations/<str:provider>/clinic/", views.clinic_account, name="clinic_account"),
    path("integrations/<str:provider>/connect/", views.connect, name="connect"),
    path("integrations/<str:provider>/disconnect/", views.disconnect, name="disconnect"),
]
