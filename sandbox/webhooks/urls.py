from django.urls import path

from . import views

urlpatterns = [
    path("", views.inbox_page, name="sandbox_webhooks"),
    path("<slug:slug>/", views.receiver, name="sandbox_webhook_receiver"),
]
