"""Responses every operation may give, declared once for the OpenAPI document."""

from ..schemas import Problem

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
WRITE_ERRORS = {**ERRORS, 409: Problem}
