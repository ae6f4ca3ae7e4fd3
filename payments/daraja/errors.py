"""Daraja's error codes and result codes, in words a receptionist understands.

Sources: Daraja's published error and result codes (see the README's M-Pesa section).
"""

from dataclasses import dataclass

# ResultCode of an STK callback or STK Query: what happened on the patient's phone.
RESULT_CODES: dict[str, str] = {
    "0": "Paid.",
    "1": "The M-Pesa balance was not enough for this payment.",
    "2": "The amount is below the M-Pesa minimum for a transaction.",
    "3": "The amount is above the M-Pesa maximum for a transaction.",
    "4": "The payment would pass the daily M-Pesa limit of this phone.",
    "8": "The payment would pass the M-Pesa account's limit.",
    "17": "The same amount was paid from this phone less than two minutes ago. Wait two minutes and try again.",
    "1001": "The phone is busy with another M-Pesa transaction. Wait a moment and try again.",
    "1019": "The payment request expired before it was answered.",
    "1025": "M-Pesa could not send the payment prompt to the phone. Try again.",
    "1032": "The payment was cancelled on the phone.",
    "1037": "The phone could not be reached or the prompt timed out. Check the phone is on and try again.",
    "2001": "The M-Pesa PIN was wrong.",
    "9999": "M-Pesa could not send the payment prompt to the phone. Try again.",
}

# errorCode of a refused API request: what is wrong on our side or Safaricom's.
ERROR_CODES: dict[str, str] = {
    "400.002.02": "M-Pesa refused a field of the request.",
    "400.002.01": "M-Pesa refused the request: the access token is missing or malformed.",
    "400.003.01": "M-Pesa refused the request as malformed.",
    "404.001.01": "M-Pesa does not know this resource.",
    "404.001.03": "M-Pesa refused the access token; a new one is needed.",
    "404.001.04": "M-Pesa refused the request: the Authorization header is missing.",
    "500.001.1001": "M-Pesa refused the request (wrong credentials, unknown shortcode, or the phone is busy).",
    "500.002.1001": "M-Pesa had an internal error. Try again shortly.",
    "500.003.02": "M-Pesa is receiving too many requests (spike arrest). Try again in a few seconds.",
    "500.003.03": "The M-Pesa API quota of this shortcode is used up for now. Try again later.",
    "500.003.1001": "The payment URLs are already registered for this shortcode.",
    "oauth.invalid_credentials": "M-Pesa refused the consumer key or secret. Check both in the M-Pesa settings.",
    "http.unreachable": "M-Pesa could not be reached. Try again shortly.",
    "http.bad_response": "M-Pesa answered with something that is not a valid response. Try again shortly.",
}

# errorMessage texts of 500.001.1001 that mean something more precise than the code.
MESSAGE_HINTS: tuple[tuple[str, str], ...] = (
    ("being processed", "The payment is still waiting for an answer on the phone."),
    ("unable to lock subscriber", "The phone is busy with another M-Pesa transaction. Wait a minute and try again."),
    ("wrong credentials", "M-Pesa refused the shortcode and passkey. Check both in the M-Pesa settings."),
    ("merchant does not exist", "M-Pesa does not know this shortcode. Check it in the M-Pesa settings."),
    ("invalid phonenumber", "M-Pesa refused the phone number. Use a Safaricom number such as 0712 345 678."),
    ("invalid amount", "M-Pesa refused the amount (whole shillings from 1 to 250,000)."),
    ("invalid callbackurl", "M-Pesa refused the callback address: it must be public and use HTTPS."),
    ("invalid businessshortcode", "M-Pesa refused the shortcode (or the request was not sent as JSON)."),
    ("invalid access token", "M-Pesa refused the access token; a new one is needed."),
    ("already registered", "The payment URLs are already registered for this shortcode."),
)

BEING_PROCESSED = "being processed"


def describe_result_code(code: str | int | None) -> str:
    """A sentence for a ResultCode (callback or query), unknown codes included."""
    key = str(code).strip() if code is not None else ""
    return RESULT_CODES.get(key, f"M-Pesa did not complete the payment (code {key or 'unknown'}).")


def describe_error_code(code: str, message: str = "") -> str:
    """A sentence for an API errorCode, made more precise by the errorMessage when it says more."""
    lowered = message.lower()
    for fragment, sentence in MESSAGE_HINTS:
        if fragment in lowered:
            return sentence
    if code in ERROR_CODES:
        return ERROR_CODES[code]
    return f"M-Pesa refused the request ({code or 'no code'}{': ' + message if message else ''})."


@dataclass
class DarajaError(Exception):
    """A refused or failed Daraja call. `explanation` is fit to show to clinic staff."""

    code: str
    message: str = ""
    http_status: int | None = None
    # Worth trying again later with the same request (spike arrest, 5xx, network).
    retryable: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.explanation)

    @property
    def explanation(self) -> str:
        return describe_error_code(self.code, self.message)

    @property
    def is_being_processed(self) -> bool:
        """STK Query's answer while the prompt is still open: pending, not failed."""
        return BEING_PROCESSED in self.message.lower()

    @property
    def is_invalid_token(self) -> bool:
        return self.code == "404.001.03"


class InvalidRequest(ValueError):
    """A request we refuse to send: the message says which field and why, in plain words."""
