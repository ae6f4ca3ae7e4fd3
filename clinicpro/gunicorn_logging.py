"""gunicorn's access log without the tokens in request lines, query strings, Referer or Location."""

from typing import Any

from gunicorn.glogging import Logger

from .redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in super().atoms(resp, req, environ, request_time).items()
        }
