"""Secrets at rest: ciphertext in the column, rotation to a new key, admin that never shows them."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from clinicpro import crypto
from clinicpro.testing.models import SecretSample

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw_column(pk: int, column: str = "secret") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM clinicpro_testing_secretsample WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def use_keys(settings):
    """Switch FIELD_ENCRYPTION_KEYS for the rest of the test."""

    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)
        crypto.reset_keys()

    yield use
    crypto.reset_keys()


@pytest.mark.django_db
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=st.text(min_size=8, max_size=300))
def test_the_column_holds_ciphertext_and_the_model_reads_plaintext(secret):
    # From 8 characters on, a chance match inside the base64 ciphertext is below one in a billion.
    sample = SecretSample.objects.create(label="token", secret=secret)
    stored = raw_column(sample.pk)
    assert secret not in stored
    assert crypto.decrypt(stored) == secret
    assert SecretSample.objects.get(pk=sample.pk).secret == secret


@pytest.mark.django_db
def test_a_real_looking_token_is_not_in_the_raw_column_nor_its_prefix():
    sample = SecretSample.objects.create(label="zoom", secret="ya29.a0AfB_byC-very-secret-access-token")
    stored = raw_column(sample.pk)
    assert "ya29" not in stored
    assert "secret" not in stored
    assert stored.startswith("gAAAAA")  # Fernet version byte, base64


@pytest.mark.django_db
def test_empty_secrets_stay_empty_so_not_configured_is_visible():
    sample = SecretSample.objects.create(label="nothing", secret="x", other_secret="")
    assert raw_column(sample.pk, "other_secret") == ""


@pytest.mark.django_db
def test_rows_survive_rotation_to_a_new_key(use_keys):
    use_keys(OLD_KEY)
    samples = [
        SecretSample.objects.create(label=f"s{i}", secret=f"secret-{i}", other_secret=f"other-{i}") for i in range(7)
    ]
    before = {s.pk: raw_column(s.pk) for s in samples}

    use_keys(NEW_KEY, OLD_KEY)
    call_command("rotate_encryption_keys", batch_size=3, stdout=(out := _Out()))

    use_keys(NEW_KEY)  # the old key is gone: every row must still read
    for sample in samples:
        fresh = SecretSample.objects.get(pk=sample.pk)
        assert fresh.secret == sample.secret
        assert fresh.other_secret == sample.other_secret
        assert raw_column(sample.pk) != before[sample.pk]
    assert "clinicpro_testing.SecretSample.secret: 7 re-encrypted" in out.text
    assert "clinicpro_testing.SecretSample.other_secret: 7 re-encrypted" in out.text


@pytest.mark.django_db
def test_without_rotation_the_old_rows_are_unreadable_under_the_new_key_alone(use_keys):
    use_keys(OLD_KEY)
    sample = SecretSample.objects.create(label="s", secret="secret")
    use_keys(NEW_KEY)
    with pytest.raises(crypto.InvalidToken):
        SecretSample.objects.get(pk=sample.pk)


@pytest.mark.django_db
def test_rotating_twice_leaves_rows_already_under_the_first_key_alone(use_keys):
    use_keys(NEW_KEY, OLD_KEY)
    sample = SecretSample.objects.create(label="s", secret="secret")
    stored = raw_column(sample.pk)
    call_command("rotate_encryption_keys", stdout=(out := _Out()))
    assert raw_column(sample.pk) == stored
    assert "0 re-encrypted, 1 already under the first key" in out.text


@pytest.mark.django_db
def test_rotation_names_rows_that_no_key_can_read(use_keys):
    use_keys(OLD_KEY)
    lost = SecretSample.objects.create(label="lost", secret="secret")
    use_keys(NEW_KEY)
    kept = SecretSample.objects.create(label="kept", secret="secret")
    with pytest.raises(CommandError, match=f"SecretSample.secret \\(pk {lost.pk}\\)"):
        call_command("rotate_encryption_keys", stdout=_Out())
    assert SecretSample.objects.get(pk=kept.pk).secret == "secret"


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_admin_shows_a_secret_masked_and_never_in_the_page(staff_client):
    sample = SecretSample.objects.create(label="zoom", secret="client-secret-ABCDEFGH1234")
    page = staff_client.get(f"/admin/clinicpro_testing/secretsample/{sample.pk}/change/").content.decode()
    assert "client-secret" not in page
    assert "••••••••1234" in page


@pytest.mark.django_db
def test_admin_keeps_a_secret_left_blank_and_replaces_a_typed_one(staff_client):
    sample = SecretSample.objects.create(label="zoom", secret="first-secret-value-0000", other_secret="other-one")
    url = f"/admin/clinicpro_testing/secretsample/{sample.pk}/change/"
    response = staff_client.post(url, {"label": "zoom", "secret": "", "other_secret": "replaced-value"})
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.secret == "first-secret-value-0000"
    assert sample.other_secret == "replaced-value"


@pytest.mark.django_db
def test_admin_clears_a_secret_only_when_asked(staff_client):
    sample = SecretSample.objects.create(label="zoom", secret="s1", other_secret="o1")
    url = f"/admin/clinicpro_testing/secretsample/{sample.pk}/change/"
    staff_client.post(url, {"label": "zoom", "secret": "", "other_secret": "", "other_secret__clear": "1"})
    sample.refresh_from_db()
    assert (sample.secret, sample.other_secret) == ("s1", "")


@pytest.mark.django_db
def test_staff_with_view_permission_only_see_the_mask(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_secretsample"))
    client.force_login(viewer)
    sample = SecretSample.objects.create(label="zoom", secret="client-secret-ABCDEFGH1234")
    response = client.get(f"/admin/clinicpro_testing/secretsample/{sample.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "client-secret" not in page
    assert "••••••••1234" in page
