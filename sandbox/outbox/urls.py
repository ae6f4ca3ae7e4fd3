from django.urls import path

from . import views

urlpatterns = [
    path("", views.outbox, name="sandbox_outbox"),
    path("emails/<int:email_id>/", views.email_html, name="sandbox_outbox_email"),
]
