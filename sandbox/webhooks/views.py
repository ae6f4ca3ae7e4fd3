"""/sandbox/webhooks/: a receiver per inbox, and a page showing what arrived and whether it verified."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import ReceivedWebhook, WebhookInbox
from .receiver import receive

SHOWN = 50


def inbox_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sandbox/webhooks.html",
        {
            "inboxes": WebhookInbox.objects.all(),
            "received": ReceivedWebhook.objects.select_related("inbox")[:SHOWN],
        },
    )


@csrf_exempt
@require_POST
def receiver(request: HttpRequest, slug: str) -> HttpResponse:
    inbox = WebhookInbox.objects.filter(slug=slug).first()
    if inbox is None:
        raise Http404("No such inbox.")
    received = receive(inbox, request)
    response = HttpResponse(status=received.answered_status)
    if inbox.retry_after and received.answered_status in (429, 503):
        response["Retry-After"] = str(inbox.retry_after)
    return response
