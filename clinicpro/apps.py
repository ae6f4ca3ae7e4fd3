from django.apps import AppConfig


class ClinicproConfig(AppConfig):
    name = "clinicpro"
    verbose_name = "ClinicPro"

    def ready(self) -> None:
        from . import checks, converters  # noqa: F401  (register system checks and the <token:> URL converter)
