"""Every request that may write runs its view in one transaction: all of it, or nothing.

Like Django's ATOMIC_REQUESTS, but only for unsafe methods (POST, PUT, PATCH, DELETE):
public pages are GET requests that never write, and stay free of transaction overhead.
"""

from django.db import transaction

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class AtomicWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        with transaction.atomic():
            return view_func(request, *view_args, **view_kwargs)
