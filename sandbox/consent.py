"""The approve/deny page every emulated provider shows at its authorize URL.

Vendors differ in their parameters and in what they add to the redirect; the
page, the account chooser and the code issuing are shared.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render

from . import oauth, world
from .models import Account


@dataclass
class ConsentRequest:
    client_id: str
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str = ""
    code_challenge_method: str = ""
    # Vendor parameters the decision needs later (access_type, prompt, tenant).
    options: dict[str, str] = field(default_factory=dict)


class AuthorizeProblem(Exception):
    """A request that cannot be sent back (no usable redirect_uri): shown on the page."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


class AuthorizeRedirect(Exception):
    """A request refused back to the client: ?error=... on its redirect_uri."""

    def __init__(self, redirect_uri: str, params: dict[str, str]) -> None:
        super().__init__(params.get("error", ""))
        self.redirect_uri = redirect_uri
        self.params = params


@dataclass(frozen=True)
class ConsentScreen:
    service: str
    brand: str
    parse: Callable[[QueryDict], ConsentRequest]
    wants_refresh_token: Callable[[ConsentRequest, Account], bool]
    approved_params: Callable[[ConsentRequest, Account], dict[str, str]] = lambda request, account: {}
    denied_params: dict[str, str] = field(default_factory=lambda: {"error": "access_denied"})


class ConsentForm(forms.Form):
    email = forms.EmailField(label="Account")
    decision = forms.ChoiceField(choices=[("approve", "Allow"), ("deny", "Deny")])


def required_param(params: QueryDict, name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise AuthorizeProblem("invalid_request", f"Missing required parameter: {name}")
    return value


def checked_redirect_uri(params: QueryDict) -> str:
    uri = required_param(params, "redirect_uri")
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        raise AuthorizeProblem("invalid_request", f"Invalid parameter value for redirect_uri: {uri}")
    return uri


def pkce_params(params: QueryDict, redirect_uri: str, state: str) -> tuple[str, str]:
    challenge = params.get("code_challenge", "")
    method = params.get("code_challenge_method", "") or ("plain" if challenge else "")
    if method and method not in ("S256", "plain"):
        raise AuthorizeRedirect(
            redirect_uri,
            {"error": "invalid_request", "error_description": "Invalid code_challenge_method", "state": state},
        )
    return challenge, method


def redirect_with(uri: str, params: dict[str, str]) -> HttpResponseRedirect:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v != ""]
    return HttpResponseRedirect(urlunsplit(parts._replace(query=urlencode(query))))


def consent_view(request: HttpRequest, screen: ConsentScreen) -> HttpResponse:
    try:
        consent = screen.parse(request.GET)
    except AuthorizeProblem as problem:
        context = {"screen": screen, "problem": problem}
        return render(request, "sandbox/consent.html", context, status=400)
    except AuthorizeRedirect as refusal:
        return redirect_with(refusal.redirect_uri, refusal.params)

    form = ConsentForm(request.POST or None, initial={"email": world.DEFAULT_EMAILS[screen.service]})
    if request.method == "POST" and form.is_valid():
        return _decide(screen, consent, form.cleaned_data["email"], form.cleaned_data["decision"])
    context = {
        "screen": screen,
        "consent": consent,
        "form": form,
        "scopes": consent.scope.split(),
        "known_accounts": Account.objects.filter(service=screen.service).values_list("email", flat=True),
    }
    return render(request, "sandbox/consent.html", context)


def _decide(screen: ConsentScreen, consent: ConsentRequest, email: str, decision: str) -> HttpResponseRedirect:
    if decision != "approve":
        return redirect_with(consent.redirect_uri, {**screen.denied_params, "state": consent.state})
    account = world.account(screen.service, email)
    code = oauth.issue_code(
        service=screen.service,
        account=account,
        client_id=consent.client_id,
        redirect_uri=consent.redirect_uri,
        scope=consent.scope,
        code_challenge=consent.code_challenge,
        code_challenge_method=consent.code_challenge_method,
        issue_refresh_token=screen.wants_refresh_token(consent, account),
    )
    params = {"code": code, "state": consent.state, **screen.approved_params(consent, account)}
    return redirect_with(consent.redirect_uri, params)
