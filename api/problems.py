"""Errors as RFC 9457 problem details, each with a stable `code` clients can branch on."""

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from bookings.errors import BookingError, InvalidTransition, OutsideCutoff, SlotTaken, SlotUnavailable
from payments.stk import PaymentRefused

from .renderers import dumps

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

E = TypeVar("E", bound=Exception)


class ApiProblem(Exception):
    def __init__(
        self, status: int, code: str, title: str, detail: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail or title)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


def problem_body(status: int, code: str, title: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    # A URN names the problem type for good without promising a page at that address (RFC 9457, section 3.1.1).
    body = {"type": f"urn:clinicpro:problem:{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return body


def problem_response(
    status: int, code: str, title: str, detail: str = "", headers: dict[str, str] | None = None, **extra: Any
) -> HttpResponse:
    response = HttpResponse(
        dumps(problem_body(status, code, title, detail, **extra)), status=status, content_type=PROBLEM_MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# Booking rules broken, by exception class: (status, code, title).
BOOKING_ERRORS: list[tuple[type[BookingError], int, str, str]] = [
    (SlotTaken, 409, "slot_taken", "The time is taken"),
    (SlotUnavailable, 422, "slot_unavailable", "The time is not offered"),
    (OutsideCutoff, 409, "outside_cutoff", "Too close to the appointment"),
    (InvalidTransition, 409, "invalid_transition", "The booking cannot change that way"),
    (BookingError, 422, "booking_refused", "The booking was refused"),
]


def booking_problem(exc: BookingError) -> ApiProblem:
    for cls, status, code, title in BOOKING_ERRORS:
        if isinstance(exc, cls):
            return ApiProblem(status, code, title, str(exc))
    raise AssertionError("BookingError is always matched")  # pragma: no cover


# Payment prompts refused, by PaymentRefused.code: (status, title). The detail is the refusal's own sentence.
PAYMENT_REFUSALS: dict[str, tuple[int, str]] = {
    "invoice_paid": (409, "The invoice is paid"),
    "invoice_not_payable": (409, "The invoice takes no payment now"),
    "prompt_pending": (409, "A payment prompt is already open"),
    "mpesa_not_configured": (409, "The clinic does not take M-Pesa online"),
    "invalid_phone": (422, "The phone number cannot pay with M-Pesa"),
    "invalid_amount": (422, "The amount cannot be paid with M-Pesa"),
}


def payment_problem(exc: PaymentRefused) -> ApiProblem:
    status, title = PAYMENT_REFUSALS.get(exc.code, (409, "The payment prompt was refused"))
    return ApiProblem(status, exc.code if exc.code in PAYMENT_REFUSALS else "payment_refused", title, str(exc))


def _validation_detail(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": [str(part) for part in error.get("loc", [])], "msg": str(error.get("msg", ""))} for error in errors]


def _handle(api: NinjaAPI, exc_class: type[E], handler: Callable[[HttpRequest, E], HttpResponse]) -> None:
    # django-ninja types a handler's argument as `E | type[E]`, yet only ever calls it with the exception raised.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def install(api: NinjaAPI) -> None:
    """Answer every error of the API as a problem document."""

    def on_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        return problem_response(exc.status, exc.code, exc.title, exc.detail, headers=exc.headers)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(
            422, "invalid_request", "The request is not valid", errors=_validation_detail(list(exc.errors))
        )

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            401,
            "unauthenticated",
            "Authentication required",
            "Send an API key as 'Authorization: Bearer <key>', or sign in.",
            headers={"WWW-Authenticate": 'Bearer realm="ClinicPro"'},
        )

    def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return problem_response(403, "forbidden", "Not allowed", str(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(404, "not_found", "Not found", str(exc) or "No such resource.")

    def on_booking_error(request: HttpRequest, exc: BookingError) -> HttpResponse:
        return on_problem(request, booking_problem(exc))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = "csrf_failed" if "CSRF" in str(exc) else "http_error"
        return problem_response(exc.status_code, code, str(exc))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API request failed: %s %s", request.method, request.path)
        return problem_response(500, "server_error", "Something went wrong on our side")

    _handle(api, ApiProblem, on_problem)
    _handle(api, ValidationError, on_validation)
    _handle(api, AuthenticationError, on_unauthenticated)
    _handle(api, AuthorizationError, on_forbidden)
    _handle(api, Http404, on_not_found)
    _handle(api, BookingError, on_booking_error)
    _handle(api, HttpError, on_http_error)
    _handle(api, Exception, on_unexpected)
