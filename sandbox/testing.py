"""Helpers for tests that go through the emulated consent pages over real HTTP."""

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlsplit

import requests

from . import world

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def answer_consent(
    authorize_url: str,
    *,
    email: str | None = None,
    decision: str = "approve",
    session: requests.Session | None = None,
) -> str:
    """Open an emulated authorize URL, allow (or deny) as `email`, and return where it redirects to."""
    session = session or requests.Session()
    page = session.get(authorize_url, timeout=10)
    page.raise_for_status()
    match = CSRF_FIELD.search(page.text)
    if match is None:
        raise AssertionError("The consent page has no CSRF-protected form.")
    service = urlsplit(authorize_url).path.split("/sandbox/", 1)[1].split("/", 1)[0]
    answer = session.post(
        authorize_url,
        data={
            "csrfmiddlewaretoken": match.group(1),
            "email": email or world.DEFAULT_EMAILS[service],
            "decision": decision,
        },
        headers={"Referer": authorize_url},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code != 302:
        raise AssertionError(f"The consent page answered {answer.status_code}, not a redirect.")
    return answer.headers["Location"]


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
