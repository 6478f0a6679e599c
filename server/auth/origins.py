"""Which origins may act with the session cookie: the server's own and the configured
ones (``TUTTI_CORS_ORIGINS``; its ``*`` never counts here, a wildcard must not extend to
cookie calls). Shared by the HTTP Origin check and the socket connect. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL (a ``Referer``), lower-cased, or None."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def origin_allowed(claimed: str, own: str, configured: Iterable[str]) -> bool:
    allowed = {own.lower(), *(o.lower().rstrip("/") for o in configured if o != "*")}
    return claimed.lower().rstrip("/") in allowed
