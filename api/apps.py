from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API and webhooks"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy check)
        from .webhooks import banners, receivers  # noqa: F401  (banners registers a dashboard hook)

        receivers.connect()
