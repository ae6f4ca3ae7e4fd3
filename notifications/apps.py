from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import page_hooks, receivers  # noqa: F401  (page_hooks registers the booking-page hooks)

        receivers.connect()
