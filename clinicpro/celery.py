"""The Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicpro.settings")

app = Celery("clinicpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _meeting_passes(sender: Celery, **kwargs: object) -> None:
    """Meetings' due pass: retries, moves and deletions scheduled on the rows, and abandoned leases."""
    from django.conf import settings

    sender.add_periodic_task(
        settings.MEETINGS_DUE_PASS_SECONDS, sender.signature("meetings.tasks.run_due_meetings"), name="run-due-meetings"
    )
