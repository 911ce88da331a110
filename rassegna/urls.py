"""URL identity: one canonical form per article, via courlan."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import courlan


def canonical_url(url: str, base: str | None = None) -> str | None:
    """Absolute, normalised URL without fragment or tracking parameters; None if not http(s)."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # strict=True drops utm_*, fbclid, ref and similar tracking parameters.
    return courlan.normalize_url(absolute, strict=True)


def _site(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{parts.port or ''}"


def same_site(a: str, b: str) -> bool:
    return _site(a) == _site(b)
