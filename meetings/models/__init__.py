from .audit import EventAction, EventOutcome, MeetingEvent, record_event
from .join_link import JoinLink, JoinRole, join_link_for
from .meeting import Meeting, MeetingStatus
from .settings import ClinicMeetingSettings, settings_for

__all__ = [
    "ClinicMeetingSettings",
    "EventAction",
    "EventOutcome",
    "JoinLink",
    "JoinRole",
    "Meeting",
    "MeetingEvent",
    "MeetingStatus",
    "join_link_for",
    "record_event",
    "settings_for",
]
