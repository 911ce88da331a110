"""decode_html: the header, then <meta charset>, then UTF-8, then windows-1252; wrong labels lose."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from rassegna.extraction.article import decode_html

SITE = Path(__file__).parent / "fixtures" / "site"

# Written for this file: Italian copy with accents, a curly apostrophe and the euro sign.
SENTENCE = "La città di Padova ha investito 3.500 € nell’ospedale: è già più efficiente."


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>Prova</title></head><body><p>{body}</p></body></html>"


def is_cp1252(name: str) -> bool:
    return codecs.lookup(name).name == "cp1252"


def is_utf8(name: str) -> bool:
    return codecs.lookup(name).name == "utf-8"


def test_utf8_with_header_charset() -> None:
    html = page(SENTENCE)
    text, encoding = decode_html(html.encode("utf-8"), "text/html; charset=UTF-8")
    assert text == html
    assert is_utf8(encoding)


def test_cp1252_without_any_charset() -> None:
    html = page(SENTENCE)
    body = html.encode("cp1252")
    # The bytes the spec calls out: à, ’ as 0x92 and € as 0x80.
    assert b"\xe0" in body and b"\x92" in body and b"\x80" in body
    text, encoding = decode_html(body, "text/html")
    assert text == html
    assert is_cp1252(encoding)


def test_cp1252_without_content_type_at_all() -> None:
    html = page(SENTENCE)
    text, _ = decode_html(html.encode("cp1252"), None)
    assert text == html


def test_cp1252_mislabelled_utf8_in_header() -> None:
    html = page(SENTENCE)
    text, encoding = decode_html(html.encode("cp1252"), "text/html; charset=utf-8")
    assert text == html
    assert "\ufffd" not in text
    assert is_cp1252(encoding)


def test_utf8_mislabelled_iso_8859_1_decodes_as_utf8() -> None:
    html = page(SENTENCE)
    text, encoding = decode_html(html.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert text == html
    assert "Ã" not in text  # no mojibake
    assert is_utf8(encoding)


def test_meta_charset_used_without_header() -> None:
    # ISO-8859-15: 0xA4 is €, 0xBD is œ (windows-1252 would give ¤ and ½).
    html = page("Prezzo 10 € per il cœur del progetto.", '<meta charset="iso-8859-15">')
    body = html.encode("iso-8859-15")
    assert b"\xa4" in body and b"\xbd" in body
    text, encoding = decode_html(body, "text/html")
    assert text == html
    assert codecs.lookup(encoding).name == "iso8859-15"


def test_meta_http_equiv_charset_used_without_header() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    html = page(SENTENCE, head)
    text, _ = decode_html(html.encode("cp1252"), None)
    assert text == html


def test_latin1_label_reads_cp1252_quotes_and_euro() -> None:
    # WHATWG: an iso-8859-1 label means windows-1252 (0x80 is €, 0x92 is ’, not C1 controls).
    html = page(SENTENCE)
    text, _ = decode_html(html.encode("cp1252"), "text/html; charset=ISO-8859-1")
    assert text == html


def test_wrong_header_then_meta_charset() -> None:
    html = page("Costa 10 € al chilo.", '<meta charset="iso-8859-15">')
    text, _ = decode_html(html.encode("iso-8859-15"), "text/html; charset=utf-8")
    assert text == html


def test_unknown_header_label_is_ignored() -> None:
    html = page(SENTENCE)
    text, _ = decode_html(html.encode("utf-8"), "text/html; charset=x-no-such-charset")
    assert text == html


def test_utf8_bom_wins_over_wrong_label() -> None:
    html = page(SENTENCE)
    body = codecs.BOM_UTF8 + html.encode("utf-8")
    text, encoding = decode_html(body, "text/html; charset=windows-1252")
    assert text == html  # BOM removed, text intact
    assert not text.startswith("\ufeff")
    assert is_utf8(encoding)


def test_plain_ascii_is_unchanged() -> None:
    html = page("Plain ASCII copy only.")
    text, _ = decode_html(html.encode("ascii"), "text/html; charset=utf-8")
    assert text == html


# --- the non-UTF-8 fixture pages of nordest-economia -------------------------------------


def _non_utf8_fixture_pages() -> list:
    entries = json.loads((SITE / "expected.json").read_text("utf-8"))
    params = []
    for entry in entries:
        if entry["outlet"] != "nordest-economia" or entry["expect"] != "article":
            continue
        path = SITE / entry["outlet"] / entry["path"].lstrip("/")
        try:
            path.read_bytes().decode("utf-8")
            continue
        except UnicodeDecodeError:
            pass
        params.append(pytest.param(entry, path, id=entry["path"].rsplit("/", 1)[-1]))
    return params


NON_UTF8 = _non_utf8_fixture_pages()


def test_fixture_site_has_the_two_non_utf8_pages() -> None:
    # expected.json notes: one windows-1252 page without charset, one ISO-8859-1 page labelled utf-8.
    names = {p.id for p in NON_UTF8}
    assert names == {"malvestio-letti-ospedalieri.html", "martinorossi-farine-senza-glutine.html"}


@pytest.mark.parametrize(("entry", "path"), NON_UTF8)
def test_non_utf8_fixture_page_decodes(entry: dict, path: Path) -> None:
    sidecar = path.with_name(path.name + ".headers")
    content_type = json.loads(sidecar.read_text("utf-8")).get("Content-Type") if sidecar.is_file() else None
    text, _ = decode_html(path.read_bytes(), content_type)
    assert "\ufffd" not in text
    assert "Ã" not in text
    assert entry["title"] in text
    for phrase in entry["must_contain"]:
        assert phrase in text
