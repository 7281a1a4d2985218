"""Security helpers that settings refer to by dotted path."""

from django.conf import settings


def client_ip(request):
    """The client's address for login lockouts.

    Behind DJANGO_PROXY_COUNT trusted proxies, the address is taken that many entries
    from the right of X-Forwarded-For (entries further left can be forged by the client).
    """
    proxies = settings.PROXY_COUNT
    if proxies > 0:
        hops = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
