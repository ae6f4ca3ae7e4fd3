"""Staff actions on messages."""

from django.db import transaction

from .models import Message
from .outbox import resend_copy


def message_resend(*, message: Message) -> Message:
    """Queue a fresh copy of a message; it is sent once the transaction commits."""
    from .tasks import send_message

    with transaction.atomic():
        attempt = Message.objects.filter(dedupe_key__startswith=f"{message.dedupe_key}:resend:").count() + 1
        copy = resend_copy(message, attempt=attempt)
        transaction.on_commit(lambda: send_message.delay(copy.pk))
    return copy
