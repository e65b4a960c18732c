"""Who is on the other end: client address, HTTPS, and Origin — believing proxies only when trusted.

``X-Forwarded-For`` / ``X-Forwarded-Proto`` are read only when the TCP peer is one of
``TRUSTED_PROXIES`` (the reverse proxy in front of the web app); from anyone else they are
ignored, so a client cannot spoof its address around a rate limit or fake HTTPS.
"""
from __future__ import annotations

from typing import Iterable, Optional
from urllib.parse import urlparse

from sanic import Request

from bot import settings


def _from_proxy(request: Request) -> bool:
    return bool(settings.TRUSTED_PROXIES) and request.ip in settings.TRUSTED_PROXIES


def client_ip(request: Request) -> str:
    """The client's address: the peer, or the proxy's last ``X-Forwarded-For`` hop when trusted."""
    if _from_proxy(request):
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.ip or "?"


def is_https(request: Request) -> bool:
    if _from_proxy(request):
        return request.headers.get("x-forwarded-proto", "").lower() == "https"
    return request.scheme in ("https", "wss")


def public_origin(request: Request) -> str:
    """``scheme://host`` of the web app as the browser sees it."""
    return f"{'https' if is_https(request) else 'http'}://{request.host}"


def same_origin(request: Request) -> bool:
    """No Origin header (not a browser), or the web app's own host."""
    origin = request.headers.get("origin")
    return origin is None or urlparse(origin).netloc == request.host


def origin_allowed(request: Request, extra: Iterable[str] = ()) -> bool:
    """Same origin, or one of the configured embedding sites (``WEB_ALLOWED_ORIGINS``)."""
    origin: Optional[str] = request.headers.get("origin")
    if origin is None or urlparse(origin).netloc == request.host:
        return True
    allowed = {o.rstrip("/").lower() for o in (*settings.WEB_ALLOWED_ORIGINS, *extra)}
    return origin.rstrip("/").lower() in allowed
