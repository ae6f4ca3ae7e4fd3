from django.urls import path

from . import views

urlpatterns = [
    path(
        "2010-04-01/Accounts/<str:account_sid>/Messages.json",
        views.messages_view,
        name="sandbox_twilio_messages",
    ),
]
