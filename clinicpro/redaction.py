"""Keep bearer tokens out of logs: the links patients, practitioners and invitees hold are their keys."""

import logging
import re

REDACTED = "[redacted]"

# Path segments that are secrets, and query parameters that carry OAuth codes or tokens; also
# percent-encoded, as they appear inside a ?next= or a Referer.
_SLASH = r"(?:/|%2[Ff])"
_END = r"(?=/|%2[Ff]|[?#&\s\"']|%3[Ff]|%26|$)"
_SECRET_PATHS = re.compile(
    rf"(?P<prefix>{_SLASH}(?:b|j|invite|feeds|accounts{_SLASH}confirm-email|accounts{_SLASH}password{_SLASH}reset{_SLASH}key){_SLASH})"
    rf"(?P<secret>(?:(?!%2[Ff]|%3[Ff]|%26)[^/?#&\s\"'])+?)(?P<suffix>\.ics)?{_END}"
)
_SECRET_PARAMS = re.compile(
    r"(?P<name>(?:[?&]|%3[Ff]|%26)(?:code|state|token|zak|key|jwt|access_token|id_token)(?:=|%3[Dd]))"
    r"(?:(?!%26)[^&#\s\"'])*"
)


def redact(text: str) -> str:
    """`text` with every secret path segment and OAuth query value replaced by [redacted]."""
    text = _SECRET_PATHS.sub(lambda m: f"{m['prefix']}{REDACTED}{m['suffix'] or ''}", text)
    return _SECRET_PARAMS.sub(lambda m: f"{m['name']}{REDACTED}", text)


class RedactTokensFilter(logging.Filter):
    """A handler filter: rewrites each record's message with the secrets taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
