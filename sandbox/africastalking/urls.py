from django.urls import path

from . import views

urlpatterns = [
    path("version1/messaging", views.send_sms, name="sandbox_africastalking_messaging"),
]
