"""The integrations page says what connecting does, and no more."""

import pytest


@pytest.mark.django_db
def test_the_integrations_page_says_the_service_decides_the_platform(client, practitioner):
    client.force_login(practitioner.user)
    page = client.get("/integrations/").content.decode()
    assert "get meetings there automatically" not in page
    assert "on the platform its service names" in page
    assert "uses the clinic's backup room" in page
