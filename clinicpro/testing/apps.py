from django.apps import AppConfig


class TestingConfig(AppConfig):
    """Models that exist only in the test suite (installed by clinicpro.test_settings)."""

    name = "clinicpro.testing"
    label = "clinicpro_testing"
    verbose_name = "ClinicPro test models"
