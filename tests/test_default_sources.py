"""The shipped config/sources.yaml: valid, every entry explained, nothing private, polite."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from rassegna.config import load_sources
from rassegna.netguard import BlockedAddress, check_url

ROOT = Path(__file__).parent.parent
SHIPPED = ROOT / "config" / "sources.yaml"
# Names that only resolve inside someone's own network.
PRIVATE_SUFFIXES = (".local", ".lan", ".internal", ".intranet", ".corp", ".home", ".home.arpa", ".localhost")


def test_shipped_sources_validate_with_unique_names() -> None:
    config = load_sources(SHIPPED)
    names = [s.name for s in config.sources]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    assert config.allow_private_networks is False
    # The regions where the companies are based each have at least their ANSA desk.
    for desk in ("veneto", "friuli", "lombardia", "puglia", "abruzzo", "valledaosta"):
        assert f"ansa-{desk}" in names


def test_every_entry_has_its_own_comment_above_it() -> None:
    lines = SHIPPED.read_text("utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^\s*- (\{\s*)?name:", line)]
    assert len(starts) == len(load_sources(SHIPPED).sources), "every source entry should start with '- name:'"
    for i in starts:
        above = lines[i - 1].strip() if i else ""
        assert above.startswith("#") and len(above.lstrip("# ")) > 10, f"line {i + 1}: no comment above {lines[i]!r}"
        assert not set(above) <= set("#- "), f"line {i + 1}: a section rule is not a comment on the entry"


def _hosts() -> list[tuple[str, str]]:
    return [(s.name, s.url) for s in load_sources(SHIPPED).sources]


@pytest.mark.parametrize(("name", "url"), _hosts())
def test_no_url_points_at_a_private_address(name: str, url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme == "https", f"{name}: fetch over https"
    host = parts.hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        # A name: a public domain with a dot and an alphabetic top-level label, nothing local.
        assert "." in host and host.rsplit(".", 1)[1].isalpha(), f"{name}: {host!r} is not a public domain name"
        assert host != "localhost" and not host.endswith(PRIVATE_SUFFIXES), f"{name}: {host!r} is a local name"
    else:
        pytest.fail(f"{name}: {address} is an IP literal; sources are named by domain")
    try:
        check_url(url, allow_private=False, resolve_names=False)
    except BlockedAddress as exc:
        pytest.fail(f"{name}: {exc}")


def test_the_crawl_is_polite() -> None:
    crawl = load_sources(SHIPPED).crawl
    assert crawl.download_delay >= 1.0
    assert crawl.concurrent_requests_per_domain <= 2
    assert "Rassegna" in crawl.user_agent
    # Site crawls stay shallow and inside their own pages.
    for source in load_sources(SHIPPED).sources:
        if source.kind == "site":
            assert source.max_depth <= 2 and source.allow, source.name


def test_the_structure_is_the_models() -> None:
    data = yaml.safe_load(SHIPPED.read_text("utf-8"))
    assert list(data) == ["allow_private_networks", "crawl", "health", "sources"]
