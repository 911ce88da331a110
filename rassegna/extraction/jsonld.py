"""The JSON-LD objects of a page, flattened, read once and shared by dates and walls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        # Yoast and most Italian CMS themes put the article inside @graph; hasPart and
        # mainEntity nest further objects (the paywalled part, the article of a WebPage).
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "isPartOf"):
            if key in value:
                yield from _walk(value[key])


# Real pages' JSON-LD is a few KB; a block this large is not metadata worth parsing.
MAX_SCRIPT_CHARS = 1_000_000


def jsonld_nodes(tree) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, @graph and nested parts included.

    A script that is not valid JSON is skipped: templates often leave a trailing comma
    or an unescaped quote, and one broken block must not hide the others.
    """
    nodes: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        raw = (script.text or "").strip()
        if not raw:
            continue
        if len(raw) > MAX_SCRIPT_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            # RecursionError: nesting deep enough to exhaust the parser is hostile, not data.
            continue
        nodes.extend(_walk(data))
    return nodes


def node_types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()


def is_article_node(node: dict[str, Any]) -> bool:
    """NewsArticle, Article, BlogPosting, ReportageNewsArticle, AnalysisNewsArticle..."""
    return any(t.endswith("Article") or t in ("BlogPosting", "LiveBlogPosting") for t in node_types(node))
