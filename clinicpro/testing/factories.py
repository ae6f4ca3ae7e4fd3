"""factory-boy factories shared by every app's tests."""

from datetime import time

import factory
from django.contrib.auth import get_user_model

from bookings.models import Patient, Practitioner, Service, WorkingHours
from clinicpro.models import Clinic, Membership, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = Role.PRACTITIONER


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    membership = factory.SubFactory(MembershipFactory)
    clinic = factory.SelfAttribute("membership.clinic")
    display_name = factory.Sequence(lambda n: f"Dr. Practitioner {n}")
    specialty = "General practice"

    @factory.post_generation
    def with_hours(self, create, extracted, **kwargs):
        """Monday to Sunday 08:00-17:00 unless `with_hours=False`."""
        if create and extracted is not False:
            for weekday in range(7):
                WorkingHours.objects.create(practitioner=self, weekday=weekday, start_time=time(8), end_time=time(17))


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Consultation {n}")
    duration_minutes = 30
    min_notice_minutes = 0
    is_online = True
    meeting_platform = "selfhosted"

    @factory.post_generation
    def practitioners(self, create, extracted, **kwargs):
        if create and extracted:
            self.practitioners.add(*extracted)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Patient {n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "+254712345678"
