"""Google's OAuth endpoints: consent, code exchange with PKCE, refresh, revoke, userinfo."""

from urllib.parse import urlencode

import jwt

from sandbox import faults, world
from sandbox.models import Service
from sandbox.testing import answer_consent, pkce_pair, query_of

REDIRECT = "http://clinic.test/integrations/google/callback"
SCOPES = "openid email https://www.googleapis.com/auth/calendar.events"


def authorize_url(sandbox, challenge, **extra):
    params = {
        "client_id": "clinicpro-web",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": SCOPES,
        "state": "st4te",
        "access_type": "offline",
        "prompt": "consent",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    return f"{sandbox}/google/o/oauth2/v2/auth?{urlencode(params)}"


def exchange(http, sandbox, code, verifier, secret="s3cret", redirect_uri=REDIRECT):
    return http.post(
        f"{sandbox}/google/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": "clinicpro-web",
            "client_secret": secret,
            "code_verifier": verifier,
        },
    )


def connect(http, sandbox, **extra):
    verifier, challenge = pkce_pair()
    location = answer_consent(authorize_url(sandbox, challenge, **extra), session=http)
    return exchange(http, sandbox, query_of(location)["code"], verifier)


def test_the_consent_page_shows_the_scopes_and_the_default_account(sandbox, http):
    page = http.get(authorize_url(sandbox, pkce_pair()[1]))

    assert page.status_code == 200
    assert "Sign in with Google" in page.text
    assert "https://www.googleapis.com/auth/calendar.events" in page.text
    assert 'value="dr.amina@gmail.test"' in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text


def test_approving_redirects_with_a_code_the_state_and_the_scope(sandbox, http):
    location = answer_consent(authorize_url(sandbox, pkce_pair()[1]), session=http)

    assert location.startswith(REDIRECT + "?")
    params = query_of(location)
    assert params["code"].startswith("4/0")
    assert params["state"] == "st4te"
    assert params["scope"] == SCOPES


def test_denying_redirects_with_access_denied_and_the_state(sandbox, http):
    location = answer_consent(authorize_url(sandbox, pkce_pair()[1]), decision="deny", session=http)

    assert query_of(location) == {"error": "access_denied", "state": "st4te"}


def test_an_authorize_request_without_a_client_id_is_refused_on_the_page(sandbox, http):
    page = http.get(f"{sandbox}/google/o/oauth2/v2/auth?redirect_uri={REDIRECT}&response_type=code&scope=email")

    assert page.status_code == 400
    assert "Missing required parameter: client_id" in page.text


def test_the_code_exchange_answers_tokens_as_google_does(sandbox, http):
    answer = connect(http, sandbox)

    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"access_token", "expires_in", "refresh_token", "scope", "token_type", "id_token"}
    assert body["expires_in"] == 3599
    assert body["token_type"] == "Bearer"
    assert body["scope"] == SCOPES
    assert body["access_token"].startswith("ya29.")
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["email"] == "dr.amina@gmail.test"
    assert claims["aud"] == "clinicpro-web"


def test_online_access_gets_no_refresh_token(sandbox, http):
    body = connect(http, sandbox, access_type="online").json()

    assert "refresh_token" not in body


def test_a_second_offline_consent_without_prompt_consent_gets_no_refresh_token(sandbox, http):
    assert "refresh_token" in connect(http, sandbox, prompt="").json()

    assert "refresh_token" not in connect(http, sandbox, prompt="").json()
    assert "refresh_token" in connect(http, sandbox, prompt="consent").json()


def test_a_wrong_code_verifier_is_refused(sandbox, http):
    _verifier, challenge = pkce_pair()
    code = query_of(answer_consent(authorize_url(sandbox, challenge), session=http))["code"]

    answer = exchange(http, sandbox, code, "not-the-verifier")

    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}


def test_a_code_works_once(sandbox, http):
    verifier, challenge = pkce_pair()
    code = query_of(answer_consent(authorize_url(sandbox, challenge), session=http))["code"]
    assert exchange(http, sandbox, code, verifier).status_code == 200

    again = exchange(http, sandbox, code, verifier)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_the_redirect_uri_must_match_the_one_authorized(sandbox, http):
    verifier, challenge = pkce_pair()
    code = query_of(answer_consent(authorize_url(sandbox, challenge), session=http))["code"]

    answer = exchange(http, sandbox, code, verifier, redirect_uri="http://elsewhere.test/cb")

    assert answer.status_code == 400
    assert answer.json()["error"] == "redirect_uri_mismatch"


def test_a_wrong_client_secret_is_invalid_client_401(sandbox, http):
    assert connect(http, sandbox).status_code == 200
    verifier, challenge = pkce_pair()
    code = query_of(answer_consent(authorize_url(sandbox, challenge), session=http))["code"]

    answer = exchange(http, sandbox, code, verifier, secret="wrong")

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client", "error_description": "Unauthorized"}


def refresh(http, sandbox, refresh_token):
    return http.post(
        f"{sandbox}/google/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": "clinicpro-web",
            "client_secret": "s3cret",
        },
    )


def test_a_refresh_answers_a_new_access_token_and_keeps_the_refresh_token(sandbox, http):
    tokens = connect(http, sandbox).json()

    first = refresh(http, sandbox, tokens["refresh_token"])
    second = refresh(http, sandbox, tokens["refresh_token"])

    assert first.status_code == second.status_code == 200
    assert first.json()["access_token"] != tokens["access_token"]
    assert "refresh_token" not in first.json()
    assert first.json()["expires_in"] == 3599


def test_a_revoked_grant_refuses_refresh_with_googles_exact_error(sandbox, http):
    tokens = connect(http, sandbox).json()

    revoked = http.post(f"{sandbox}/google/revoke", data={"token": tokens["refresh_token"]})
    answer = refresh(http, sandbox, tokens["refresh_token"])

    assert revoked.status_code == 200
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    userinfo = http.get(
        f"{sandbox}/google/oauth2/v3/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert userinfo.status_code == 401


def test_revoke_grants_from_a_test_refuses_refresh(sandbox, http):
    tokens = connect(http, sandbox).json()

    faults.revoke_grants(Service.GOOGLE)

    assert refresh(http, sandbox, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_userinfo_names_the_account(sandbox, http):
    tokens = connect(http, sandbox).json()

    answer = http.get(
        f"{sandbox}/google/oauth2/v3/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert answer.status_code == 200
    assert answer.json()["email"] == "dr.amina@gmail.test"
    assert answer.json()["sub"] == world.account(Service.GOOGLE).uid


def test_the_chosen_account_is_the_one_connected(sandbox, http):
    verifier, challenge = pkce_pair()
    location = answer_consent(authorize_url(sandbox, challenge), email="dr.otieno@gmail.test", session=http)
    tokens = exchange(http, sandbox, query_of(location)["code"], verifier).json()

    answer = http.get(
        f"{sandbox}/google/oauth2/v3/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )

    assert answer.json()["email"] == "dr.otieno@gmail.test"
