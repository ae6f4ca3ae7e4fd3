"""The outbound HTTP session: a timeout on every call, our user agent, logs without secrets."""

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from clinicpro.http import http_session


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def echo_server():
    """A real HTTP server that answers with the User-Agent it received."""

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = self.headers.get("User-Agent", "").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_call_with_the_timeout_switched_off_is_refused(echo_server):
    with pytest.raises(ValueError, match="timeout"):
        http_session().get(echo_server, timeout=None)


def test_a_call_without_a_timeout_gets_the_default_and_gives_up(silent_server, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.3
    with pytest.raises(requests.Timeout):
        http_session().get(silent_server)


def test_every_call_carries_our_user_agent(echo_server, settings):
    assert http_session().get(echo_server).text == settings.HTTP_USER_AGENT


@pytest.mark.django_db
def test_the_log_names_method_host_status_and_duration_but_never_the_query(live_server, caplog):
    caplog.set_level(logging.DEBUG)  # even at debug level, nothing logs the URL's query string
    response = http_session().get(f"{live_server.url}/healthz?token=s3cr3t-t0ken", headers={"X-Api-Key": "k3y-v4lue"})
    assert response.status_code in (200, 503)
    host = live_server.url.split("://", 1)[1]
    lines = [r.getMessage() for r in caplog.records if r.name == "clinicpro.http"]
    assert len(lines) == 1
    method, logged_host, status, duration = lines[0].split()[1:5]
    assert (method, logged_host, status) == ("GET", host, str(response.status_code))
    assert duration.endswith("ms")
    assert "s3cr3t" not in caplog.text and "k3y-v4lue" not in caplog.text


def test_a_failed_call_logs_the_error_type_without_the_url(silent_server, caplog, settings):
    settings.HTTP_TIMEOUT_SECONDS = 0.2
    caplog.set_level(logging.DEBUG)
    with pytest.raises(requests.Timeout):
        http_session().post(f"{silent_server}/token?refresh_token=s3cr3t", data={"client_secret": "s3cr3t"})
    assert "ReadTimeout" in caplog.text
    assert "s3cr3t" not in caplog.text
