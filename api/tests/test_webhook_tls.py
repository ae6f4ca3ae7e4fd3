"""An https endpoint is reached at its checked address while its certificate is verified for its host name."""

import datetime as dt
import http.server
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone

from api.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from api.webhooks import delivery


def certificate_for(hostname: str, directory) -> tuple[str, str]:
    """A self-signed certificate naming only `hostname` (not 127.0.0.1)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An HTTPS server on 127.0.0.1 whose certificate is trusted for 'localhost' only; it records Host headers."""
    cert, key = certificate_for("localhost", tmp_path)
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", cert)
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_a_pinned_https_delivery_verifies_the_host_names_certificate(tls_receiver, clinic, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    port, seen = tls_receiver
    endpoint = WebhookEndpoint.objects.create(clinic=clinic, url=f"https://localhost:{port}/hook", events=[])
    sent = WebhookDelivery.objects.create(
        endpoint=endpoint, clinic=clinic, event_type="booking.created", body="{}", next_attempt_at=timezone.now()
    )

    delivery.deliver(sent.pk)

    attempt = WebhookAttempt.objects.get(delivery=sent)
    assert (attempt.status_code, attempt.error) == (204, "")
    assert WebhookDelivery.objects.get(pk=sent.pk).status == DeliveryStatus.SUCCEEDED
    assert seen == [f"localhost:{port}"]
