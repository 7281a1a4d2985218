"""Project-level views: the health check and the error pages.

Error pages never touch the database, so they render even while it is down. A
database failure anywhere in a request becomes a 503 with Retry-After, not a 500.
"""

import sys
import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from . import replica

RETRY_AFTER_SECONDS = 30


@never_cache
def healthz(request):
    """200 when the database (and the read replica, if any) answers, 503 when it does not.
    Cheap enough for a load balancer."""
    started = time.perf_counter()
    checks = {}
    aliases = {"database": DEFAULT_DB_ALIAS, **({"replica": replica.REPLICA} if replica.configured() else {})}
    for name, alias in aliases.items():
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
            checks[name] = "ok"
        except DatabaseError:
            checks[name] = "unavailable"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
    except Exception:
        checks["cache"] = "unavailable"
    healthy = checks["database"] == "ok" and checks.get("replica", "ok") == "ok"
    checks["status"] = "ok" if healthy else "unavailable"
    checks["ms"] = round((time.perf_counter() - started) * 1000, 1)
    response = JsonResponse(checks, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _error(request, status, title, message):
    # No context processors: nothing here may need the database.
    html = get_template("errors/error.html").render({"status": status, "title": title, "message": message})
    return HttpResponse(html, status=status)


def service_unavailable(request):
    response = _error(
        request,
        503,
        "The database is unavailable",
        "The site cannot read its records right now. Nothing has been lost. Please try again in a minute.",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request, exception=None):
    return _error(request, 400, "Bad request", "The address or form could not be understood.")


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error(request, 403, "Forbidden", "You do not have permission to see this page.")


def page_not_found(request, exception=None):
    return _error(request, 404, "Page not found", "There is no page at this address. It may have been mistyped.")


@requires_csrf_token
def server_error(request):
    _, error, _ = sys.exc_info()
    if isinstance(error, DatabaseError):
        return service_unavailable(request)
    return _error(request, 500, "Something went wrong", "The error has been logged. Please try again later.")
