"""Letting someone into a room, as a Jitsi server does.

With the clinic's app secret, only a valid token for this room and this server
gets in (claims as in https://github.com/jitsi/lib-jitsi-meet/blob/master/doc/tokens.md),
and only its `context.user.moderator` makes a moderator. Without a secret the
room is open: everyone is a guest and the first to join moderates.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from meetings.models import ClinicMeetingSettings

from ..models import RoomJoin

NAME_LENGTH = 200


class Refused(Exception):
    """Why the room server turns a visitor away, in words the visitor can act on."""


@dataclass(frozen=True)
class Admission:
    visitor: str
    name: str
    is_moderator: bool
    signed: bool


@dataclass(frozen=True)
class Participant:
    name: str
    is_moderator: bool
    signed: bool
    joined_at: datetime
    is_you: bool


def admit_signed(token: str, *, room: str, domain: str, config: ClinicMeetingSettings) -> Admission:
    """The holder of `token`, if it lets them into `room` on the server at `domain`."""
    if not token:
        raise Refused("This room admits only signed links. Open it from the link ClinicPro gave you.")
    claims = _verified_claims(token, config)
    if str(claims["room"]).lower() not in ("*", room):
        raise Refused("This link is for another room.")
    if str(claims["sub"]).lower() not in ("*", domain):
        raise Refused("This link is for another room server.")
    user = _user(claims)
    name = user.get("name")
    return Admission(
        visitor=hashlib.sha256(token.encode()).hexdigest(),
        name=(name if isinstance(name, str) and name.strip() else "Guest")[:NAME_LENGTH],
        # Jitsi's token modules accept the JSON boolean and the string "true".
        is_moderator=user.get("moderator") in (True, "true"),
        signed=True,
    )


def _user(claims: dict[str, Any]) -> dict[str, Any]:
    """`context.user`: display information only, never used to verify the token."""
    context = claims.get("context")
    user = context.get("user") if isinstance(context, dict) else None
    return user if isinstance(user, dict) else {}


def _verified_claims(token: str, config: ClinicMeetingSettings) -> dict[str, Any]:
    try:
        return jwt.decode(
            token,
            config.jitsi_app_secret,
            algorithms=["HS256"],
            audience=config.jitsi_audience,
            issuer=config.jitsi_app_id,
            options={"require": ["iss", "aud", "sub", "room", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise Refused("This link has expired: the time to join this appointment is over.") from None
    except jwt.ImmatureSignatureError:
        raise Refused("This link is not valid yet: it opens shortly before the appointment.") from None
    except jwt.InvalidSignatureError:
        raise Refused("This link's signature does not match the room server's secret.") from None
    except jwt.InvalidAudienceError:
        raise Refused("This link's token is meant for another service (aud).") from None
    except jwt.InvalidIssuerError:
        raise Refused("This link's token was issued by another app (iss).") from None
    except jwt.MissingRequiredClaimError as exc:
        raise Refused(f"This link's token has no {exc.claim} claim.") from None
    except jwt.InvalidTokenError:
        raise Refused("This link's token is not a valid signed token.") from None


def admit_open(visitor: str) -> Admission:
    """Anyone with the link of an open room; the roster decides who moderates."""
    return Admission(visitor=visitor, name="Guest", is_moderator=False, signed=False)


def record_join(room: str, admission: Admission) -> None:
    """Joining again with the same link (or browser, in an open room) is the same participant."""
    RoomJoin.objects.get_or_create(
        room=room,
        visitor=admission.visitor,
        defaults={"display_name": admission.name, "is_moderator": admission.is_moderator, "signed": admission.signed},
    )


def roster(room: str, *, you: str) -> list[Participant]:
    """Everyone who joined `room`, first comer first; in an open room the first guest moderates."""
    joins = list(RoomJoin.objects.filter(room=room))
    first_guest = next((join.pk for join in joins if not join.signed), None)
    people = []
    guests = 0
    for join in joins:
        name = join.display_name
        if not join.signed:
            guests += 1
            name = f"{join.display_name} {guests}"
        people.append(
            Participant(
                name=name,
                is_moderator=join.is_moderator if join.signed else join.pk == first_guest,
                signed=join.signed,
                joined_at=join.joined_at,
                is_you=join.visitor == you,
            )
        )
    return people
