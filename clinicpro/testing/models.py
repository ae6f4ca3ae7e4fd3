"""A model with encrypted columns, so the field and key rotation are tested without any app's models."""

from django.db import models

from clinicpro.fields import EncryptedTextField


class SecretSample(models.Model):
    label = models.CharField(max_length=100)
    secret = EncryptedTextField()
    other_secret = EncryptedTextField(blank=True)

    def __str__(self) -> str:
        return self.label
