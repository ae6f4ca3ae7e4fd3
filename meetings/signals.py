"""What meetings tells the rest of ClinicPro.

`provider_credentials_rejected` is sent when a provider refuses the account's
credential for good (expired or revoked token): integrations marks the
connection as needing reconnection. Sent with sender=meetings.models.Meeting,
provider=<registry key>, clinic=<Clinic>, practitioner=<Practitioner or None>,
error=<a message without secrets>.
"""

from django.dispatch import Signal

provider_credentials_rejected = Signal()
