from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("n/unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
    path(
        "n/reports/africastalking/<str:report_secret>/",
        views.africastalking_report,
        name="notifications_africastalking_report",
    ),
    path(
        "n/inbound/africastalking/<str:report_secret>/",
        views.africastalking_inbound,
        name="notifications_africastalking_inbound",
    ),
    path("n/reports/twilio/<str:report_secret>/", views.twilio_report, name="notifications_twilio_report"),
    path("n/inbound/twilio/<str:report_secret>/", views.twilio_inbound, name="notifications_twilio_inbound"),
    path("c/<slug:clinic_slug>/settings/messages/", settings_views.messaging_settings, name="notifications_settings"),
    path(
        "c/<slug:clinic_slug>/messages/<int:message_id>/resend/",
        views.resend,
        name="notifications_resend",
    ),
]
