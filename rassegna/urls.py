"""URL identity: one canonical form per article, via courlan."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import courlan

# AMP copies of an article: a query switch (?amp=1, ?outputType=amp), a trailing /amp
# segment, or an .amp.html file. Their rel=canonical usually names the article already;
# this catches the links that reach us without a page (feed items, search results).
_AMP_QUERY = {"amp", "outputtype"}


def canonical_url(url: str, base: str | None = None) -> str | None:
    """Absolute, normalised URL without fragment or tracking parameters; None if not http(s)."""
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    # strict=True drops utm_*, fbclid, ref and similar tracking parameters.
    return _without_amp(courlan.normalize_url(absolute, strict=True))


def _without_amp(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower() in _AMP_QUERY and (k.lower() == "amp" or v.lower() == "amp"))]
    path = parts.path
    if path.lower().endswith("/amp") or path.lower().endswith("/amp/"):
        path = path[: path.lower().rindex("/amp")] or "/"
    elif re.search(r"\.amp\.html?$", path, re.IGNORECASE):
        path = re.sub(r"\.amp(\.html?)$", r"\1", path, flags=re.IGNORECASE)
    if path == parts.path and len(query) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return url  # untouched: re-encoding the query could change a stored article's identity
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), parts.fragment))


def _site(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{parts.port or ''}"


def same_site(a: str, b: str) -> bool:
    return _site(a) == _site(b)
