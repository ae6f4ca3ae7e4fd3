from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:clinic_slug>/members/", views.members, name="clinic_members"),
    path("c/<slug:clinic_slug>/members/invite/", views.member_invite, name="clinic_member_invite"),
    path("c/<slug:clinic_slug>/members/<int:membership_id>/role/", views.member_change_role, name="clinic_member_role"),
    path("c/<slug:clinic_slug>/members/<int:membership_id>/remove/", views.member_remove, name="clinic_member_remove"),
    path(
        "c/<slug:clinic_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="clinic_invitation_revoke",
    ),
    path("invite/<token:token>/", views.accept_invitation, name="accept_invitation"),
]
