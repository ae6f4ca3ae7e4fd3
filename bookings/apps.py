from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"

    def ready(self) -> None:
        from clinicpro.tenancy import load_with_membership

        # The navigation and the dashboards ask every clinic page whether the member is a practitioner.
        load_with_membership("practitioner")
