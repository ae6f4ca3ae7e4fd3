"""Django admin for practitioners, services, availability, patients and bookings.

Platform superusers see every clinic. Other staff see only the clinics they are
members of: every list, every related-object choice and every filter is scoped.
Bookings change only through the lifecycle services (so patients, meetings and
payments hear about it): their times and status are read-only here, and the one
action, cancelling, goes through `booking_cancel`.
"""

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from clinicpro.models import Clinic, Membership

from .errors import BookingError
from .models import AvailabilityException, Booking, Patient, Practitioner, Service, WorkingHours
from .services import booking_cancel


def member_clinic_ids(request: HttpRequest) -> list[int]:
    """Clinics the signed-in staff member belongs to, read once per request."""
    if not hasattr(request, "_admin_clinic_ids"):
        ids = list(Membership.objects.filter(user=cast(User, request.user)).values_list("clinic_id", flat=True))
        request._admin_clinic_ids = ids  # type: ignore[attr-defined]
    return request._admin_clinic_ids  # type: ignore[attr-defined]


def scope_to_member_clinics(request: HttpRequest, queryset: QuerySet, clinic_path: str = "clinic") -> QuerySet:
    if request.user.is_superuser:
        return queryset
    return queryset.filter(**{f"{clinic_path}__in": member_clinic_ids(request)})


def scoped_choices(request: HttpRequest, model: type[Model]) -> QuerySet | None:
    """The objects of `model` a staff member may pick in a form, or None when `model` has no clinic."""
    if model is Clinic:
        return scope_to_member_clinics(request, Clinic.objects.all(), "pk")
    if any(field.name == "clinic" for field in model._meta.get_fields()):
        return scope_to_member_clinics(request, model._default_manager.all())
    return None


class ClinicScopedMixin:
    """Limits rows and related choices to the staff member's clinics."""

    clinic_path = "clinic"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scope_to_member_clinics(request, super().get_queryset(request), self.clinic_path)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        choices = scoped_choices(request, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class AvailabilityExceptionInline(admin.TabularInline):
    model = AvailabilityException
    extra = 0
    fields = ["date", "kind", "start_time", "end_time", "note"]


@admin.register(Practitioner)
class PractitionerAdmin(ClinicScopedMixin, admin.ModelAdmin):
    list_display = ["display_name", "clinic", "specialty", "user_email", "zone_name", "is_active"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["display_name", "specialty", "membership__user__email", "clinic__name"]
    list_select_related = ["clinic", "membership__user"]
    inlines = [WorkingHoursInline, AvailabilityExceptionInline]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "membership":
            kwargs["queryset"] = scope_to_member_clinics(request, Membership.objects.select_related("user", "clinic"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Email", ordering="membership__user__email")
    def user_email(self, obj: Practitioner) -> str:
        return obj.membership.user.email

    @admin.display(description="Timezone")
    def zone_name(self, obj: Practitioner) -> str:
        return obj.timezone or f"{obj.clinic.timezone} (clinic)"


@admin.register(Service)
class ServiceAdmin(ClinicScopedMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "clinic",
        "duration_minutes",
        "price_label",
        "is_online",
        "meeting_platform",
        "confirmation_policy",
        "is_active",
    ]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        "is_online",
        "confirmation_policy",
        "is_active",
    ]
    search_fields = ["name", "description", "clinic__name"]
    list_select_related = ["clinic"]
    filter_horizontal = ["practitioners"]
    readonly_fields = ["created_at"]

    @admin.display(description="Price", ordering="price")
    def price_label(self, obj: Service) -> str:
        return "Free" if obj.is_free else f"KES {obj.price:,}"


class PatientBookingInline(admin.TabularInline):
    model = Booking
    extra = 0
    fields = ["starts_at", "service", "practitioner", "status"]
    readonly_fields = ("starts_at", "service", "practitioner", "status")
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("service", "practitioner")


@admin.register(Patient)
class PatientAdmin(ClinicScopedMixin, admin.ModelAdmin):
    list_display = ["name", "email", "phone", "clinic", "user", "created_at"]
    list_filter = [("clinic", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "email", "phone", "user__email"]
    list_select_related = ["clinic", "user"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]
    inlines = [PatientBookingInline]


@admin.register(Booking)
class BookingAdmin(ClinicScopedMixin, admin.ModelAdmin):
    list_display = ["starts_at", "local_time", "patient", "service", "practitioner", "clinic", "status", "price"]
    list_filter = [
        ("clinic", admin.RelatedOnlyFieldListFilter),
        "status",
        ("service", admin.RelatedOnlyFieldListFilter),
        ("practitioner", admin.RelatedOnlyFieldListFilter),
        "is_online",
    ]
    search_fields = ["patient__name", "patient__email", "patient__phone", "=token"]
    date_hierarchy = "starts_at"
    list_select_related = ["clinic", "service", "practitioner", "patient"]
    ordering = ["-starts_at"]
    actions = ["cancel_bookings"]
    readonly_fields = [
        "clinic",
        "service",
        "practitioner",
        "patient",
        "starts_at",
        "ends_at",
        "local_time",
        "status",
        "hold_expires_at",
        "token",
        "sequence",
        "price",
        "is_online",
        "blocked_from",
        "blocked_until",
        "created_by",
        "cancelled_by",
        "status_reason",
        "created_at",
        "updated_at",
        "confirmed_at",
        "cancelled_at",
    ]
    fieldsets = [
        (None, {"fields": ["clinic", "service", "practitioner", "patient", "status", "notes"]}),
        ("Time", {"fields": ["starts_at", "ends_at", "local_time", "blocked_from", "blocked_until"]}),
        ("Payment", {"fields": ["price", "hold_expires_at"]}),
        (
            "History",
            {
                "fields": [
                    "token",
                    "sequence",
                    "is_online",
                    "created_by",
                    "created_at",
                    "confirmed_at",
                    "cancelled_at",
                    "cancelled_by",
                    "status_reason",
                    "updated_at",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New bookings need the slot checks and signals of booking_create: the dashboard makes them.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Clinic time", ordering="starts_at")
    def local_time(self, obj: Booking) -> str:
        return f"{obj.local_starts_at:%a %d %b %Y %H:%M} {obj.clinic.timezone}"

    @admin.action(description="Cancel selected bookings (patients and meetings are told)")
    def cancel_bookings(self, request: HttpRequest, queryset: QuerySet) -> None:
        cancelled, refused = 0, []
        for booking in queryset:
            try:
                booking_cancel(booking=booking, reason="Cancelled by the clinic.")
                cancelled += 1
            except BookingError as exc:
                refused.append(f"{booking.patient} at {self.local_time(booking)}: {exc}")
        if cancelled:
            self.message_user(request, f"{cancelled} booking(s) cancelled.")
        for reason in refused:
            self.message_user(request, reason, level=messages.WARNING)
