"""System checks naming what a switched-on integration is missing."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register

from .endpoints import PROVIDERS, provider_endpoints


@register()
def check_provider_credentials(app_configs: Any, **kwargs: Any) -> list:
    errors: list = []
    for provider in settings.INTEGRATIONS_PROVIDERS:
        if provider not in PROVIDERS:
            errors.append(
                Error(
                    f"INTEGRATIONS_PROVIDERS names {provider!r}; known providers are {', '.join(PROVIDERS)}.",
                    id="integrations.E001",
                )
            )
            continue
        endpoints = provider_endpoints(provider)
        prefix = provider.upper()
        missing = [
            name
            for name, value in (
                (f"{prefix}_CLIENT_ID", endpoints.client_id),
                (f"{prefix}_CLIENT_SECRET", endpoints.client_secret),
            )
            if not value
        ]
        if missing:
            errors.append(
                Error(
                    f"The {provider} integration is enabled but {' and '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not set.",
                    hint=f"Set {', '.join(missing)} or remove {provider} from INTEGRATIONS_PROVIDERS.",
                    id="integrations.E002",
                )
            )
    return errors


@register(deploy=True)
def check_real_endpoints(app_configs: Any, **kwargs: Any) -> list:
    if settings.INTEGRATIONS_USE_SANDBOX:
        return [
            Warning(
                "INTEGRATIONS_USE_SANDBOX is on: Google, Zoom and Microsoft calls go to the emulators.",
                id="integrations.W001",
            )
        ]
    return []
