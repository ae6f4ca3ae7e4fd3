from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from bookings import hooks

        from . import checks, receivers  # noqa: F401  (registers system checks)
        from .freebusy import calendar_busy_times
        from .page_hooks import banner_candidates, dashboard_banners

        hooks.register_busy_source(calendar_busy_times)
        hooks.register_dashboard_banner(candidates=banner_candidates)(dashboard_banners)
        receivers.connect_meeting_signals()
