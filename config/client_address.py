"""The visitor's address, the one every limit, the login throttling and the logs agree on.

Behind TRUSTED_PROXY_COUNT proxies, each appends the address it received the
request from to X-Forwarded-For, so the visitor's address is the N-th entry
from the right; anything further left was written by the visitor and may be
forged. With no proxy (0), or a header with too few or malformed entries (a
request that bypassed the proxy, a misconfigured hop), REMOTE_ADDR is the
only address nobody but the network wrote.
"""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def _valid(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The visitor's IP address as a string ("" when not even REMOTE_ADDR is one)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < count:
        return remote
    return _valid(entries[-count]) or remote


def visitor_key(request, purpose="visitor"):
    """A keyed hash of the visitor's address for counting in the database without storing the address."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{purpose}:{client_address(request)}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
