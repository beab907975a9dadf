"""WSGI entry point (gunicorn caredesk.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.settings")
application = get_wsgi_application()
