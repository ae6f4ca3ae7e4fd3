"""What a service's meeting platform means for each practitioner offering it.

bookings knows no provider: it asks `hooks.meeting_platforms` once per practitioner and reads
the answers, so a service shared by several practitioners shows where each one's bookings go.
"""

from dataclasses import dataclass, replace

from clinicpro.models import Clinic

from . import hooks
from .models import Practitioner

# Said when the meetings app names no backup for a platform.
BACKUP_ROOM = "the clinic's backup room"
NOBODY_CAN = "nobody offering this service can use it yet"


@dataclass(frozen=True)
class Outcome:
    """Where one practitioner's bookings of the service get their meeting."""

    practitioner: Practitioner
    label: str
    # Why not on the chosen platform ("no Google connection"); empty when they are.
    reason: str = ""

    @property
    def is_fallback(self) -> bool:
        return bool(self.reason)


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


class PlatformPlan:
    """The platforms each practitioner of a service can use, asked once per practitioner."""

    def __init__(self, clinic: Clinic, practitioners: list[Practitioner]) -> None:
        self.clinic = clinic
        self.practitioners = practitioners
        self._answers: dict[int | None, dict[str, hooks.MeetingPlatform]] = {}

    def platforms_of(self, practitioner: Practitioner | None) -> dict[str, hooks.MeetingPlatform]:
        key = practitioner.pk if practitioner else None
        if key not in self._answers:
            platforms = hooks.meeting_platforms(self.clinic, practitioner)
            self._answers[key] = {platform.key: platform for platform in platforms}
        return self._answers[key]

    def offered(self) -> list[hooks.MeetingPlatform]:
        """Every platform once: usable when at least one of the practitioners can use it."""
        versions: dict[str, list[hooks.MeetingPlatform]] = {}
        asked: list[Practitioner | None] = [*self.practitioners] or [None]
        for practitioner in asked:
            for platform in self.platforms_of(practitioner).values():
                versions.setdefault(platform.key, []).append(platform)
        return [_merged(found) for found in versions.values()]

    def outcomes(self, key: str) -> list[Outcome]:
        """What each practitioner's bookings use when the service names platform `key`."""
        return [self._outcome(practitioner, key) for practitioner in self.practitioners]

    def fallbacks(self, key: str) -> list[Outcome]:
        return [outcome for outcome in self.outcomes(key) if outcome.is_fallback]

    def _outcome(self, practitioner: Practitioner, key: str) -> Outcome:
        platform = self.platforms_of(practitioner).get(key)
        if platform is None:
            return Outcome(practitioner, BACKUP_ROOM, reason="this platform is no longer offered")
        if platform.usable:
            return Outcome(practitioner, platform.label)
        return Outcome(practitioner, platform.fallback_label or BACKUP_ROOM, reason=platform.reason or "not set up")


def _merged(versions: list[hooks.MeetingPlatform]) -> hooks.MeetingPlatform:
    usable = [platform for platform in versions if platform.usable]
    if usable:
        return usable[0]
    reasons = {platform.reason for platform in versions}
    # One shared reason is worth saying; several differ by practitioner, which the outcomes show.
    return replace(versions[0], reason=reasons.pop() if len(reasons) == 1 else NOBODY_CAN)
