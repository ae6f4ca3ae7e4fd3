"""allauth adapter: rate limits keyed on the real client address, and no lockout by strangers."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from .net import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth counts failed logins per account; keyed on the account alone, five wrong
        # passwords from anywhere lock its owner out. Counting per account *and* address keeps
        # the guess limit for each attacker while the owner's own address stays open.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"
