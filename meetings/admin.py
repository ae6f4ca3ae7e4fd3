"""Admin for platform staff: clinic meeting settings, meetings with their audit trail, and the trail itself.

Secrets (the Jitsi app secret, host links, passcodes) are shown masked and can
be replaced, never read. The audit trail is read-only everywhere.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from clinicpro.admin_secrets import MaskedSecretsAdminMixin

from .forms import MeetingSettingsForm
from .models import ClinicMeetingSettings, Meeting, MeetingEvent


class ReadOnlyAdminMixin:
    """Audit rows are written by the meetings services only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


EVENT_FIELDS = ("created_at", "action", "provider", "outcome", "duration_ms", "actor", "detail", "error")


@admin.register(ClinicMeetingSettings)
class ClinicMeetingSettingsAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    # The owners' form: the same validation (https room server, connectionless backup) for staff.
    form = MeetingSettingsForm
    fields = ("clinic", *MeetingSettingsForm.Meta.fields)
    list_display = ("clinic", "default_provider", "fallback_provider", "base_url", "uses_jwt", "updated_at")
    list_filter = ("default_provider", "fallback_provider")
    search_fields = ("clinic__name", "clinic__slug", "base_url")
    list_select_related = ("clinic",)
    raw_id_fields = ("clinic",)

    @admin.display(boolean=True, description="Signed tokens")
    def uses_jwt(self, obj: ClinicMeetingSettings) -> bool:
        return obj.uses_jwt


class MeetingEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MeetingEvent
    fk_name = "meeting"
    fields = EVENT_FIELDS
    readonly_fields = EVENT_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(MaskedSecretsAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only: meetings change through the meetings services, which keep the audit trail."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    list_display = (
        "id",
        "booking_link",
        "clinic",
        "provider",
        "status",
        "is_current",
        "is_fallback",
        "attempts",
        "created_at",
    )
    list_filter = ("status", "provider", "is_fallback", "is_current")
    search_fields = ("booking__token", "external_id", "booking__clinic__slug")
    list_select_related = ("booking__clinic",)
    date_hierarchy = "created_at"
    inlines = [MeetingEventInline]

    @admin.display(description="Booking", ordering="booking__starts_at")
    def booking_link(self, obj: Meeting) -> str:
        return f"#{obj.booking_id} at {obj.booking.starts_at:%Y-%m-%d %H:%M} UTC"

    @admin.display(description="Clinic", ordering="booking__clinic__name")
    def clinic(self, obj: Meeting) -> str:
        return obj.booking.clinic.name


@admin.register(MeetingEvent)
class MeetingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "booking_id", "meeting_id", "action", "provider", "outcome", "duration_ms", "actor")
    list_filter = ("action", "outcome", "provider")
    search_fields = ("booking__token", "meeting__external_id", "actor")
    date_hierarchy = "created_at"
    fields = ("booking", "meeting", *EVENT_FIELDS)
    readonly_fields = ("booking", "meeting", *EVENT_FIELDS)
