"""Whole public pages for anonymous visitors, cached until the data changes, with ETag
and Last-Modified so that a browser or proxy can revalidate with a 304.

A shared link opened by thousands of people is rendered once per data version: the key
is the data version (cases.dataversion, bumped by every publish, correction or edit)
and the full URL (scheme, host, path, canonical query string), so a correction shows on
the very next request. Only GET requests without a session or other cookie are served
from the cache; staff, who are logged in, always get a fresh page. Only complete 200
responses that set no cookie and do not forbid storing are kept.

Security headers added by the middleware outside this one (SecurityMiddleware, CSP) are
added again to every cached response; headers added inside (X-Frame-Options) are kept
with it.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from . import replica

MAX_BYTES = 1_000_000
SKIPPED_HEADERS = {"set-cookie", "content-length"}


def _seconds():
    from cases import dataversion

    return dataversion.cache_seconds(settings.PAGE_CACHE_SECONDS)


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped_prefixes = ("/" + settings.ADMIN_URL, "/healthz", settings.STATIC_URL)

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        from cases import dataversion

        url = request.build_absolute_uri()
        key = f"page:v{dataversion.current()}:{hashlib.sha256(url.encode()).hexdigest()}"
        entry = cache.get(key)
        if entry is not None:
            response = HttpResponse(entry["content"], status=200)
            for name, value in entry["headers"]:
                response[name] = value
            response["X-Page-Cache"] = "hit"
        else:
            response = self.get_response(request)
            if not self._cacheable_response(response):
                return response
            response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["Last-Modified"] = http_date(dataversion.data_as_of().timestamp())
            patch_cache_control(response, no_cache=True)  # store, but revalidate: corrections show at once
            headers = [(n, v) for n, v in response.items() if n.lower() not in SKIPPED_HEADERS]
            cache.set(key, {"content": response.content, "headers": headers}, timeout=_seconds())
            response["X-Page-Cache"] = "miss"
        return get_conditional_response(request, etag=response["ETag"], last_modified=None, response=response)

    def _cacheable_request(self, request):
        if settings.PAGE_CACHE_SECONDS <= 0 or request.method != "GET":
            return False
        if not replica.is_visitor(request):
            return False  # a session (staff), messages, or anything else that may change the page
        if "_export" in request.META.get("QUERY_STRING", ""):
            return False  # a download, streamed (read raw: request.GET may not parse a malformed query)
        return not request.path.startswith(self.skipped_prefixes)

    def _cacheable_response(self, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = response.get("Cache-Control", "")
        if "no-store" in control or "private" in control:
            return False
        return len(response.content) <= MAX_BYTES
