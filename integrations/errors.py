"""What the token API and the OAuth flow raise."""


class ReconnectRequired(Exception):
    """The provider refused the connection's grant (invalid_grant, revoked, bad credentials).

    Retrying will not help: the practitioner (or, for Zoom Server-to-Server, the
    clinic owner) must connect the account again. The connection is already
    marked needs_reconnect when this is raised.
    """

    def __init__(self, connection_id: int | None, message: str = "The account must be reconnected.") -> None:
        super().__init__(message)
        self.connection_id = connection_id


class TokenRefreshFailed(Exception):
    """A refresh could not be completed for now (5xx, 429, timeout, network): try again later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthorizationFailed(Exception):
    """The OAuth authorization flow ended without a connection; the message is for the user."""
