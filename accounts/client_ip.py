"""The client's IP address, for login throttling.

Behind reverse proxies REMOTE_ADDR is the nearest proxy's address. Each proxy appends the
address it received the request from to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies
the client is that many entries from the right. Entries further left were sent by the client
and can be forged, so they are never used.
"""

from django.conf import settings


def client_ip(request):
    remote_addr = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < proxies:
        # The request did not come through all the proxies: only the direct peer is known.
        return remote_addr
    return forwarded[-proxies]
