"""The visitor's address as the site sees it, for per-visitor limits.

Behind N proxies that each append to X-Forwarded-For, the client is the N-th
entry from the right: everything further left was written by the client itself
and can be anything. With no proxy (TRUSTED_PROXY_COUNT=0), or a header with
fewer entries than proxies, REMOTE_ADDR is the only address not chosen by the client.
"""

from ipaddress import ip_address

from django.conf import settings


def client_address(request) -> str:
    """The client's IP address: from X-Forwarded-For per TRUSTED_PROXY_COUNT, else REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < proxies or not entries[-proxies]:
        return remote
    candidate = entries[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
