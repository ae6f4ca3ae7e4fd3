"""Telling listeners, inside the transaction that stores it, that a booking's link works or leads elsewhere."""

from ..models import Meeting
from ..signals import meeting_changed, meeting_ready


def announce_stored(meeting: Meeting) -> None:
    """Call inside the transaction that made `meeting` active.

    The booking's first working link sends `meeting_ready`; a meeting that
    replaces another (a fallback, a regenerated or replaced meeting) sends
    `meeting_changed` with its reason. A fallback that is also the first
    working link sends both.
    """
    booking = meeting.booking
    # Only a stored answer fills join_url: an earlier meeting with one was a working link people held.
    had_link_before = Meeting.objects.filter(booking_id=booking.pk).exclude(pk=meeting.pk).exclude(join_url="").exists()
    if not had_link_before:
        meeting_ready.send(sender=Meeting, meeting=meeting, booking=booking)
    if meeting.change_reason:
        meeting_changed.send(sender=Meeting, meeting=meeting, booking=booking, reason=meeting.change_reason)
