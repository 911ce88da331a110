"""Run the spiders for a sources file:
`python -m spiders.crawl SOURCES OUT_DIR [--only NAME...] [--inputs DIR] [--watchlist PATH] [--window SINCE UNTIL]`.

The flow calls this in a child process. Twisted's reactor cannot be restarted
in a process, so a crawl per child lets one Python process run the monitor
any number of times (a served deployment, the test suite); it also bounds the
crawl's memory and lets the flow kill a crawl that overruns its time budget
without losing what was already written.
"""

from __future__ import annotations

import argparse
import subprocess
import os
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from rassegna.archives.windows import Window, parse_day
from rassegna.config import ConfigError, SourcesConfig, Watchlist, load_sources, load_watchlist
from rassegna.lifecycle import exit_with_parent
from rassegna.queries import discovery_queries
from spiders import settings as default_settings
from spiders.bing_news import BingNewsSpider
from spiders.gdelt import GdeltSpider
from spiders.google_news import GoogleNewsSpider
from spiders.feed import FeedSpider
from spiders.site import SiteSpider
from spiders.sitemap import SitemapSpider
from spiders.web_archive import WebArchiveSpider

KNOWN_URLS = "known-urls.txt"
VALIDATORS = "validators.json"
ARCHIVE_CAPTURES = "archive-captures.ndjson"  # a backfill's captures to fetch (rassegna/archives/cdx.py)

SPIDERS = {
    "feed": FeedSpider, "sitemap": SitemapSpider, "site": SiteSpider,
    "google_news": GoogleNewsSpider, "bing_news": BingNewsSpider, "gdelt": GdeltSpider,
    "web_archive": WebArchiveSpider,
}


# GDELT's own service asks for at most one request every 5 seconds, whatever delay the
# operator sets for the other hosts; a stand-in elsewhere (tests) follows the crawl's delay.
GDELT_HOST = "api.gdeltproject.org"
GDELT_MIN_DELAY = 5.0


def _gdelt_slots(config: SourcesConfig) -> dict[str, dict[str, Any]]:
    """GDELT endpoints and web archives' copies: one request at a time, spaced by the full
    delay (Scrapy would otherwise randomise it down to half). Archives throttle hard."""
    from rassegna.archives.cdx import COMMONCRAWL_CONTENT, WAYBACK_CONTENT

    hosts = {urlsplit(s.url).hostname for s in config.enabled_sources if s.kind == "gdelt"}
    hosts |= {urlsplit(s.content_url or (WAYBACK_CONTENT if s.archive == "wayback" else COMMONCRAWL_CONTENT)).hostname
              for s in config.enabled_sources if s.kind == "web_archive"}
    delay = config.crawl.download_delay
    return {
        host: {"concurrency": 1, "delay": max(delay, GDELT_MIN_DELAY) if host == GDELT_HOST else delay,
               "randomize_delay": False}
        for host in hosts if host
    }


def settings_for(
    config: SourcesConfig, out_dir: Path, log_file: Path | None = None, inputs_dir: Path | None = None
) -> Settings:
    inputs = inputs_dir or out_dir
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    crawl = config.crawl
    settings.setdict(
        {
            "USER_AGENT": crawl.user_agent,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
            "DOWNLOAD_TIMEOUT": crawl.timeout,
            "DNS_TIMEOUT": min(crawl.timeout, 20),
            "RETRY_TIMES": crawl.retries,
            "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
            "RASSEGNA_RETRY_AFTER_MAX": crawl.retry_after_max,
            "RASSEGNA_ALLOW_PRIVATE_NETWORKS": config.allow_private_networks,
            "RASSEGNA_OUTPUT_DIR": str(out_dir),
            # Written by the flow before the crawl: what the warehouse already holds.
            "RASSEGNA_KNOWN_URLS": str(inputs / KNOWN_URLS),
            "RASSEGNA_VALIDATORS": str(inputs / VALIDATORS),
            "RASSEGNA_ARCHIVE_CAPTURES": str(inputs / ARCHIVE_CAPTURES),
            "LOG_FILE": str(log_file) if log_file else None,
            "DOWNLOAD_SLOTS": _gdelt_slots(config),
        },
        priority="cmdline",
    )
    return settings


def discovery_plan(config: SourcesConfig, watchlist: Watchlist | None, only: list[str] | None = None) -> dict[str, list[str]]:
    """Source name -> its searches: the source's own `queries`, else those built from the watchlist."""
    plan = {}
    generated: list[str] | None = None
    for source in config.enabled_sources:
        if not source.discovery or (only and source.name not in only):
            continue
        if source.queries:
            plan[source.name] = list(source.queries)
            continue
        if watchlist is None:
            raise ConfigError(
                f"source {source.name!r} (kind {source.kind}) lists no queries: give it `queries:` "
                "or run the crawl with --watchlist so they are built from the watchlist"
            )
        if generated is None:
            generated = discovery_queries(watchlist)
        plan[source.name] = generated
    return plan


def crawl(
    config: SourcesConfig, out_dir: Path, only: list[str] | None = None, plan: dict[str, list[str]] | None = None,
    inputs_dir: Path | None = None, window: Window | None = None, today: str | None = None,
) -> None:
    """Run the spiders; `plan` is `discovery_plan`'s answer (the searches of discovery sources);
    `window`: a backfill's date window, which each spider asks its engine or sitemap for."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = plan or {}
    process = CrawlerProcess(settings_for(config, out_dir, out_dir / "scrapy.log", inputs_dir))
    for source in config.enabled_sources:
        if only and source.name not in only:
            continue
        if window is None and source.backfill_only:
            continue
        kwargs: dict[str, Any] = {"source": source.model_dump(), "max_pages": config.crawl.max_pages_per_source}
        if source.name in plan:
            kwargs["queries"] = plan[source.name]
        if window is not None:
            kwargs["window"] = window.as_dict()
        if today is not None:
            kwargs["today"] = today
        # Each crawler gets its own pipeline instances, so the per-source files stay separate.
        process.crawl(SPIDERS[source.kind], **kwargs)
    process.start()


class CrawlProcess:
    """The crawl child as the flow sees it: started, held to a time budget, finished.

    At the deadline the child gets SIGTERM, on which Scrapy stops gracefully and
    still writes every source's tally; SIGKILL follows only if it ignores that.
    """

    GRACE_S = 30.0

    def __init__(
        self, sources_file: Path, out_dir: Path, budget_s: float, watchlist_file: Path | None = None,
        only: list[str] | None = None, inputs_dir: Path | None = None, window: Window | None = None,
        today: str | None = None,
    ) -> None:
        """`only`: crawl just these sources (a shard's); `inputs_dir`: where the flow wrote the
        known URLs and validators, when several crawls share one copy (default: `out_dir`);
        `window`: a backfill's date window."""
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.deadline = time.monotonic() + budget_s
        self.stopping_since: float | None = None
        # Our pid, for the child to watch: its getppid() would name init if this run
        # were killed while the child was still importing.
        command = [sys.executable, "-m", "spiders.crawl", str(sources_file), str(out_dir), "--parent", str(os.getpid())]
        if watchlist_file is not None:
            # Discovery sources without their own queries search for the watched entities.
            command += ["--watchlist", str(watchlist_file)]
        if only:
            command += ["--only", *only]
        if inputs_dir is not None:
            command += ["--inputs", str(inputs_dir)]
        if window is not None:
            command += ["--window", window.since.isoformat(), window.until.isoformat()]
        if today is not None:
            command += ["--today", today]
        with (out_dir / "crawl.stderr").open("wb") as stderr:
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)

    def alive(self) -> bool:
        """Still running? Also enforces the time budget; call it regularly."""
        if self.process.poll() is not None:
            return False
        now = time.monotonic()
        if self.stopping_since is None and now >= self.deadline:
            self.stopping_since = now
            self.process.terminate()
        elif self.stopping_since is not None and now - self.stopping_since > self.GRACE_S:
            self.process.kill()
        return True

    def finish(self) -> str | None:
        """Wait for the end; an error text if the crawl did not end cleanly."""
        while self.alive():
            time.sleep(0.2)
        if self.stopping_since is not None:
            return "crawl-timeout: the crawl overran its time budget and was stopped"
        if self.process.returncode != 0:
            tail = (self.out_dir / "crawl.stderr").read_text("utf-8", "replace").strip().splitlines()[-3:]
            return f"crawl-crashed: exit {self.process.returncode}: {' | '.join(tail)}"[:500]
        return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sources", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--watchlist", type=Path, default=None, help="builds the searches of discovery sources")
    parser.add_argument("--inputs", type=Path, default=None, help="folder holding known-urls.txt and validators.json")
    parser.add_argument("--window", nargs=2, metavar=("SINCE", "UNTIL"), default=None,
                        help="a backfill's window, YYYY-MM-DD both included")
    parser.add_argument("--today", default=None, help="the day engines with relative windows count from (tests)")
    parser.add_argument("--parent", type=int, default=None, help="the run's pid: the crawl ends when it does")
    args = parser.parse_args(argv)
    exit_with_parent(parent=args.parent)  # a crawl whose run was killed stops instead of fetching for nobody
    try:
        config = load_sources(args.sources)
        watchlist = load_watchlist(args.watchlist) if args.watchlist else None
        # Before the reactor starts: a discovery source with nothing to search fails cleanly.
        plan = discovery_plan(config, watchlist, args.only)
        window = Window(parse_day(args.window[0], "--window"), parse_day(args.window[1], "--window")) \
            if args.window else None
        if args.today:
            parse_day(args.today, "--today")
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    unknown = sorted(set(args.only or ()) - {s.name for s in config.enabled_sources})
    if unknown:
        print(f"{args.sources}: --only names no enabled source: {', '.join(unknown)}", file=sys.stderr)
        return 2
    crawl(config, args.out_dir, args.only, plan, args.inputs, window, args.today)
    return 0


if __name__ == "__main__":
    sys.exit(main())
