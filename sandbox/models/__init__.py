"""The emulated world: provider accounts, OAuth grants, calendars, meetings, rooms and fault scripts.

Everything lives in the database so the web process serving the emulators and a
Celery worker calling them see the same world.
"""

from .faults import Fault
from .google import GoogleBusyBlock, GoogleEvent
from .messaging import SentEmail, TextAccount, TextMessage
from .microsoft import GraphEvent, GraphOnlineMeeting
from .oauth import Account, AuthorizationCode, Grant, OAuthClient, Service, Token
from .room import RoomJoin
from .webhooks import ReceivedWebhook, WebhookInbox
from .zoom import ZoomDailyUsage, ZoomMeeting

__all__ = [
    "Account",
    "AuthorizationCode",
    "Fault",
    "GoogleBusyBlock",
    "GoogleEvent",
    "Grant",
    "GraphEvent",
    "GraphOnlineMeeting",
    "OAuthClient",
    "ReceivedWebhook",
    "RoomJoin",
    "SentEmail",
    "Service",
    "TextAccount",
    "TextMessage",
    "Token",
    "WebhookInbox",
    "ZoomDailyUsage",
    "ZoomMeeting",
]
