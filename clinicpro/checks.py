"""System checks that name what a switched-on feature is missing."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_google_login(app_configs: Any, **kwargs: Any) -> list:
    if not settings.GOOGLE_LOGIN_ENABLED:
        return []
    providers: dict[str, Any] = settings.SOCIALACCOUNT_PROVIDERS
    app = providers["google"]["APPS"][0]
    if not app["client_id"] or not app["secret"]:
        return [
            Error(
                "GOOGLE_LOGIN_ENABLED is on but GOOGLE_LOGIN_CLIENT_ID or GOOGLE_LOGIN_CLIENT_SECRET is empty.",
                id="clinicpro.E001",
            )
        ]
    return []


@register(deploy=True)
def check_sandbox_off(app_configs: Any, **kwargs: Any) -> list:
    if settings.SANDBOX_ENABLED:
        return [Warning("SANDBOX_ENABLED is on: the emulators are mounted under /sandbox/.", id="clinicpro.W001")]
    return []
