from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def webhooks_loopback_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.WEBHOOKS_ALLOW_LOOPBACK:
        return [
            Warning(
                "WEBHOOKS_ALLOW_LOOPBACK is on: webhook endpoints may point at this machine.",
                hint="Turn it off in production; it exists for tests and the demo.",
                id="api.W001",
            )
        ]
    return []
