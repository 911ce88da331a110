"""The page's metadata (title, author, date, site, description) as trafilatura reads it, less what is never stored.

`trafilatura.bare_extraction(..., with_metadata=True)` runs `trafilatura.metadata.extract_metadata`,
which also reads the page's categories, tags and licence: three more searches of the whole
tree, ~4 ms of the ~20 ms a realistic news page costs to extract (benchmarks/pipeline_throughput.py
--realistic), for fields Rassegna does not keep. This is that function's sequence (trafilatura
2.x) without them, so the stored fields are the ones trafilatura would give; the text is
extracted apart, without metadata.
"""

from __future__ import annotations

import logging
from typing import Any

from courlan import extract_domain
from htmldate import find_date
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document

from rassegna.extraction.authors import find_author

LOGGER = logging.getLogger(__name__)


def page_metadata(tree: Any, url: str | None, date_params: dict[str, Any]) -> Document:
    """Title, author, date (htmldate with `date_params`), site name, description, URL of a parsed page."""
    metadata = examine_meta(tree)
    # trafilatura's own rule: a one-word author in the meta tags is a site or a handle.
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception as err:  # noqa: BLE001 (as trafilatura: its JSON-LD reader's own bugs)
        # A JSON-LD block trafilatura's reader trips on: the meta tags' values stand, as in
        # trafilatura itself, and the page is still read.
        LOGGER.warning("JSON-LD metadata not read on %s: %s", url, err)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        # trafilatura's author search, in one pass (rassegna.extraction.authors): 7 ms -> 2 ms.
        metadata.author = find_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (found := META_URL.match(metadata.url)):
        metadata.sitename = found[1]
    metadata.filedate = date_params.get("max_date")
    metadata.clean_and_trim()
    return metadata
