"""One clinic's Daraja account: where to call and with which keys."""

import base64
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

# Daraja's timestamps are East Africa Time whatever the server's clock zone.
NAIROBI = ZoneInfo("Africa/Nairobi")


class TransactionType(StrEnum):
    PAYBILL = "CustomerPayBillOnline"
    TILL = "CustomerBuyGoodsOnline"


@dataclass(frozen=True)
class DarajaCredentials:
    base_url: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    # The shortcode the STK password is made with (the store number for a till).
    shortcode: str
    passkey: str = field(repr=False)
    transaction_type: TransactionType = TransactionType.PAYBILL
    # Buy Goods: the till number receiving the money (PartyB); Paybill: the shortcode.
    till_number: str = ""
    # Names the cached token; one per clinic and environment.
    cache_key: str = ""

    @property
    def party_b(self) -> str:
        is_till = self.transaction_type == TransactionType.TILL and self.till_number
        return self.till_number if is_till else self.shortcode

    def root(self) -> str:
        return self.base_url.rstrip("/")


def daraja_timestamp(moment: datetime) -> str:
    """YYYYMMDDHHmmss in Africa/Nairobi."""
    if moment.tzinfo is None:
        raise ValueError("Daraja timestamps need a timezone-aware moment.")
    return moment.astimezone(NAIROBI).strftime("%Y%m%d%H%M%S")


def stk_password(shortcode: str, passkey: str, timestamp: str) -> str:
    return base64.b64encode(f"{shortcode}{passkey}{timestamp}".encode()).decode()
