from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:clinic_slug>/members/", views.members, name="clinic_members"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
