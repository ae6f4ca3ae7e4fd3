"""The /sandbox/ control page a demo user steers the emulators from."""

from django.utils import timezone

from sandbox import faults, world
from sandbox.models import Fault, GoogleBusyBlock, Service, Token
from sandbox.testing import CSRF_FIELD


def post_form(http, sandbox, data):
    page = http.get(f"{sandbox}/")
    token = CSRF_FIELD.search(page.text).group(1)
    return http.post(f"{sandbox}/", data={"csrfmiddlewaretoken": token, **data}, headers={"Referer": f"{sandbox}/"})


def test_the_control_page_lists_accounts_faults_and_meetings(sandbox, http):
    world.issue_tokens(Service.GOOGLE, "dr.amina@gmail.test")
    faults.inject(Service.ZOOM, "meetings.create", "429", count=2)

    page = http.get(f"{sandbox}/")

    assert page.status_code == 200
    assert "dr.amina@gmail.test" in page.text
    assert "meetings.create" in page.text
    assert "429 with Retry-After" in page.text


def test_a_demo_user_adds_a_fault_from_the_page(sandbox, http):
    answer = post_form(
        http,
        sandbox,
        {
            "action": "add_fault",
            "fault-target": "google:events.insert",
            "fault-mode": "pending",
            "fault-count": "1",
            "fault-retry_after": "1",
            "fault-delay_seconds": "0",
            "fault-pending_reads": "3",
        },
    )

    assert answer.status_code == 200
    fault = Fault.objects.get()
    assert (fault.service, fault.endpoint, fault.mode, fault.pending_reads) == ("google", "events.insert", "pending", 3)
    assert "Fault added" in answer.text


def test_a_mode_the_endpoint_cannot_play_is_refused_on_the_page(sandbox, http):
    answer = post_form(
        http,
        sandbox,
        {
            "action": "add_fault",
            "fault-target": "zoom:meetings.create",
            "fault-mode": "pending",
            "fault-retry_after": "1",
            "fault-delay_seconds": "0",
            "fault-pending_reads": "1",
        },
    )

    assert "applies to google events.insert only" in answer.text
    assert not Fault.objects.exists()


def test_the_page_expires_tokens_and_adds_busy_time(sandbox, http):
    world.issue_tokens(Service.ZOOM)

    post_form(http, sandbox, {"action": "expire_tokens", "service": "zoom"})
    post_form(
        http,
        sandbox,
        {
            "action": "add_busy",
            "busy-email": "dr.amina@gmail.test",
            "busy-starts_at": "2030-03-04T09:00",
            "busy-ends_at": "2030-03-04T10:00",
            "busy-label": "Ward round",
        },
    )

    zoom_token = Token.objects.get(grant__service="zoom", kind=Token.Kind.ACCESS)
    assert zoom_token.expires_at < timezone.now()
    assert GoogleBusyBlock.objects.get().label == "Ward round"


def test_the_page_refuses_a_post_without_csrf(sandbox, http):
    answer = http.post(f"{sandbox}/", data={"action": "clear_faults"})

    assert answer.status_code == 403
