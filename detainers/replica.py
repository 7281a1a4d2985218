"""An optional read replica (DATABASE_REPLICA_URL): public reads go to it; writes, staff
and admin traffic, and everything outside a request stay on the primary.

A request reads from the replica only when it is a public read: GET or HEAD, outside the
admin, with no cookie but the CSRF one (a visitor, not a logged-in member of staff). Staff
therefore see their own corrections at once, and a write never reads what it is about to
change from a copy that may lag. Management commands, the shell and background work read
from the primary: the replica is used only inside ``ReplicaReadsMiddleware``.

Replication lag and the caches: the caches are keyed on the data version, which every
change bumps (cases.dataversion). A page read from a replica that has not yet replayed
the change would otherwise be cached under the new version and outlive it; so for
``DATABASE_REPLICA_MAX_LAG_SECONDS`` after a change, what a replica read computes is
served but not cached (``dataversion.cache_seconds``).
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
SAFE_READS = {"GET", "HEAD"}

_reading_replica = ContextVar("reading_replica", default=False)


def configured():
    return REPLICA in settings.DATABASES


def reading_replica():
    """Whether the current code reads from the replica (inside a public read, when there is one)."""
    return _reading_replica.get()


def is_visitor(request):
    """No cookie but the CSRF one: not logged in, no message waiting (shared with the page cache)."""
    return not set(request.COOKIES) - {settings.CSRF_COOKIE_NAME}


def is_public_read(request):
    if request.method not in SAFE_READS:
        return False
    if not is_visitor(request):
        return False  # a session (staff) or anything else: the primary, which has their writes
    return not request.path.startswith(("/" + settings.ADMIN_URL, "/_nested_admin/"))


class PrimaryReplicaRouter:
    """Reads go to the replica while ``reading_replica()``; every write to the primary."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading_replica.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two connections to it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica copies the primary's schema


class ReplicaReadsMiddleware:
    """Marks public reads, for the router. A streamed response (an export) reads its rows
    after the view has returned, so the mark is kept while the rows are read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured() or not is_public_read(request):
            return self.get_response(request)
        token = _reading_replica.set(True)
        try:
            response = self.get_response(request)
        finally:
            _reading_replica.reset(token)
        if response.streaming:
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response


def _streamed_from_replica(content):
    token = _reading_replica.set(True)
    try:
        yield from content
    finally:
        _reading_replica.reset(token)
