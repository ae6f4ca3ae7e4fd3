"""Django admin for platform staff: clinics, their members and invitations."""

from functools import partial
from typing import Any

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from . import services
from .models import Clinic, Invitation, Membership, Role
from .tasks import send_invitation_email


def _owners_left(clinic_id: int, *, leaving: set[int]) -> int:
    """Owners of the clinic in the database, not counting the memberships in `leaving`."""
    return Membership.objects.filter(clinic_id=clinic_id, role=Role.OWNER).exclude(pk__in=leaving).count()


LAST_OWNER = "A clinic always keeps at least one owner: make someone else an owner first."


class MembershipAdminForm(forms.ModelForm):
    """Refuses to demote or move a clinic's last owner, as the members page does."""

    class Meta:
        model = Membership
        fields = ["user", "clinic", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # a ModelForm's clean() returns its cleaned_data
        old = self.instance
        leaves = data.get("role") != Role.OWNER or data.get("clinic", old.clinic) != old.clinic
        if old.pk and old.role == Role.OWNER and leaves and not _owners_left(old.clinic_id, leaving={old.pk}):
            raise ValidationError(LAST_OWNER)
        return data


class MembershipInlineFormSet(BaseInlineFormSet):
    """The same rule across the whole inline: demoting or deleting every owner at once is refused too."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self.instance.pk:
            return
        leaving = {
            form.instance.pk
            for form in self.forms
            if form.instance.pk and (self._deleting(form) or form.cleaned_data.get("role") != Role.OWNER)
        }
        joining = sum(
            1
            for form in self.forms
            if not form.instance.pk and form.cleaned_data.get("role") == Role.OWNER and not self._deleting(form)
        )
        if not joining and not _owners_left(self.instance.pk, leaving=leaving):
            raise ValidationError(LAST_OWNER)

    def _deleting(self, form: forms.BaseForm) -> bool:
        # Django's own test for a form marked for deletion; django-stubs leaves this private method out.
        return bool(self._should_delete_form(form))  # type: ignore[attr-defined]


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["email", "role", "status", "invited_by", "expires_at", "accepted_by", "accepted_at"]
    readonly_fields = ["status", "invited_by", "accepted_by", "accepted_at"]
    show_change_link = True

    @admin.display(description="Status")
    def status(self, obj: Invitation) -> str:
        return obj.status.label if obj.pk else ""


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "currency", "member_count", "is_active", "created_at"]
    list_filter = ["is_active", "timezone", "currency"]
    search_fields = ["name", "slug", "contact_email", "contact_phone", "memberships__user__email"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline, InvitationInline]
    actions = ["deactivate", "activate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(member_count=Count("memberships", distinct=True))

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Clinic) -> int:
        return obj.member_count  # type: ignore[attr-defined]

    @admin.action(description="Deactivate selected clinics (dashboards and booking pages close)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.message_user(request, f"{queryset.update(is_active=False)} clinic(s) deactivated.")

    @admin.action(description="Activate selected clinics")
    def activate(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.message_user(request, f"{queryset.update(is_active=True)} clinic(s) activated.")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "user_email", "clinic", "role", "created_at"]
    list_filter = ["role", "clinic__is_active", "clinic"]
    search_fields = [
        "user__email",
        "user__username",
        "user__first_name",
        "user__last_name",
        "clinic__name",
        "clinic__slug",
    ]
    list_select_related = ["user", "clinic"]
    autocomplete_fields = ["user", "clinic"]
    readonly_fields = ["created_at"]
    form = MembershipAdminForm

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_remove(membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for membership in queryset:
            try:
                services.membership_remove(membership=membership)
            except services.TenancyError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except services.TenancyError as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    @admin.display(description="Email", ordering="user__email")
    def user_email(self, obj: Membership) -> str:
        return obj.user.email


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("pending", "Pending"), ("accepted", "Accepted"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        open_ = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        return {
            "pending": open_.filter(expires_at__gt=now),
            "accepted": queryset.filter(accepted_at__isnull=False),
            "revoked": queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False),
            "expired": open_.filter(expires_at__lte=now),
        }.get(self.value() or "", queryset)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "clinic", "role", "status", "invited_by", "created_at", "expires_at", "accepted_by"]
    list_filter = [InvitationStatusFilter, "role", "clinic"]
    search_fields = ["email", "clinic__name", "clinic__slug"]
    list_select_related = ["clinic", "invited_by", "accepted_by"]
    autocomplete_fields = ["clinic"]
    # The token is a bearer secret; the link is emailed to the invitee, not shown here.
    exclude = ["token"]
    readonly_fields = ["invited_by", "created_at", "accepted_at", "accepted_by", "revoked_at"]

    @admin.display(description="Status")
    def status(self, obj: Invitation) -> str:
        return obj.status.label

    actions = ["send_again"]

    def save_model(self, request: HttpRequest, obj: Invitation, form: object, change: bool) -> None:
        if not change and obj.invited_by_id is None:
            obj.invited_by_id = request.user.pk
        super().save_model(request, obj, form, change)
        if not change:
            transaction.on_commit(lambda: send_invitation_email.delay(obj.pk))

    @admin.action(description="Email the invitation link again (pending invitations only)")
    def send_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        pending = [i for i in queryset if i.is_usable]
        for invitation in pending:
            transaction.on_commit(partial(send_invitation_email.delay, invitation.pk))
        self.message_user(request, f"{len(pending)} invitation email(s) queued.")


# Staff sign in to admin through allauth's login, so the same failed-login rate limits apply.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
