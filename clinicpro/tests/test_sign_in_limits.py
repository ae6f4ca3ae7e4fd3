"""Password guessing is limited everywhere staff sign in, per real client, without locking owners out."""

import pytest
from django.test import Client, RequestFactory

from clinicpro.net import client_ip
from clinicpro.testing.factories import PASSWORD, UserFactory


def sign_in(client: Client, email: str, password: str, *, via: str = "/accounts/login/", ip: str = "") -> int:
    headers = {"HTTP_X_FORWARDED_FOR": ip} if ip else {}
    return client.post(via, {"login": email, "username": email, "password": password}, **headers)


@pytest.mark.django_db
def test_admin_sign_in_goes_through_the_limited_login_so_forty_guesses_do_not_pay_off(client):
    staff = UserFactory(username="platform", is_staff=True, is_superuser=True)
    for _ in range(40):
        sign_in(client, staff.username, "wrong-guess", via="/admin/login/")
    sign_in(client, staff.username, PASSWORD, via="/admin/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/")["Location"].startswith("/accounts/login/?next=")
    # The allauth login the admin now uses refuses the right password after the guesses.
    for _ in range(5):
        sign_in(client, staff.email, "wrong-guess")
    refused = sign_in(client, staff.email, PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_signed_in_non_staff_user_is_refused_admin(client):
    client.force_login(UserFactory(username="patient"))
    assert client.get("/admin/login/").status_code == 403


@pytest.mark.django_db
def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(client, settings, owner):
    settings.TRUSTED_PROXY_COUNT = 1
    stranger = Client()
    for _ in range(8):
        sign_in(stranger, owner.email, "wrong-guess", ip="203.0.113.9")
    assert "_auth_user_id" not in stranger.session
    assert sign_in(stranger, owner.email, PASSWORD, ip="203.0.113.9").status_code == 200  # the stranger is limited

    response = sign_in(client, owner.email, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(owner.pk)


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_per_address_limit(client, settings, owner):
    settings.TRUSTED_PROXY_COUNT = 1
    noisy = Client()
    for n in range(12):
        sign_in(noisy, f"nobody{n}@example.com", "wrong-guess", ip="203.0.113.9")
    blocked = sign_in(noisy, owner.email, PASSWORD, ip="203.0.113.9")
    assert blocked.status_code == 200 and "_auth_user_id" not in noisy.session

    response = sign_in(client, owner.email, PASSWORD, ip="198.51.100.7")
    assert response.status_code == 302


def test_client_ip_trusts_only_the_entry_our_proxy_appended(settings):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
