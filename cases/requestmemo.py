"""Values computed at most once per GET request: small reference tables that several parts
of one page read (facet labels, table cells, exports). The memo lives for one request only,
so a change made elsewhere shows on the next request, whatever the cache configuration;
outside a GET request (commands, writes, tests between requests) nothing is memoised."""

from asgiref.local import Local
from django.core.signals import request_finished, request_started

_state = Local()


def _started(sender, environ=None, **kwargs):
    method = (environ or {}).get("REQUEST_METHOD", "")
    _state.memo = {} if method in ("GET", "HEAD") else None


def _finished(sender, **kwargs):
    _state.memo = None


request_started.connect(_started, dispatch_uid="requestmemo-started")
request_finished.connect(_finished, dispatch_uid="requestmemo-finished")


def once(key, compute):
    """``compute()``, or the value it gave earlier in this GET request."""
    memo = getattr(_state, "memo", None)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(key, value):
    """Keep ``value`` for the rest of this GET request (nothing outside one)."""
    memo = getattr(_state, "memo", None)
    if memo is not None:
        memo[key] = value


def active():
    """Whether this thread is in a GET request, where ``once`` and ``remember`` keep values."""
    return getattr(_state, "memo", None) is not None


def recall(key, default=None):
    """What ``remember`` kept under ``key`` in this GET request, else ``default``."""
    memo = getattr(_state, "memo", None)
    return default if memo is None else memo.get(key, default)
