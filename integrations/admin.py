from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clinicpro.admin_secrets import MaskedSecretsAdminMixin
from clinicpro.fields import mask

from .models import Connection, ConnectionStatus
from .tokens import connection_mark_needs_reconnect


@admin.register(Connection)
class ConnectionAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    list_display = [
        "clinic",
        "owner",
        "provider",
        "kind",
        "status",
        "account_email",
        "masked_access_token",
        "expires_at",
        "last_error_short",
        "updated_at",
    ]
    list_filter = ["provider", "status", "kind", "clinic"]
    search_fields = ["account_email", "clinic__name", "clinic__slug", "membership__user__email", "account_id"]
    list_select_related = ["clinic", "membership__user"]
    raw_id_fields = ["clinic", "membership"]
    readonly_fields = ["last_refreshed_at", "calendar_error_at", "created_at", "updated_at"]
    actions = ["force_reconnect"]
    fieldsets = [
        (None, {"fields": ["clinic", "membership", "provider", "kind", "status", "account_email", "scopes"]}),
        ("Tokens", {"fields": ["access_token", "refresh_token", "expires_at", "last_refreshed_at"]}),
        ("Zoom Server-to-Server", {"fields": ["account_id", "client_id", "client_secret"], "classes": ["collapse"]}),
        ("Problems", {"fields": ["last_error", "calendar_error_at"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Owner")
    def owner(self, connection: Connection) -> str:
        return str(connection.membership.user) if connection.membership is not None else "Whole clinic"

    @admin.display(description="Access token")
    def masked_access_token(self, connection: Connection) -> str:
        return mask(connection.access_token)

    @admin.display(description="Last error")
    def last_error_short(self, connection: Connection) -> str:
        return connection.last_error[:80]

    @admin.action(description="Force reconnect (the owner must connect the account again)")
    def force_reconnect(self, request: HttpRequest, queryset: QuerySet[Connection]) -> None:
        count = 0
        for connection in queryset.filter(status=ConnectionStatus.ACTIVE):
            connection_mark_needs_reconnect(
                connection=connection, error=f"Platform staff asked for a reconnect ({request.user})."
            )
            count += 1
        self.message_user(request, f"{count} connection(s) now need reconnecting.", messages.SUCCESS)
