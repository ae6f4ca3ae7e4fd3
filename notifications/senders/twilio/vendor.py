"""Twilio Messaging, as the vendor registry describes it."""

KEY = "twilio"
LABEL = "Twilio"
# HTTP Basic with the Account SID and Auth Token; callbacks signed with X-Twilio-Signature.
AUTH_KIND = "basic"
PRODUCTION_BASE_URL = "https://api.twilio.com"
# Twilio has no separate sandbox host: test credentials use the production one.
SANDBOX_BASE_URL = "https://api.twilio.com"
EMULATOR_PATH = "twilio"
DOCS_URL = "https://www.twilio.com/docs/messaging/api/message-resource"
