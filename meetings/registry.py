"""The one list of meeting providers: key -> (label, dotted path), imported lazily.

Adding a provider means one line here and one new module.
"""

from functools import cache
from importlib import import_module

from .providers.base import MeetingProvider

PROVIDERS: dict[str, tuple[str, str]] = {
    "selfhosted": ("ClinicPro room (Jitsi)", "meetings.providers.selfhosted.SelfHostedProvider"),
    "google_meet": ("Google Meet", "meetings.providers.google_meet.GoogleMeetProvider"),
    "zoom": ("Zoom", "meetings.providers.zoom.ZoomProvider"),
    "teams": ("Microsoft Teams", "meetings.providers.teams.TeamsProvider"),
}

DEFAULT_PROVIDER = "selfhosted"

PROVIDER_CHOICES = [(key, label) for key, (label, _path) in PROVIDERS.items()]


@cache
def provider_class(key: str) -> type[MeetingProvider]:
    try:
        _label, dotted = PROVIDERS[key]
    except KeyError:
        raise KeyError(f"Unknown meeting provider {key!r}.") from None
    module_path, class_name = dotted.rsplit(".", 1)
    return getattr(import_module(module_path), class_name)


def provider_label(key: str) -> str:
    return PROVIDERS.get(key, (key, ""))[0]
