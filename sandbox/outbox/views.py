"""/sandbox/outbox/: what the demo sent, as the recipients would see it: texts on a phone, emails in a mailbox."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from ..models import SentEmail, TextMessage

SHOWN = 50


def outbox(request: HttpRequest) -> HttpResponse:
    texts = TextMessage.objects.select_related("account")[:SHOWN]
    emails = SentEmail.objects.all()[:SHOWN]
    return render(request, "sandbox/outbox.html", {"texts": texts, "emails": emails})


@xframe_options_sameorigin
def email_html(request: HttpRequest, email_id: int) -> HttpResponse:
    """The email's HTML part alone, for the mailbox's frame (the email's own styles stay inside it)."""
    email = get_object_or_404(SentEmail, pk=email_id)
    response = HttpResponse(email.html or "<p>(no HTML part)</p>", content_type="text/html; charset=utf-8")
    # Nothing in an email may run script.
    response["Content-Security-Policy"] = "script-src 'none'; default-src 'self' 'unsafe-inline'"
    return response
