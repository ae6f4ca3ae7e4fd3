from django.urls import path

from .views import availability, dashboard, manage, patients, public, services

urlpatterns = [
    # Patients: public booking, the manage page behind its token, their own list.
    path("book/<slug:clinic_slug>/", public.book, name="book"),
    path("book/<slug:clinic_slug>/details/", public.details, name="book_details"),
    path("b/<token:token>/", manage.manage, name="booking_manage"),
    path("b/<token:token>/booking.ics", manage.calendar_file, name="booking_ics"),
    path("b/<token:token>/cancel/", manage.cancel, name="booking_cancel"),
    path("b/<token:token>/reschedule/", manage.reschedule, name="booking_reschedule"),
    path("me/bookings/", patients.my_bookings, name="my_bookings"),
    path("feeds/<token:feed_token>.ics", patients.practitioner_feed, name="practitioner_feed"),
    # Clinic dashboards.
    path("c/<slug:clinic_slug>/", dashboard.dashboard, name="clinic_dashboard"),
    path("c/<slug:clinic_slug>/bookings/", dashboard.booking_list, name="clinic_bookings"),
    path("c/<slug:clinic_slug>/bookings/<int:booking_id>/", dashboard.booking_detail, name="clinic_booking"),
    path(
        "c/<slug:clinic_slug>/bookings/<int:booking_id>/reschedule/",
        dashboard.booking_reschedule_view,
        name="clinic_booking_reschedule",
    ),
    path(
        "c/<slug:clinic_slug>/bookings/<int:booking_id>/decline/",
        dashboard.booking_decline_view,
        name="clinic_booking_decline",
    ),
    path(
        "c/<slug:clinic_slug>/bookings/<int:booking_id>/<slug:action>/",
        dashboard.booking_action,
        name="clinic_booking_action",
    ),
    path("c/<slug:clinic_slug>/patients/<int:patient_id>/", dashboard.patient_history, name="clinic_patient"),
    path("c/<slug:clinic_slug>/calendar-feed/", dashboard.feed_regenerate, name="clinic_feed_regenerate"),
    path("c/<slug:clinic_slug>/services/", services.service_list, name="clinic_services"),
    path("c/<slug:clinic_slug>/services/new/", services.service_edit, name="clinic_service_new"),
    path("c/<slug:clinic_slug>/services/<int:service_id>/", services.service_edit, name="clinic_service_edit"),
    path(
        "c/<slug:clinic_slug>/services/new/platforms/",
        services.service_platforms,
        name="clinic_service_new_platforms",
    ),
    path(
        "c/<slug:clinic_slug>/services/<int:service_id>/platforms/",
        services.service_platforms,
        name="clinic_service_platforms",
    ),
    path(
        "c/<slug:clinic_slug>/services/<int:service_id>/active/", services.service_toggle, name="clinic_service_toggle"
    ),
    path("c/<slug:clinic_slug>/availability/", availability.availability, name="clinic_availability"),
    path(
        "c/<slug:clinic_slug>/availability/<int:exception_id>/delete/",
        availability.time_off_delete,
        name="clinic_time_off_delete",
    ),
]
