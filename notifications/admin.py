from django.contrib import admin

from clinicpro.admin_secrets import MaskedSecretsAdminMixin

from .models import ClinicMessaging, DeliveryReport, Message, OptOut


@admin.register(ClinicMessaging)
class ClinicMessagingAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    list_display = ["clinic", "email_enabled", "sms_enabled", "whatsapp_enabled", "sms_sender"]
    exclude = ["report_secret"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "clinic", "kind", "channel", "to", "status", "attempts", "parts"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["to", "provider_message_id"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ["clinic", "channel", "address", "source", "created_at"]


@admin.register(DeliveryReport)
class DeliveryReportAdmin(admin.ModelAdmin):
    list_display = ["received_at", "clinic", "vendor", "kind", "external_id", "state"]
    readonly_fields = ["clinic", "vendor", "kind", "external_id", "payload", "state", "received_at"]
