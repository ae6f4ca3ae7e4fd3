from django.urls import path

from .api import api
from .views import dashboard

urlpatterns = [
    path("api/v1/", api.urls),
    path("c/<slug:clinic_slug>/api-keys/", dashboard.api_keys, name="api_keys"),
    path("c/<slug:clinic_slug>/api-keys/<int:key_id>/revoke/", dashboard.api_key_revoke_view, name="api_key_revoke"),
    path("c/<slug:clinic_slug>/webhooks/", dashboard.webhooks, name="webhooks"),
    path("c/<slug:clinic_slug>/webhooks/<int:endpoint_id>/", dashboard.webhook_endpoint, name="webhook_endpoint"),
    path(
        "c/<slug:clinic_slug>/webhooks/<int:endpoint_id>/<slug:action>/",
        dashboard.webhook_endpoint_action,
        name="webhook_endpoint_action",
    ),
    path(
        "c/<slug:clinic_slug>/webhooks/deliveries/<int:delivery_id>/replay/",
        dashboard.webhook_replay,
        name="webhook_replay",
    ),
]
