from django.contrib import admin

from clinicpro.admin_secrets import MaskedSecretsAdminMixin

from .models import SecretSample


@admin.register(SecretSample)
class SecretSampleAdmin(MaskedSecretsAdminMixin, admin.ModelAdmin):
    list_display = ["label"]
    # Declared fieldsets with a row of two, so the masking of nested field names is exercised.
    fieldsets = [(None, {"fields": ["label", ("secret", "other_secret")]})]
