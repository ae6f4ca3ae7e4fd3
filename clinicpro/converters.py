"""URL converters for the bearer tokens in links."""

from django.urls import register_converter


class TokenConverter:
    """URL-safe base64 as secrets.token_urlsafe makes it: anything else (a NUL byte, a quote) is a 404."""

    regex = r"[A-Za-z0-9_-]{1,128}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")
