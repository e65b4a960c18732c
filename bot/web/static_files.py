"""Static pages and assets with the security headers the pages need."""
from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

from sanic import response

from bot import settings

STATIC = Path(__file__).resolve().parent / "static"
_BASE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'")


def security_headers(embeddable: bool) -> Dict[str, str]:
    """The chat page may be framed by the web app itself and the sites in ``WEB_ALLOWED_ORIGINS``
    (the city site that shows the widget); the console never."""
    frame = ("frame-ancestors " + " ".join(("'self'", *settings.WEB_ALLOWED_ORIGINS)) if embeddable
             else "frame-ancestors 'none'")
    headers = {"Content-Security-Policy": f"{_BASE_CSP}; {frame}", "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin"}
    if not embeddable:
        headers["X-Frame-Options"] = "DENY"
    return headers


@lru_cache(maxsize=64)
def _read(name: str) -> bytes:
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file():
        raise FileNotFoundError(name)
    return path.read_bytes()


def static_response(name: str, embeddable: bool = False, replacements: Optional[Dict[str, str]] = None,
                    status: int = 200):
    try:
        body = _read(name)
    except FileNotFoundError:
        return response.text("not found", status=404)
    if replacements:
        text = body.decode("utf-8")
        for key, value in replacements.items():
            text = text.replace("{{" + key + "}}", value)
        body = text.encode("utf-8")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    headers = {**security_headers(embeddable), "Cache-Control": "no-cache"}
    return response.raw(body, status=status, content_type=content_type, headers=headers)
