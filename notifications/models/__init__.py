from .message import Channel, Kind, Message, MessageStatus, RecipientRole
from .preferences import OptOut
from .reports import DeliveryReport
from .settings import ClinicMessaging

__all__ = [
    "Channel",
    "ClinicMessaging",
    "DeliveryReport",
    "Kind",
    "Message",
    "MessageStatus",
    "OptOut",
    "RecipientRole",
]
