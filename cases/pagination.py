"""Pagination for big lists: a cap on depth, and a cached count for the unfiltered list.

Deep OFFSET pages cost more the deeper they go, so the case list shows at most
MAX_PAGES pages; the rest of a large result is reached with filters or the export,
which streams every row. The unfiltered count is the same for every visitor, so it is
cached until the data changes instead of counting a million rows on every request, and
a filtered count comes from the rollups when they can express the filters.
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from . import dataversion

MAX_PAGES = 200


class CappedPaginator(Paginator):
    max_pages = MAX_PAGES
    count_cache_key = None  # set by capped_paginator() when the count may be shared
    counter = None  # set by capped_paginator(): a faster exact count, or None when it cannot say

    def _count(self):
        counted = self.counter() if self.counter is not None else None
        return Paginator.count.func(self) if counted is None else counted

    @cached_property
    def count(self):
        if self.count_cache_key is None:
            return self._count()
        return cache.get_or_set(
            f"{self.count_cache_key}:v{dataversion.current()}", self._count, timeout=dataversion.cache_seconds()
        )

    @cached_property
    def num_pages(self):
        return min(Paginator.num_pages.func(self), self.max_pages)

    @property
    def is_capped(self):
        return Paginator.num_pages.func(self) > self.max_pages


def capped_paginator(count_cache_key=None, counter=None, capped=True):
    """A CappedPaginator class. ``counter()`` gives the exact count faster than COUNT(*) (from
    the rollups) or None; ``count_cache_key`` caches a count that every visitor shares;
    ``capped=False`` for every page (the detail pages' shorter lists)."""
    attributes = {"count_cache_key": count_cache_key, "counter": staticmethod(counter) if counter else None}
    if not capped:
        attributes["max_pages"] = 10**9
    return type("CappedPaginator", (CappedPaginator,), attributes)
