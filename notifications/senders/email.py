"""Email through Django's mail API, so django-anymail's backend of the environment delivers it.

Each message carries the text and HTML renderings of one content, and for
booking changes the iTIP invitation (text/calendar; method=REQUEST or CANCEL)
that calendar clients show as an invitation and update in place.
"""

from email.mime.text import MIMEText
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from ..models import Message
from ..unsubscribe import unsubscribe_url
from .base import LostAnswer, Sender, SendError, SendResult
from .registry import EMAIL_SENDER


def invitation_part(ics: str) -> MIMEText:
    method = "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part


def build_email(message: Message) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(clinic_id=message.clinic_id, channel=message.channel, address=message.to)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        reply_to=[message.clinic.contact_email] if message.clinic.contact_email else None,
        headers={
            "Message-ID": make_msgid(idstring=f"m{message.pk}", domain=settings.NOTIFICATIONS_EMAIL_DOMAIN),
            "List-Unsubscribe": f"<{unsubscribe}>",
        },
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    if message.ics:
        email.attach(invitation_part(message.ics))
    return email


class EmailSender(Sender):
    key = EMAIL_SENDER
    channels = ("email",)
    # Email backends offer no lookup. An email's outcome is only unknown when a worker died mid-send,
    # and a second copy of an email harms less than none.
    lost_answer = LostAnswer.RESEND

    def send(self, message: Message) -> SendResult:
        try:
            sanitize_address(message.to, "utf-8")
        except ValueError as exc:
            raise SendError(f"Not sent: the email address is invalid ({exc}).", permanent=True) from None
        email = build_email(message)
        try:
            email.send()
        except Exception as exc:
            # anymail raises AnymailAPIError (5xx, timeouts) and AnymailRecipientsRefused (permanent).
            permanent = type(exc).__name__ in ("AnymailRecipientsRefused", "AnymailInvalidAddress")
            raise SendError(f"The email provider refused it: {type(exc).__name__}", permanent=permanent) from exc
        status = getattr(email, "anymail_status", None)
        provider_id = getattr(status, "message_id", None) or email.extra_headers["Message-ID"]
        return SendResult(provider_message_id=str(provider_id))
