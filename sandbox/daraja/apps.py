from django.apps import AppConfig


class DarajaSandboxConfig(AppConfig):
    name = "sandbox.daraja"
    label = "sandbox_daraja"
    verbose_name = "Sandbox: Daraja (M-Pesa)"
