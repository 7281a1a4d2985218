"""WSGI entry point for gunicorn. Production is the default here: debug is off
unless DJANGO_DEBUG says otherwise, so a missing secret key stops the start."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

application = get_wsgi_application()

# Move everything loaded so far (modules, settings, URL patterns, compiled templates) out
# of the garbage collector's view: a full collection then walks only the request's own
# objects, which keeps the slowest requests near the median.
gc.collect()
gc.freeze()
