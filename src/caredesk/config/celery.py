"""The Celery application: settings from Django's (the CELERY_ names), tasks from every
app's tasks.py. Started by `caredesk worker`."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.settings")

app = Celery("caredesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
