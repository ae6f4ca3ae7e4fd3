"""The NinjaAPI object behind /api/v1/: routers, authentication, problem details, OpenAPI document."""

from typing import Any

from django.conf import settings
from ninja import NinjaAPI

from . import problems
from .auth import ApiKeyAuth, MemberSessionAuth
from .views import bookings, catalog, integrations, invoices

DESCRIPTION = """\
ClinicPro's API for one clinic: its services, practitioners and slots, bookings and their
lifecycle, online meetings, invoices and M-Pesa payments, and integration status.

**Authentication.** Send a clinic's API key as `Authorization: Bearer cpk_...` (owners create keys
under the clinic's dashboard, *API keys*). Signed-in members may use their session instead (unsafe
methods then need the `X-CSRFToken` header, and members of several clinics name one in `X-Clinic`).

**Conventions.** Errors are RFC 9457 problem details (`application/problem+json`) with a stable
`code`. Every POST needs an `Idempotency-Key` header: a retry with the same key gets the first
answer, the same key with another body is refused with 422 (`idempotency_key_reused`), and a retry
while the first request still waits on M-Pesa gets 409 (`idempotency_key_in_progress`, with
Retry-After). Times are ISO 8601 with the clinic's UTC offset; times sent must carry an offset. Each
key may make `API_RATE_LIMIT_PER_MINUTE` requests a minute; past it, 429 with `Retry-After`. Phone
numbers of payments show only their last three digits.

**Problem codes** (`type` is `urn:clinicpro:problem:<code>`): `unauthenticated` 401, `forbidden` and
`read_only_key` and `csrf_failed` 403, `not_found`, `no_meeting` and `no_invoice` 404, `invalid_request`,
`invalid_date_range`, `slot_unavailable`, `booking_refused`, `invalid_phone`, `invalid_amount` and
`idempotency_key_reused` 422, `idempotency_key_required`, `invalid_cursor` and `clinic_required` 400,
`slot_taken`, `outside_cutoff`, `invalid_transition`, `invoice_paid`, `invoice_not_payable`,
`prompt_pending`, `mpesa_not_configured` and `idempotency_key_in_progress` 409, `rate_limited` 429,
`server_error` 500, `mpesa_error` 502 (M-Pesa refused the prompt; the detail says why).
"""


class ClinicProApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Errors are served as application/problem+json: say so in the document."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if str(status).startswith(("4", "5")) and "application/json" in content:
                        content[problems.PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        return schema


api = ClinicProApi(
    title="ClinicPro API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[ApiKeyAuth(), MemberSessionAuth()],
    servers=[{"url": settings.SITE_URL}],
)
problems.install(api)
api.add_router("", catalog.router)
api.add_router("", bookings.router)
api.add_router("", invoices.router)
api.add_router("", integrations.router)
