"""The production WSGI app plus one URL that always fails, so that tests can see the
real 500 page and its headers. Used only by tests, never deployed."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "detainers.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django
from django.conf import settings

django.setup()
settings.ROOT_URLCONF = "tests.support.error_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
