"""What every operation shares: the errors it may answer, the Idempotency-Key header of POSTs."""

from ..schemas import Problem

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem}

IDEMPOTENCY_DOC = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "A unique value per request (a UUID); a retry with the same key gets the first answer.",
        }
    ]
}
