"""Africa's Talking, as the vendor registry describes it."""

from integrations.vendors.base import AuthKind, Endpoints, Vendor

from .errors import raise_for_response

KEY = "africastalking"
LABEL = "Africa's Talking"
# An `apiKey` header plus the account's username in the form body.
AUTH_KIND = "api_key"
PRODUCTION_BASE_URL = "https://api.africastalking.com"
# Africa's own test environment, used with username "sandbox".
SANDBOX_BASE_URL = "https://api.sandbox.africastalking.com"
# Path of our local emulator under SANDBOX_BASE_URL (sandbox/africastalking/).
EMULATOR_PATH = "africastalking"
DOCS_URL = "https://developers.africastalking.com/docs/sms/sending/bulk"

AFRICASTALKING = Vendor(
    key=KEY,
    label=LABEL,
    auth=(AuthKind.API_KEY,),
    production=Endpoints(api=PRODUCTION_BASE_URL),
    sandbox=Endpoints(api="{sandbox}/" + EMULATOR_PATH),
    error_mapping=raise_for_response,
    sandbox_setting="NOTIFICATIONS_USE_SANDBOX",
    emulator="sandbox.africastalking.urls",
)
