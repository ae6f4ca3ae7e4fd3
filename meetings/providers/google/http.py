"""httplib2's interface over our outbound session, for google-api-python-client.

googleapiclient speaks to an `httplib2.Http`; handing it this adapter instead
keeps Google calls on `clinicpro.http.http_session()` (mandatory timeout, our
user agent, logging without secrets), with the bearer token set here.
"""

from typing import Any

import httplib2
import requests

from clinicpro.http import http_session

# requests has already decoded the body; passing these on would describe bytes we no longer have.
_DROPPED_RESPONSE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


class BearerHttp:
    """The one method of `httplib2.Http` that googleapiclient calls, backed by requests."""

    def __init__(self, access_token: str, session: requests.Session | None = None) -> None:
        self.access_token = access_token
        self.session = session or http_session()

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> tuple[httplib2.Response, bytes]:
        outgoing = {key: value for key, value in (headers or {}).items() if key.lower() != "user-agent"}
        outgoing["authorization"] = f"Bearer {self.access_token}"
        response = self.session.request(method, uri, data=body, headers=outgoing, allow_redirects=redirections > 0)
        info: dict[str, str] = {
            key.lower(): value
            for key, value in response.headers.items()
            if key.lower() not in _DROPPED_RESPONSE_HEADERS
        }
        info["status"] = str(response.status_code)
        return httplib2.Response(info), response.content
