"""Typed requests: what middleware and `clinic_view` add to a request, declared where mypy can see it."""

from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import Clinic, Membership


class HtmxRequest(HttpRequest):
    """Every request: django-htmx's middleware says whether htmx sent it."""

    htmx: HtmxDetails


class AuthenticatedRequest(HtmxRequest):
    """A request behind login_required: its user is a real account."""

    user: User


class ClinicRequest(AuthenticatedRequest):
    """What a view behind `clinicpro.tenancy.clinic_view` receives: a signed-in member, their clinic and role."""

    clinic: Clinic
    membership: Membership
