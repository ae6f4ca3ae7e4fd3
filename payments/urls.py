from django.urls import path

from .views import callbacks, dashboard, patient

urlpatterns = [
    # Safaricom: the public id and secret name the clinic; the words mpesa and safaricom never appear.
    path("hooks/<str:public_id>/<str:secret>/stk-result/", callbacks.stk_result, name="payments_stk_result"),
    path(
        "hooks/<str:public_id>/<str:secret>/c2b-validation/", callbacks.c2b_validation, name="payments_c2b_validation"
    ),
    path(
        "hooks/<str:public_id>/<str:secret>/c2b-confirmation/",
        callbacks.c2b_confirmation,
        name="payments_c2b_confirmation",
    ),
    # Patients, behind their booking's token.
    path("b/<str:token>/pay/", patient.pay, name="payments_pay"),
    path("b/<str:token>/pay/<int:attempt_id>/", patient.waiting, name="payments_waiting"),
    path("b/<str:token>/pay/<int:attempt_id>/status/", patient.status, name="payments_attempt_status"),
    # Clinic dashboards.
    path("c/<slug:clinic_slug>/payments/", dashboard.payments_dashboard, name="payments_dashboard"),
    path("c/<slug:clinic_slug>/payments/export.csv", dashboard.payments_csv, name="payments_csv"),
    path(
        "c/<slug:clinic_slug>/payments/invoices/<int:invoice_id>/<slug:action>/",
        dashboard.invoice_action,
        name="payments_invoice_action",
    ),
    path("c/<slug:clinic_slug>/settings/payments/", dashboard.mpesa_settings_page, name="payments_settings"),
]
