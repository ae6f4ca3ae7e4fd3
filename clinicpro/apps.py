from django.apps import AppConfig


class ClinicproConfig(AppConfig):
    name = "clinicpro"
    verbose_name = "ClinicPro"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
