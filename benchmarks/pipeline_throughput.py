"""Whole-pipeline throughput against plain trafilatura, measured in the same run.

    uv run python benchmarks/pipeline_throughput.py [--sizes 1000,5000] [--realistic]

For each size N it generates an N-page outlet, serves it on 127.0.0.1 from a
separate process, then measures:
  bound:    `trafilatura.extract` over the same HTML, one process, files already in memory;
  pipeline: one `monitor` flow run (Scrapy crawl over HTTP, decoding, trafilatura,
            matching, DuckDB load, Prefect orchestration) from a cold warehouse.
It prints pages/s for both and their ratio, and the peak resident memory of the
whole process tree (this process, the crawl, the extraction workers) sampled
every 0.1 s, and the CPU each process used. Prefect's temporary server is started
before timing (a deployment has a server already running); the flow runs as
`rassegna run` runs it, without flow-run heartbeats (a deployment's run sends them,
and Prefect's heartbeat thread holds its end up to a second).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sitegen import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class PeakRss:
    """Peak summed RSS of this process and all its descendants, and the CPU each one used."""

    def __init__(self, exclude: set[int]) -> None:
        self.exclude = exclude
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, user + system seconds)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        # Processes already running (this one, Prefect's server) count from now on.
        before = {}
        for proc in [me, *me.children(recursive=True)]:
            try:
                before[proc.pid] = sum(proc.cpu_times()[:2])
            except psutil.Error:
                pass
        while True:
            stopping = self._stop.is_set()  # one last sample after the stop: the processes' ends count
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                if proc.pid in self.exclude:
                    continue
                try:
                    total += proc.memory_info().rss
                    used = sum(proc.cpu_times()[:2]) - before.get(proc.pid, 0.0)
                    self.cpu[proc.pid] = (self.cpu.get(proc.pid, ("", 0))[0] or _role(proc), used)
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            if stopping:
                return
            time.sleep(0.1)

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds by role; a process that lived less than 0.1 s, or its last 0.1 s before
        it ended, may be missed. "flow" includes this sampler's own thread."""
        roles: dict[str, float] = {}
        for role, used in self.cpu.values():
            roles[role] = roles.get(role, 0.0) + used
        return roles

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _role(proc: psutil.Process) -> str:
    if proc.pid == os.getpid():
        return "flow"
    command = " ".join(proc.cmdline())
    if "multiprocessing" in command:
        return "extraction"
    if "scrapy" in command or "spiders" in command or "crawl" in command:
        return "crawl"
    if "uvicorn" in command:
        return "prefect server"
    return "other"


def bound_pages_per_s(outlet: Path, base: str) -> float:
    import trafilatura

    pages = [p.read_bytes().replace(b"{{BASE}}", base.encode()).decode("utf-8") for p in sorted((outlet / "a").glob("*.html"))]
    start = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    return len(pages) / (time.perf_counter() - start)


def pipeline_run(site_root: Path, bases: dict[str, str], folder: Path, pages: int, server_pid: int) -> tuple[float, int, int, float]:
    from flows.monitor import monitor
    from rassegna.lifecycle.prefect_server import without_heartbeats

    sources = folder / "sources.yaml"
    sources.write_text(
        "allow_private_networks: true\n"
        f"crawl: {{download_delay: 0, concurrent_requests_per_domain: 16, max_pages_per_source: {pages + 10}}}\n"
        "sources:\n"
        f"  - {{name: bench, kind: sitemap, url: \"{bases['bench']}/sitemap.xml\"}}\n",
        "utf-8",
    )
    with PeakRss(exclude={server_pid}) as rss, without_heartbeats():
        start = time.perf_counter()
        summary = monitor(sources_file=sources, watchlist_file=ROOT / "config" / "watchlist.yaml", db=str(folder / "bench.duckdb"))
        elapsed = time.perf_counter() - start
    if summary.articles_new != pages:
        raise SystemExit(f"pipeline stored {summary.articles_new} of {pages} pages: {summary.sources}")
    # The same sources again with nothing new: conditional requests and known URLs.
    start = time.perf_counter()
    with without_heartbeats():
        again = monitor(sources_file=sources, watchlist_file=ROOT / "config" / "watchlist.yaml", db=str(folder / "bench.duckdb"))
    rerun = time.perf_counter() - start
    if again.articles_new != 0:
        raise SystemExit(f"the re-run stored {again.articles_new} articles; expected none")
    cpu = ", ".join(f"{role} {used:.1f}" for role, used in sorted(rss.cpu_by_role().items()))
    print(f"  CPU seconds of the first run ({elapsed:.1f} s on {os.cpu_count()} cores): {cpu}")
    return pages / elapsed, rss.peak, summary.mentions_new, rerun / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated page counts")
    parser.add_argument("--realistic", action="store_true",
                        help="pages of real size and markup depth (40-400 KB, benchmarks/newspages.py), not ~12 KB")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import flows  # noqa: F401  (Prefect offline defaults)
    from prefect import flow

    @flow(name="warm-up")
    def warm_up() -> None:
        return None

    warm_up()  # starts Prefect's temporary server outside the timings
    print(f"{'realistic' if args.realistic else '~12 KB'} pages")
    print(f"{'pages':>6} {'bound p/s':>10} {'pipeline p/s':>13} {'ratio':>6} {'peak RSS MiB':>13} {'mentions':>9}"
          f" {'re-run/first':>13}")
    for pages in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            site_root = folder / "site"
            outlet = generate(site_root, pages, realistic=args.realistic)
            server = subprocess.Popen([sys.executable, "-m", "rassegna.demo.server", str(site_root)], stdout=subprocess.PIPE, text=True)
            try:
                bases = json.loads(server.stdout.readline())
                bound = bound_pages_per_s(outlet, bases["bench"])
                rate, peak, mentions, rerun = pipeline_run(site_root, bases, folder, pages, server.pid)
            finally:
                server.terminate()
                server.wait()
        print(f"{pages:>6} {bound:>10.1f} {rate:>13.1f} {rate / bound:>5.2f}x {peak / 2**20:>13.0f} {mentions:>9}"
              f" {rerun:>12.0%}")


if __name__ == "__main__":
    main()
