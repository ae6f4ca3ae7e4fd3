"""An email backend for the demo and tests: every message lands in the sandbox mailbox (/sandbox/outbox/).

It stores what a provider would receive (text, HTML, calendar invitation), so
the web process shows what a Celery worker sent.
"""

from collections.abc import Sequence
from email.mime.base import MIMEBase

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from .models import SentEmail


def _attachments(message: EmailMessage) -> list[dict]:
    found = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            payload = attachment.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            params = "".join(f"; {k}={v}" for k, v in (attachment.get_params() or [])[1:])
            found.append(
                {
                    "filename": attachment.get_filename() or "",
                    "content_type": attachment.get_content_type() + params,
                    "content": content.decode("utf-8", "replace"),
                }
            )
        else:
            filename, content, mimetype = attachment
            text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content)
            found.append({"filename": filename or "", "content_type": mimetype or "", "content": text})
    return found


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            html = next((c for c, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
            SentEmail.objects.create(
                message_id=str(message.extra_headers.get("Message-ID", "")),
                from_email=str(message.from_email),
                to=list(message.to),
                subject=str(message.subject),
                text=str(message.body),
                html=str(html),
                attachments=_attachments(message),
                headers={k: str(v) for k, v in message.extra_headers.items()},
            )
        return len(email_messages)
