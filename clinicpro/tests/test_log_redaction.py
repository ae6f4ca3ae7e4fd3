"""Tokens in links never reach a log: not gunicorn's access log, not Django's request log."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from clinicpro.http import http_session
from clinicpro.redaction import redact

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-T0KEN_value"
SECRET_URLS = [
    f"/b/{SECRET}/",
    f"/b/{SECRET}/booking.ics",
    f"/j/{SECRET}",
    f"/feeds/{SECRET}.ics",
    f"/invite/{SECRET}/",
    f"/integrations/callback/google/?code={SECRET}&state={SECRET}",
    f"/accounts/confirm-email/{SECRET}/",
    f"/sandbox/room/abcdefgh?jwt={SECRET}",
    f"/accounts/login/?next=/integrations/callback/google/%3Fcode%3D{SECRET}%26state%3D{SECRET}",
    f"/accounts/login/?next=%2Fb%2F{SECRET}%2F",
]


@pytest.mark.parametrize("url", SECRET_URLS)
def test_redact_takes_the_secret_out_and_keeps_the_shape(url):
    cleaned = redact(f'"GET {url} HTTP/1.1" 404')
    assert SECRET not in cleaned
    assert "[redacted]" in cleaned
    assert cleaned.startswith('"GET /')


def test_redact_leaves_ordinary_paths_alone():
    line = '"GET /book/uhuru/?service=3&slot=2026-01-05T09:00:00%2B03:00 HTTP/1.1" 200'
    assert redact(line) == line


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_gunicorns_access_log_from_the_shipped_config_has_no_tokens():
    port = _free_port()
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinicpro.test_settings",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", "1", "clinicpro.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        session = http_session(timeout=15)
        deadline = time.monotonic() + 30
        while True:
            try:
                session.get(f"http://127.0.0.1:{port}/healthz")
                break
            except requests.ConnectionError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        for url in SECRET_URLS:
            session.get(f"http://127.0.0.1:{port}{url}", headers={"Referer": f"http://x/b/{SECRET}/"})
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0].decode()
    access_lines = [line for line in output.splitlines() if '"GET ' in line]
    assert len(access_lines) >= len(SECRET_URLS) + 1
    assert "[redacted]" in output
    assert SECRET not in output


def test_djangos_request_log_goes_through_the_redacting_handler(client, db):
    handler = next(h for h in logging.getLogger("django.request").parent.handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.get(f"/b/{SECRET}/")
        client.get(f"/invite/{SECRET}/")
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "Not Found: /b/[redacted]/" in logged
    assert SECRET not in logged
