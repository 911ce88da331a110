"""SSRF guard: only http(s), only public addresses (unless private networks are allowed)."""

from __future__ import annotations

import pytest

from rassegna.netguard import BlockedAddress, check_url


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.0.0.1:8000/admin",
        "http://10.1.2.3/",
        "http://172.16.0.5/",
        "http://172.31.255.254/",
        "http://192.168.1.1/router",
        "http://169.254.169.254/latest/meta-data/",
        "http://224.0.0.1/",
        "http://0.0.0.0:8080/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[fc00::1]/",
        "https://localhost/",
        "http://LOCALHOST:9000/",
    ],
)
def test_non_public_addresses_blocked(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url)


@pytest.mark.parametrize("url", ["http://2130706433/", "http://0x7f000001/", "http://127.1/"])
def test_numeric_loopback_spellings_blocked(url: str) -> None:
    # Not canonical IP literals, but the resolver reads them as 127.0.0.1.
    with pytest.raises(BlockedAddress):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://93.184.216.34/pub/", "gopher://93.184.216.34:70/", "data:text/html,hi", "javascript:alert(1)"],
)
def test_non_http_schemes_blocked(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url)


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "https://93.184.216.34:8443/news?id=1", "http://[2606:4700:4700::1111]/"])
def test_public_ip_literal_allowed(url: str) -> None:
    check_url(url)  # no exception; an IP literal needs no DNS


def test_url_without_host_blocked() -> None:
    with pytest.raises(BlockedAddress):
        check_url("http:///path-only")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/feed.xml", "http://localhost/", "http://192.168.0.10/"])
def test_allow_private_lets_private_through(url: str) -> None:
    check_url(url, allow_private=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/"])
def test_allow_private_still_refuses_other_schemes(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url(url, allow_private=True)
