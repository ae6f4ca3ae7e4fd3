"""The owners' meeting settings page: who may see it, what it accepts, and the secret it never shows."""

import pytest
from django.db import connection
from django.urls import reverse

from clinicpro.models import Role
from clinicpro.testing.factories import PASSWORD, MembershipFactory, UserFactory
from meetings.models import ClinicMeetingSettings, settings_for

SECRET = "jitsi-app-secret-0123456789-abcdef"


def settings_url(clinic):
    return reverse("clinic_meeting_settings", args=[clinic.slug])


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def valid_form(**changes):
    data = {
        "default_provider": "selfhosted",
        "fallback_provider": "selfhosted",
        "base_url": "https://meet.uhuru-health.co.ke",
        "jitsi_app_id": "",
        "jitsi_app_secret": "",
        "jitsi_audience": "jitsi",
        "join_opens_minutes_before": "10",
        "join_closes_minutes_after": "30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- Who may use it ---------------------------------------------------------------------


def test_an_owner_sees_the_clinics_meeting_settings(client, clinic, owner):
    response = signed_in(client, owner).get(settings_url(clinic))

    assert response.status_code == 200
    assert "Meeting settings" in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_a_practitioner_may_not_change_them(client, clinic, practitioner):
    response = signed_in(client, practitioner.user).post(settings_url(clinic), valid_form())

    assert response.status_code == 403
    assert settings_for(clinic).base_url != "https://meet.uhuru-health.co.ke"


def test_an_owner_of_another_clinic_gets_404(client, clinic, owner, stranger):
    assert signed_in(client, stranger).get(settings_url(clinic)).status_code == 404
    assert signed_in(client, stranger).post(settings_url(clinic), valid_form()).status_code == 404
    assert settings_for(clinic).base_url != "https://meet.uhuru-health.co.ke"


def test_a_signed_out_visitor_is_sent_to_sign_in(client, clinic):
    response = client.get(settings_url(clinic))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_saving_changes_only_the_owners_own_clinic(client, clinic, owner, other_clinic):
    other_before = settings_for(other_clinic).base_url

    response = signed_in(client, owner).post(settings_url(clinic), valid_form())

    assert response.status_code == 302
    saved = ClinicMeetingSettings.objects.get(clinic=clinic)
    assert saved.base_url == "https://meet.uhuru-health.co.ke"
    assert (saved.join_opens_minutes_before, saved.join_closes_minutes_after) == (10, 30)
    assert settings_for(other_clinic).base_url == other_before


# --- Validation ----------------------------------------------------------------------------


def test_a_plain_http_room_server_is_refused_in_production(client, clinic, owner):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(base_url="http://meet.example.com"))

    assert response.status_code == 200
    assert "must use https://" in response.text
    assert settings_for(clinic).base_url != "http://meet.example.com"


def test_plain_http_is_fine_for_a_local_demo(client, clinic, owner, settings):
    settings.DEBUG = True

    response = signed_in(client, owner).post(settings_url(clinic), valid_form(base_url="http://localhost:8443"))

    assert response.status_code == 302
    assert settings_for(clinic).base_url == "http://localhost:8443"


@pytest.mark.parametrize("provider", ["zoom", "google", "microsoft"])
def test_the_backup_must_work_without_a_connected_account(client, clinic, owner, provider):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(fallback_provider=provider))

    assert response.status_code == 200
    assert response.context["form"].errors["fallback_provider"]
    assert settings_for(clinic).fallback_provider == "selfhosted"


def test_an_unknown_default_platform_is_refused(client, clinic, owner):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(default_provider="skype"))

    assert response.context["form"].errors["default_provider"]


def test_a_default_platform_that_needs_accounts_is_accepted(client, clinic, owner):
    signed_in(client, owner).post(settings_url(clinic), valid_form(default_provider="zoom"))

    assert settings_for(clinic).default_provider == "zoom"


@pytest.mark.parametrize("field", ["join_opens_minutes_before", "join_closes_minutes_after"])
@pytest.mark.parametrize("value", ["-5", "1441", "soon"])
def test_join_window_minutes_must_be_sensible(client, clinic, owner, field, value):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]


def test_an_app_id_without_its_secret_is_refused(client, clinic, owner):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(jitsi_app_id="uhuru-app"))

    assert "Give both the Jitsi app id and its secret" in response.text


# --- The secret is write-only ---------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_never_shown(client, clinic, owner):
    signed_in(client, owner).post(settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret=SECRET))

    assert settings_for(clinic).jitsi_app_secret == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT jitsi_app_secret FROM meetings_clinicmeetingsettings WHERE clinic_id = %s", [clinic.pk])
        (raw,) = cursor.fetchone()
    assert SECRET not in raw
    page = client.get(settings_url(clinic)).text
    assert SECRET not in page
    assert "cdef" in page  # the mask shows the last characters only, so owners can tell which secret it is


def test_leaving_the_secret_blank_keeps_the_stored_one(client, clinic, owner):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "uhuru-app", SECRET
    config.save()

    response = signed_in(client, owner).post(
        settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", join_opens_minutes_before="5")
    )

    assert response.status_code == 302
    config.refresh_from_db()
    assert config.jitsi_app_secret == SECRET
    assert config.join_opens_minutes_before == 5


def test_the_secret_can_be_replaced_and_cleared(client, clinic, owner):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "uhuru-app", SECRET
    config.save()
    signed_in(client, owner)

    client.post(
        settings_url(clinic),
        valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret="a-new-secret-value-of-decent-length-42"),
    )
    config.refresh_from_db()
    assert config.jitsi_app_secret == "a-new-secret-value-of-decent-length-42"

    client.post(settings_url(clinic), valid_form(jitsi_app_id="", **{"jitsi_app_secret__clear": "1"}))
    config.refresh_from_db()
    assert (config.jitsi_app_id, config.jitsi_app_secret) == ("", "")


def test_a_staff_member_gets_403(client, clinic):
    staff = MembershipFactory(clinic=clinic, role=Role.STAFF, user=UserFactory(username="frontdesk")).user

    assert signed_in(client, staff).get(settings_url(clinic)).status_code == 403


def test_a_short_jitsi_secret_is_refused_and_the_stored_one_kept(client, clinic, owner):
    config = settings_for(clinic)
    config.jitsi_app_id, config.jitsi_app_secret = "uhuru-app", SECRET
    config.save()

    response = signed_in(client, owner).post(
        settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret="short")
    )

    assert "at least 32 characters" in response.content.decode()
    assert settings_for(clinic).jitsi_app_secret == SECRET


# --- Rooms without a secret ----------------------------------------------------------------

OPEN_ROOMS_WARNING = "Host and patient links open your rooms the same way."


def test_an_owner_is_warned_that_rooms_without_a_secret_let_anyone_moderate(client, clinic, owner):
    page = signed_in(client, owner).get(settings_url(clinic)).text

    assert OPEN_ROOMS_WARNING in page
    assert "whoever joins first moderates it" in page
    assert 'set the <a href="#id_jitsi_app_id">Jitsi app id and secret</a> your room server checks tokens with' in page


def test_the_warning_goes_once_the_room_server_has_its_secret(client, clinic, owner):
    signed_in(client, owner).post(settings_url(clinic), valid_form(jitsi_app_id="uhuru-app", jitsi_app_secret=SECRET))

    assert OPEN_ROOMS_WARNING not in client.get(settings_url(clinic)).text


def test_the_warning_does_not_stop_an_owner_saving_without_a_secret(client, clinic, owner):
    response = signed_in(client, owner).post(settings_url(clinic), valid_form(join_opens_minutes_before="5"))

    assert response.status_code == 302
    assert settings_for(clinic).join_opens_minutes_before == 5
    assert OPEN_ROOMS_WARNING in client.get(response["Location"]).text
