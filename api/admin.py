"""Platform staff see keys, endpoints and deliveries; never a key's hash or an endpoint's secret."""

from django.contrib import admin
from django.db import models

from clinicpro.admin_secrets import MaskedSecretsAdminMixin

from .models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "clinic", "prefix", "scope", "audience", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "audience"]
    search_fields = ["name", "prefix", "clinic__name"]
    fields = ["clinic", "name", "prefix", "scope", "audience", "created_by", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["clinic", "prefix", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # keys are made by owners, who see them once


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    list_display = ["url", "clinic", "is_active", "disabled_at", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["is_active"]
    search_fields = ["url", "clinic__name"]


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["started_at", "status_code", "latency_ms", "error"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "event_type", "clinic", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "event_type"]
    search_fields = ["message_id", "clinic__name"]
    readonly_fields = [
        "endpoint",
        "clinic",
        "event_type",
        "message_id",
        "body",
        "attempts",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "claimed_at",
    ]
    inlines = [WebhookAttemptInline]
