"""WSGI entry point for gunicorn. Production is the default here: debug is off
unless DJANGO_DEBUG says otherwise, so a missing secret key stops the start."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

application = get_wsgi_application()

# Load the URLconf now, and with it every view module, instead of on the first request.
get_resolver().url_patterns  # noqa: B018 (reading it loads them)

# Move everything loaded so far (modules, settings, models, URL patterns and views) out of
# the garbage collector's view: a full collection then walks only the request's own
# objects, which keeps the slowest requests near the median (bench/gc_pause.py).
gc.collect()
gc.freeze()
