"""Mounted at /sandbox/daraja/: Daraja's own paths under it, and the virtual phone."""

from django.urls import path

from . import views

urlpatterns = [
    path("oauth/v1/generate", views.oauth, name="sandbox_daraja_oauth"),
    path("mpesa/stkpush/v1/processrequest", views.stk_push, name="sandbox_daraja_stk_push"),
    path("mpesa/stkpushquery/v1/query", views.stk_query, name="sandbox_daraja_stk_query"),
    path("mpesa/c2b/v1/registerurl", views.c2b_register_v1, name="sandbox_daraja_c2b_register_v1"),
    path("mpesa/c2b/v2/registerurl", views.c2b_register_v2, name="sandbox_daraja_c2b_register_v2"),
    path("mpesa/c2b/v1/simulate", views.c2b_simulate, name="sandbox_daraja_c2b_simulate"),
    path("phone/", views.phone, name="sandbox_daraja_phone"),
    path("phone/<str:checkout_request_id>/answer/", views.phone_answer, name="sandbox_daraja_phone_answer"),
]
