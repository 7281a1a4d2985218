"""WSGI entry point for gunicorn. Production is the default here: debug is off
unless DJANGO_DEBUG says otherwise, so a missing secret key stops the start."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

application = get_wsgi_application()
