"""ClinicPro rooms on a Jitsi-compatible server: the default provider and the universal fallback.

A room exists as soon as someone opens `<base_url>/<room>`, so creating one
calls nobody and cannot fail. The room name is 160 random bits in base32 and
carries no personal data.

Access control depends on the clinic's configuration:

- With a Jitsi app id and secret, every link carries its own JWT (`?jwt=`,
  HS256) scoped to the room and valid only from the join window before the
  appointment until the window after it ends. Only the host's token makes its
  holder a moderator, so `host_url` and `join_url` differ.
- Without them, the unguessable room name is the only secret: `host_url` is
  then the same as `join_url`, and whoever opens the room first moderates it.

See https://github.com/jitsi/lib-jitsi-meet/blob/master/doc/tokens.md for the claims.
"""

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import jwt
from django.conf import settings
from django.utils.crypto import salted_hmac

from ..models import ClinicMeetingSettings, settings_for
from .base import MeetingProvider, MeetingProviderError, MeetingRecord, MeetingRequest

ROOM_BYTES = 20  # 160 bits, comfortably above the 128 the rooms must carry


def new_room_name() -> str:
    # base32 lower-case: letters and digits only, safe in every Jitsi deployment's room rules.
    return base64.b32encode(secrets.token_bytes(ROOM_BYTES)).decode("ascii").rstrip("=").lower()


def links_fingerprint(config: ClinicMeetingSettings, *, key: str | None = None) -> str:
    """What a room's links are made from (server, app credential, audience, join window), as a keyed hash.

    Stored with each meeting, so links made under other settings can be found and renewed;
    keyed with SECRET_KEY (or `key`), so it tells nothing about the app secret.
    """
    parts = [
        config.base_url.rstrip("/"),
        config.jitsi_app_id,
        config.jitsi_app_secret,
        config.jitsi_audience,
        str(config.join_opens_minutes_before),
        str(config.join_closes_minutes_after),
    ]
    return salted_hmac("meetings.selfhosted.links", "\x1f".join(parts), secret=key, algorithm="sha256").hexdigest()[:32]


def links_fingerprints(config: ClinicMeetingSettings) -> set[str]:
    """The fingerprint under SECRET_KEY and under each key it replaced: rotating the key renews no links."""
    return {links_fingerprint(config, key=key) for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]}


class SelfHostedProvider(MeetingProvider):
    key: ClassVar[str] = "selfhosted"
    label: ClassVar[str] = "ClinicPro room (Jitsi)"
    supports_update: ClassVar[bool] = True

    def create(self, request: MeetingRequest) -> MeetingRecord:
        return self._record(new_room_name(), request)

    def update(self, record: MeetingRecord, request: MeetingRequest) -> MeetingRecord:
        # Same room; fresh tokens whose validity follows the new time.
        return self._record(record.external_id, request)

    def delete(self, record: MeetingRecord) -> None:
        """Nothing to remove remotely: once no link leads to the room, nobody finds it."""

    def links_outdated(self, record: MeetingRecord) -> bool:
        # The links carry the server, app id, secret and join window of the moment they were made.
        return (record.raw or {}).get("links_fingerprint") not in links_fingerprints(settings_for(self.clinic))

    def _record(self, room: str, request: MeetingRequest) -> MeetingRecord:
        config = settings_for(self.clinic)
        base_url = config.base_url.rstrip("/")
        if not base_url:
            raise MeetingProviderError("The clinic has no room server address configured.", permanent=True)
        room_url = f"{base_url}/{room}"
        raw: dict[str, Any] = {
            "room": room,
            "server": base_url,
            "access": "jwt" if config.uses_jwt else "open",
            "links_fingerprint": links_fingerprint(config),
        }
        if not config.uses_jwt:
            return MeetingRecord(external_id=room, join_url=room_url, host_url=room_url, raw=raw)

        not_before, expires = self._validity(config, request)
        raw.update(not_before=not_before.isoformat(), expires=expires.isoformat())
        host_name = self.practitioner.display_name if self.practitioner is not None else "Host"
        return MeetingRecord(
            external_id=room,
            join_url=self._signed(room_url, config, room, not_before, expires, name="Patient", moderator=False),
            host_url=self._signed(room_url, config, room, not_before, expires, name=host_name, moderator=True),
            raw=raw,
        )

    @staticmethod
    def _validity(config: ClinicMeetingSettings, request: MeetingRequest) -> tuple[datetime, datetime]:
        return (
            request.starts_at - timedelta(minutes=config.join_opens_minutes_before),
            request.ends_at + timedelta(minutes=config.join_closes_minutes_after),
        )

    @staticmethod
    def _signed(
        room_url: str,
        config: ClinicMeetingSettings,
        room: str,
        not_before: datetime,
        expires: datetime,
        *,
        name: str,
        moderator: bool,
    ) -> str:
        claims = {
            "iss": config.jitsi_app_id,
            "aud": config.jitsi_audience,
            "sub": urlsplit(config.base_url).hostname or "",
            "room": room,
            "nbf": int(not_before.timestamp()),
            "exp": int(expires.timestamp()),
            "context": {"user": {"name": name, "moderator": moderator}},
        }
        token = jwt.encode(claims, config.jitsi_app_secret, algorithm="HS256")
        return f"{room_url}?{urlencode({'jwt': token})}"
