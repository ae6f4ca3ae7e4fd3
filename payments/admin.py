import re

from django.contrib import admin
from django.http import HttpRequest

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


PHONE_IN_BODY = re.compile(r"(?<!\d)(254|0)(\d{6,9})(\d{3})(?!\d)")


def masked_body(text: str) -> str:
    """The raw callback with every phone number's digits hidden but the last three."""
    return PHONE_IN_BODY.sub(lambda m: "•" * (len(m.group(0)) - 3) + m.group(3), text)


@admin.register(Callback)
class CallbackAdmin(admin.ModelAdmin):
    list_display = ["kind", "clinic", "external_id", "status", "source_ip", "received_at"]
    list_filter = ["kind", "status"]
    exclude = ["body"]
    readonly_fields = ["body_masked"]

    @admin.display(description="Body (phone numbers masked)")
    def body_masked(self, obj: Callback) -> str:
        return masked_body(obj.body)

    def has_change_permission(self, request: HttpRequest, obj: Callback | None = None) -> bool:
        return False


@admin.register(DarajaAudit)
class DarajaAuditAdmin(admin.ModelAdmin):
    list_display = ["operation", "clinic", "status_code", "error_code", "duration_ms", "created_at"]

    def has_change_permission(self, request: HttpRequest, obj: DarajaAudit | None = None) -> bool:
        return False
