"""meeting_ready and meeting_changed: sent inside the transaction that stores the outcome, with plain reasons."""

import pytest
from django.db import connection

from meetings.models import Meeting
from meetings.services import meeting_regenerate
from meetings.signals import meeting_changed, meeting_ready
from meetings.testing.scenes import book_online

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """What each signal carried, and whether it came inside a transaction (so listeners can write rows with it)."""
    received: list[tuple[str, Meeting, object, str, bool]] = []

    def on_ready(sender, meeting, booking, **kwargs):
        received.append(("ready", meeting, booking, "", connection.in_atomic_block))

    def on_changed(sender, meeting, booking, reason, **kwargs):
        received.append(("changed", meeting, booking, reason, connection.in_atomic_block))

    meeting_ready.connect(on_ready)
    meeting_changed.connect(on_changed)
    yield received
    meeting_ready.disconnect(on_ready)
    meeting_changed.disconnect(on_changed)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_the_first_working_link_is_announced_as_ready_inside_its_transaction(
    heard, run_on_commit, service, practitioner
):
    booking = run_on_commit(book_online, service, practitioner)

    [(kind, meeting, about, reason, in_transaction)] = heard
    assert (kind, about.pk, reason, in_transaction) == ("ready", booking.pk, "", True)
    assert meeting.join_url


def test_a_fallback_link_is_ready_and_changed_with_the_reason_in_plain_words(
    heard, run_on_commit, service, practitioner
):
    service.meeting_platform = "microsoft"  # no Microsoft account connected: refused for good
    service.save()

    booking = run_on_commit(book_online, service, practitioner)

    kinds = [kind for kind, *_ in heard]
    assert kinds == ["ready", "changed"]
    _kind, meeting, _booking, reason, in_transaction = heard[1]
    assert meeting.is_fallback and meeting.booking_id == booking.pk and in_transaction
    assert reason == "Dr. Wanjiru Kamau has no Microsoft connection, so a ClinicPro room (Jitsi) link was made instead"


def test_a_regenerated_meeting_is_announced_as_changed_with_the_owners_reason(
    heard, run_on_commit, owner, service, practitioner
):
    booking = run_on_commit(book_online, service, practitioner)
    heard.clear()

    run_on_commit(meeting_regenerate, booking_id=booking.pk, actor=f"user:{owner.pk}", reason="The host lost the link")

    [(kind, meeting, _booking, reason, in_transaction)] = heard
    assert kind == "changed" and in_transaction
    assert reason == "The meeting was made again: The host lost the link"
    assert meeting.is_current and meeting.join_url
