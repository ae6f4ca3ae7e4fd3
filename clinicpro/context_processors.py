from typing import Any

from django.http import HttpRequest

from .tenancy import clinics_of_request


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The clinic switcher: every clinic the user belongs to, and the current one."""
    return {
        "my_clinics": clinics_of_request(request) if hasattr(request, "user") else [],
        "current_clinic": getattr(request, "clinic", None),
        "current_membership": getattr(request, "membership", None),
    }
