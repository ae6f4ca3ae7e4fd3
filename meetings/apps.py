from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from . import page_hooks, receivers  # noqa: F401  (page_hooks registers the booking-page hooks)

        receivers.connect()
