from .audit import DarajaAudit
from .callbacks import Callback, CallbackKind, CallbackStatus
from .invoice import InvalidInvoiceTransition, Invoice, InvoiceStatus, normalise_reference
from .mpesa_settings import AccountType, Environment, MpesaSettings
from .payment import AttemptStatus, Payment, PaymentSource, StkAttempt

__all__ = [
    "AccountType",
    "AttemptStatus",
    "Callback",
    "CallbackKind",
    "CallbackStatus",
    "DarajaAudit",
    "Environment",
    "InvalidInvoiceTransition",
    "Invoice",
    "InvoiceStatus",
    "MpesaSettings",
    "Payment",
    "PaymentSource",
    "StkAttempt",
    "normalise_reference",
]
