"""Atom feeds to subscribe to: one per watched entity and one for all, one entry per story.

What Google Alerts offers as RSS, for any feed reader or a Teams/Slack RSS connector. An entry's
id is the story's (`tag:rassegna,2025:story:STORY_ID`), so it stays the same from one
generation to the next and across feeds: a reader shows a story once, and a release picked up
by one more outlet updates its entry (new `updated`, the outlet added) instead of adding one.

Files are written under a temporary name and renamed, so a reader never sees half a feed;
`FeedServer` serves the folder over HTTP and rewrites it when the warehouse has changed.
"""

from __future__ import annotations

import os
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

ATOM = "http://www.w3.org/2005/Atom"
ID_PREFIX = "tag:rassegna,2025:"
MAX_ENTRIES = 200
# Characters XML 1.0 does not allow; a page's text may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FEED_FILE = re.compile(r"^(all|[a-z0-9][a-z0-9_-]{0,63})\.xml$")

ET.register_namespace("", ATOM)


def _query(name: str) -> str:
    return (resources.files("warehouse") / "reports" / f"{name}.sql").read_text("utf-8")


def load_rows(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(entity id, name) of every watched entity, and the feed rows (warehouse/reports/feed_stories.sql)."""
    entities = con.execute("SELECT entity_id, entity_name FROM entities ORDER BY kind DESC, lower(entity_name)").fetchall()
    cursor = con.execute(_query("feed_stories"))
    names = [d[0] for d in cursor.description]
    return entities, [dict(zip(names, row)) for row in cursor.fetchall()]


def _clean(value: Any) -> str:
    return _NOT_XML.sub("", "" if value is None else str(value))


def _stamp(value: datetime | None) -> str:
    # Stored times are UTC without a zone; Atom wants RFC 3339.
    return (value or datetime(1970, 1, 1)).replace(microsecond=0).isoformat() + "Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def _summary(row: dict[str, Any]) -> str:
    text = f"{row['outlet']}: {row['snippet'] or ''}"
    if (row["story_outlets"] or 1) > 1:
        text += f" (ripresa da {row['story_outlets']} testate: {', '.join(row['story_outlet_names'] or [])})"
    return text


def _feed(key: str, title: str, rows: list[dict[str, Any]], generated: datetime, base_url: str | None) -> bytes:
    """One Atom document; `rows` hold one row per story, newest first, each with its entities."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"{ID_PREFIX}feed:{key}")
    _sub(feed, "title", title)
    _sub(feed, "subtitle", "Rassegna stampa: una voce per notizia, con la frase che la cita")
    _sub(feed, "updated", _stamp(max((r["updated"] for r in rows if r["updated"]), default=generated)))
    author = _sub(feed, "author")
    _sub(author, "name", "Rassegna")
    _sub(feed, "generator", "Rassegna")
    if base_url:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base_url.rstrip('/')}/{key}.xml")
    for row in rows[:MAX_ENTRIES]:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{ID_PREFIX}story:{row['story_id']}")
        _sub(entry, "title", row["title"] or row["url"])
        if str(row["url"]).startswith(("http://", "https://")):
            _sub(entry, "link", rel="alternate", type="text/html", href=_clean(row["url"]))
        _sub(entry, "published", _stamp(row["published"]))
        _sub(entry, "updated", _stamp(row["updated"]))
        _sub(entry, "summary", _summary(row), type="text")
        for entity_id, entity_name in row["entities"]:
            _sub(entry, "category", term=entity_id, label=_clean(entity_name))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def build_feeds(entities: list[tuple[str, str]], rows: list[dict[str, Any]], generated: datetime,
                base_url: str | None = None) -> dict[str, bytes]:
    """File name -> Atom document: `ENTITY_ID.xml` per entity and `all.xml`."""
    per_story: dict[str, dict[str, Any]] = {}
    per_entity: dict[str, list[dict[str, Any]]] = {entity_id: [] for entity_id, _ in entities}
    for row in rows:
        own = {**row, "entities": [(row["entity_id"], row["entity_name"])]}
        per_entity.setdefault(row["entity_id"], []).append(own)
        # In the all-entities feed a story is one entry, tagged with every entity it names.
        story = per_story.setdefault(row["story_id"], {**row, "entities": []})
        story["entities"].append((row["entity_id"], row["entity_name"]))
        if row["updated"] and (story["updated"] is None or row["updated"] > story["updated"]):
            story["updated"] = row["updated"]
    names = dict(entities)
    files = {f"{entity_id}.xml": _feed(entity_id, f"Rassegna · {names.get(entity_id, entity_id)}", story_rows, generated,
                                       base_url)
             for entity_id, story_rows in per_entity.items()}
    everything = sorted(per_story.values(), key=lambda r: (r["updated"] or datetime.min, r["story_id"]), reverse=True)
    files["all.xml"] = _feed("all", "Rassegna · tutte le aziende e i programmi", everything, generated, base_url)
    return files


def _index(files: list[str], entities: list[tuple[str, str]]) -> bytes:
    names = dict(entities)
    links = "".join(f"<li><a href='{f}'>{names.get(f[:-4], 'Tutte le aziende e i programmi')}</a></li>"
                    for f in ["all.xml", *sorted(f for f in files if f != "all.xml")])
    return (f"<!doctype html><html lang='it'><head><meta charset='utf-8'><title>Feed di Rassegna</title></head>"
            f"<body><h1>Feed Atom di Rassegna</h1><ul>{links}</ul></body></html>").encode()


def write_feeds(con: duckdb.DuckDBPyConnection, out: Path, base_url: str | None = None) -> list[Path]:
    entities, rows = load_rows(con)
    files = build_feeds(entities, rows, datetime.now(timezone.utc).replace(tzinfo=None), base_url)
    files["index.html"] = _index(list(files), entities)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = out / name
        temporary = out / f".{name}.tmp"
        temporary.write_bytes(content)
        os.replace(temporary, target)  # atomic: a reader sees the old feed or the new one
        written.append(target)
    return written


class FeedServer:
    """Serve a feed folder over HTTP, rewriting it first whenever `changed()` says so."""

    def __init__(self, folder: Path, regenerate: Callable[[], None], changed: Callable[[], bool],
                 host: str = "127.0.0.1", port: int = 8090) -> None:
        self.folder, self.regenerate, self.changed = folder, regenerate, changed
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                name = self.path.split("?", 1)[0].lstrip("/") or "index.html"
                # Only the files we write: no path from a request reaches the file system otherwise.
                if name != "index.html" and not _FEED_FILE.match(name):
                    self.send_error(404)
                    return
                try:
                    server.refresh()
                except Exception as exc:  # the reader is told; the next request tries again
                    self.send_error(503, explain=f"the feeds could not be rewritten: {type(exc).__name__}: {exc}")
                    return
                path = server.folder / name
                if not path.is_file():
                    self.send_error(404)
                    return
                body = path.read_bytes()
                self.send_response(200)
                kind = "text/html" if name.endswith(".html") else "application/atom+xml"
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.address = self.httpd.server_address

    def refresh(self) -> None:
        with self._lock:
            if self.changed():
                self.regenerate()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.httpd.serve_forever, name="feed-server", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
