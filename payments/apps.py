from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from . import page_hooks, receivers  # noqa: F401  (page_hooks registers the booking-page hooks)

        receivers.connect()
