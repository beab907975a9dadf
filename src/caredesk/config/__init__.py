"""Configuration: settings, URLs, the API, and the Celery application (imported here so
that every @shared_task binds to it)."""

from caredesk.config.celery import app as celery_app

__all__ = ["celery_app"]
