"""What meetings tells the rest of ClinicPro.

`provider_credentials_rejected` is sent when a provider refuses the account's
credential for good (expired or revoked token): integrations marks the
connection as needing reconnection. Sent with sender=meetings.models.Meeting,
provider=<registry key>, clinic=<Clinic>, practitioner=<Practitioner or None>,
error=<a message without secrets>.
"""

from django.dispatch import Signal

provider_credentials_rejected = Signal()

# Sent *inside* the transaction that stores a meeting's outcome (sender=Meeting,
# meeting=<Meeting>, booking=<Booking>), so listeners that must not lose work
# (messages, webhooks) write their row in that same transaction:
# - `meeting_ready` when a booking's first working link is stored;
# - `meeting_changed` when the link people hold now leads somewhere else (a
#   fallback, a regenerated or replaced meeting), with `reason=<words for people>`.
meeting_ready = Signal()
meeting_changed = Signal()
