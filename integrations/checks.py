"""System checks naming what a switched-on integration is missing."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from .vendors.registry import VENDORS, UnknownVendor, vendor


@register()
def check_provider_credentials(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for provider in settings.INTEGRATIONS_PROVIDERS:
        try:
            enabled = vendor(provider)
        except UnknownVendor:
            errors.append(
                Error(
                    f"INTEGRATIONS_PROVIDERS names {provider!r}; known providers are {', '.join(VENDORS)}.",
                    id="integrations.E001",
                )
            )
            continue
        if enabled.oauth is None:
            continue
        credentials = enabled.credentials()
        missing = [
            name
            for name, value in (
                (enabled.oauth.client_id_setting, credentials.client_id),
                (enabled.oauth.client_secret_setting, credentials.client_secret),
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
def check_real_endpoints(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.INTEGRATIONS_USE_SANDBOX:
        return [
            Warning(
                "INTEGRATIONS_USE_SANDBOX is on: calls to connected vendors go to the emulators.",
                id="integrations.W001",
            )
        ]
    return []
