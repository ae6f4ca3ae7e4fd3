from django.contrib import admin

from clinicpro.admin_secrets import MaskedSecretsAdminMixin

from .daraja.phones import mask_msisdn
from .models import Callback, DarajaAudit, Invoice, MpesaSettings, Payment, StkAttempt


@admin.register(MpesaSettings)
class MpesaSettingsAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    list_display = ["clinic", "environment", "account_type", "shortcode", "is_enabled", "c2b_registered_at"]
    readonly_fields = ["public_id", "secret_rotated_at", "c2b_registered_at", "last_test_at", "last_test_error"]
    exclude = ["callback_secret", "previous_callback_secret"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["reference", "clinic", "amount", "amount_paid", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference"]
    readonly_fields = ["reference", "amount_paid", "status", "paid_at", "refund_due_at", "needs_review_at"]


@admin.register(StkAttempt)
class StkAttemptAdmin(admin.ModelAdmin):
    list_display = ["checkout_request_id", "clinic", "masked_phone", "amount", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["phone"]

    @admin.display(description="Phone")
    def masked_phone(self, obj: StkAttempt) -> str:
        return mask_msisdn(obj.phone)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "clinic", "invoice", "amount", "source", "received_at"]
    exclude = ["phone"]


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["kind", "clinic", "external_id", "status", "source_ip", "received_at"]
    list_filter = ["kind", "status"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DarajaAudit)
class DarajaAuditAdmin(admin.ModelAdmin):
    list_display = ["operation", "clinic", "status_code", "error_code", "duration_ms", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
