"""Hypothesis: whatever the clinics, members and connections, lookups only ever return one's own."""

import pytest
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicpro.models import Role
from clinicpro.testing.factories import ClinicFactory, MembershipFactory, PractitionerFactory, UserFactory
from integrations.models import Connection, ConnectionKind, ConnectionStatus
from integrations.selectors import active_connection, clinic_connection, connection_for_user
from integrations.vendors.registry import VENDORS

# (clinic index, user index, role, providers connected, status of those connections)
MEMBER = st.tuples(
    st.integers(0, 2),
    st.integers(0, 3),
    st.sampled_from([Role.OWNER, Role.PRACTITIONER]),
    st.sets(st.sampled_from(list(VENDORS))),
    st.sampled_from(list(ConnectionStatus.values)),
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(members=st.lists(MEMBER, min_size=1, max_size=8), s2s_clinics=st.sets(st.integers(0, 2)))
def test_nobody_reaches_a_connection_that_is_not_theirs(members, s2s_clinics):
    with transaction.atomic():
        clinics = [ClinicFactory(slug=f"prop-clinic-{i}") for i in range(3)]
        users = [UserFactory(username=f"prop-user-{i}") for i in range(4)]
        practitioners = []
        seen: set[tuple[int, int]] = set()
        for clinic_index, user_index, role, providers, status in members:
            if (clinic_index, user_index) in seen:
                continue
            seen.add((clinic_index, user_index))
            membership = MembershipFactory(clinic=clinics[clinic_index], user=users[user_index], role=role)
            practitioner = PractitionerFactory(membership=membership, with_hours=False)
            practitioners.append(practitioner)
            for provider in providers:
                Connection.objects.create(
                    clinic=membership.clinic, membership=membership, provider=provider, status=status
                )
        for index in s2s_clinics:
            Connection.objects.create(
                clinic=clinics[index], provider="zoom", kind=ConnectionKind.SERVER_TO_SERVER, account_id=f"a{index}"
            )

        for user in users:
            for connection in Connection.objects.select_related("membership"):
                own = connection.membership is not None and connection.membership.user_id == user.pk
                owns_clinic = (
                    connection.is_server_to_server
                    and connection.clinic.memberships.filter(user=user, role=Role.OWNER).exists()
                )
                if own or owns_clinic:
                    assert connection_for_user(user, connection.pk) == connection
                else:
                    with pytest.raises(Http404):
                        connection_for_user(user, connection.pk)
        for practitioner in practitioners:
            for provider in VENDORS:
                found = active_connection(practitioner=practitioner, provider=provider)
                if found is not None:
                    assert found.membership_id == practitioner.membership_id
                    assert found.clinic_id == practitioner.clinic_id and found.status == ConnectionStatus.ACTIVE
        for clinic in clinics:
            found = clinic_connection(clinic, provider="zoom")
            assert (found is not None) == (clinics.index(clinic) in s2s_clinics)
            if found is not None:
                assert found.clinic_id == clinic.pk
        transaction.set_rollback(True)
