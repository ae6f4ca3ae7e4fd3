"""Whatever owners do to roles and memberships, a clinic never ends up without an owner."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicpro import services
from clinicpro.models import Membership, Role
from clinicpro.testing.factories import ClinicFactory, MembershipFactory

actions = st.lists(
    st.tuples(
        st.sampled_from(["change", "remove"]), st.integers(min_value=0, max_value=3), st.sampled_from(Role.values)
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=actions)
def test_a_clinic_always_keeps_an_owner(steps):
    clinic = ClinicFactory()
    members = [MembershipFactory(clinic=clinic, role=Role.OWNER)]
    members += [MembershipFactory(clinic=clinic, role=role) for role in (Role.OWNER, Role.PRACTITIONER, Role.STAFF)]
    for action, index, role in steps:
        membership = members[index]
        if not Membership.objects.filter(pk=membership.pk).exists():
            continue
        try:
            if action == "change":
                services.membership_change_role(membership=membership, role=role)
            else:
                services.membership_remove(membership=membership)
        except services.TenancyError as refusal:
            assert "only owner" in str(refusal)
        assert Membership.objects.filter(clinic=clinic, role=Role.OWNER).exists()
