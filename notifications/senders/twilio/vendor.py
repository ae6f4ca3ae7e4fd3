"""Twilio Messaging, as the vendor registry describes it."""

from integrations.vendors.base import AuthKind, Endpoints, Vendor

from .errors import raise_for_response

KEY = "twilio"
LABEL = "Twilio"
# HTTP Basic with the Account SID and Auth Token; callbacks signed with X-Twilio-Signature.
AUTH_KIND = "basic"
PRODUCTION_BASE_URL = "https://api.twilio.com"
# Twilio has no separate sandbox host: test credentials use the production one.
SANDBOX_BASE_URL = "https://api.twilio.com"
EMULATOR_PATH = "twilio"
DOCS_URL = "https://www.twilio.com/docs/messaging/api/message-resource"

TWILIO = Vendor(
    key=KEY,
    label=LABEL,
    auth=(AuthKind.API_KEY,),
    production=Endpoints(api=PRODUCTION_BASE_URL),
    sandbox=Endpoints(api="{sandbox}/" + EMULATOR_PATH),
    error_mapping=raise_for_response,
    sandbox_setting="NOTIFICATIONS_USE_SANDBOX",
    emulator="sandbox.twilio.urls",
)
