"""What the API reads and writes. Times are ISO 8601 with the clinic's UTC offset."""

from datetime import date, datetime

from ninja import Schema
from pydantic import AwareDatetime, Field


class Problem(Schema):
    """RFC 9457 problem details; `code` is stable and meant for programs."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    errors: list[dict] | None = None


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    duration_minutes: int
    price: int = Field(description="Whole Kenyan shillings; 0 is free.")
    currency: str
    is_online: bool
    is_active: bool
    confirmation_policy: str
    practitioner_ids: list[int]


class PractitionerOut(Schema):
    id: int
    display_name: str
    specialty: str
    bio: str
    timezone: str
    is_active: bool
    service_ids: list[int]


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotsOut(Schema):
    service_id: int
    practitioner_id: int
    slots: list[SlotOut]
    warnings: list[str]


class PatientIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str = Field(min_length=7, max_length=20, description="E.164, or a Kenyan number like 0712 345 678.")


class PatientOut(Schema):
    id: int
    name: str
    email: str
    phone: str


class BookingIn(Schema):
    service_id: int
    practitioner_id: int
    starts_at: AwareDatetime = Field(description="Must carry a UTC offset, e.g. 2026-12-01T09:00:00+03:00.")
    patient: PatientIn
    notes: str = Field(default="", max_length=2000)
    outside_published_slots: bool = Field(
        default=False, description="Book a time outside the published slots (overlaps are refused regardless)."
    )


class BookingOut(Schema):
    id: int
    status: str
    service_id: int
    practitioner_id: int
    patient: PatientOut
    starts_at: datetime
    ends_at: datetime
    hold_expires_at: datetime | None
    price: int
    currency: str
    is_online: bool
    notes: str
    sequence: int
    cancelled_by: str
    status_reason: str
    created_at: datetime
    updated_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None


class BookingPage(Schema):
    items: list[BookingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=300)


class RescheduleIn(Schema):
    starts_at: AwareDatetime
    outside_published_slots: bool = False


class MeetingHistoryOut(Schema):
    provider: str
    status: str
    is_current: bool
    is_fallback: bool
    fallback_reason: str
    created_at: datetime
    cancelled_at: datetime | None


class MeetingOut(Schema):
    booking_id: int
    status: str
    status_label: str
    provider: str
    is_fallback: bool
    notice: str
    join_url: str = Field(description="The patient's ClinicPro join link; it follows the current meeting.")
    host_join_url: str | None = Field(description="The host's join link; null for patient-facing keys.")
    history: list[MeetingHistoryOut]


class IntegrationOut(Schema):
    id: int
    provider: str
    kind: str
    status: str
    practitioner_id: int | None
    account_email: str
    calendar_sync_failing: bool
    updated_at: datetime


class DateRange(Schema):
    start: date
    end: date


MASKED_PHONE = "Every digit but the last three hidden, e.g. •••••••••678."


class PaymentOut(Schema):
    id: int
    source: str = Field(description="stk (M-Pesa prompt), c2b (Paybill or Till) or manual (recorded by staff).")
    amount: int = Field(description="Whole Kenyan shillings.")
    receipt_number: str | None = Field(description="M-Pesa's receipt; null until M-Pesa has given it.")
    phone: str = Field(description=MASKED_PHONE)
    received_at: datetime


class StkAttemptOut(Schema):
    id: int
    invoice_id: int
    amount: int = Field(description="Whole Kenyan shillings asked for on the phone.")
    status: str = Field(description="requesting, pending, succeeded, failed or needs_review.")
    phone: str = Field(description=MASKED_PHONE)
    reason: str = Field(description="What happened, in words (empty while the prompt is open).")
    receipt_number: str | None
    created_at: datetime
    completed_at: datetime | None


class InvoiceOut(Schema):
    id: int
    reference: str = Field(description="The account number a patient types at the Paybill.")
    booking_id: int
    status: str = Field(description="unpaid, pending, paid, cancelled, refund_due or needs_review.")
    status_reason: str
    amount: int = Field(description="Whole Kenyan shillings.")
    amount_paid: int
    amount_due: int
    currency: str
    created_at: datetime
    updated_at: datetime
    paid_at: datetime | None
    cancelled_at: datetime | None
    refund_due_at: datetime | None
    needs_review_at: datetime | None
    attempts: list[StkAttemptOut] = Field(description="M-Pesa prompts sent for it, latest first.")
    payments: list[PaymentOut] = Field(description="Money received for it, latest first.")


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class StkPushIn(Schema):
    phone: str | None = Field(
        default=None,
        min_length=7,
        max_length=20,
        description="The Safaricom number to prompt (0712 345 678, +254 712 345 678); the booking's phone if left out.",
    )
