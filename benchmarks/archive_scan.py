"""CC-NEWS archive scan throughput against the WARC reader alone, measured in the same run.

    uv run python benchmarks/archive_scan.py [--records 400] [--files 6] [--big 4]

Generates an archive of realistic news pages (benchmarks/newspages.py: 40-400 KB, deep
markup, inline CSS and scripts; 1.5 % with a watched name in the article, 3 % with an
everyday word that is also an alias, such as "rain" or "move"), as `--files` WARC files of
`--records` records and one `--big` times larger, gzip per record, served over HTTP from
a separate process on 127.0.0.1. Then, over HTTP:

  read bound       fastwarc decompressing and iterating every record, alone (and warcio, its rival);
  extract all      trafilatura (rassegna's extraction) and the matcher on every record, no prefilter;
  scan             the archive scan: prefilter, then extraction and matching of the candidates;
  dask 1 / 2       the scan of every file as Dask tasks on a local cluster of 1, then 2 workers;

and prints records/s and compressed MB/s for each, the ratios, and the peak RSS of each
worker (after small files, then after the big one: memory must not grow with file size).
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from newspages import page  # noqa: E402

from rassegna.archives.ccnews import WarcFile, stream_file  # noqa: E402
from rassegna.archives.scan import ScanFilters, read_records, scan_file, scan_stream, worker_config  # noqa: E402
from rassegna.archives.warcfiles import Capture, write_warc  # noqa: E402
from rassegna.config import load_watchlist  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MENTIONS = [
    "Tra le aziende premiate c'era anche la Galdi di Postioma, che produce riempitrici per il packaging alimentare.",
    "Il programma Imprese Vincenti di Intesa Sanpaolo ha accompagnato dodici aziende nella Silicon Valley.",
    "INNOVIT, the Italian Innovation and Culture Hub in San Francisco, hosted the delegation on Monday.",
    "La Mac&amp;Nil di Gravina, telematica per le flotte, è entrata nel gruppo Zucchetti.",
]
EVERYDAY = [
    "Rain is expected across the region tomorrow, with showers easing by the evening.",
    "The move was welcomed by the council, which had asked for it since the spring.",
    "Il podium della gara è stato conquistato dalla squadra di casa dopo una lunga rimonta.",
]


def build(root: Path, files: int, records: int, big: int, seed: int = 11) -> tuple[list[str], int]:
    rng = random.Random(seed)
    month = root / "crawl-data" / "CC-NEWS" / "2025" / "09"
    month.mkdir(parents=True)
    sizes = [records] * files + [records * big]
    paths, count = [], 0
    for k, n in enumerate(sizes):
        captures = []
        for i in range(n):
            draw = rng.random()
            sentence = rng.choice(MENTIONS) if draw < 0.015 else rng.choice(EVERYDAY) if draw < 0.045 else None
            html, _ = page(rng, sentence)
            captures.append(Capture(f"https://www.outlet{rng.randint(1, 300)}.example.it/2025/09/{k}/{i}.html",
                                    html.encode("utf-8"), "2025-09-10T10:00:00Z"))
        name = f"CC-NEWS-202509{10 + k:02d}101500-{k:05d}.warc.gz"
        write_warc(month / name, captures)
        paths.append(f"crawl-data/CC-NEWS/2025/09/{name}")
        count += n
    (month / "warc.paths.gz").write_bytes(gzip.compress("\n".join(paths).encode()))
    return paths, count


def read_bound(base: str, paths: list[str], reader: str) -> tuple[int, int, float]:
    records = size = 0
    started = time.perf_counter()
    for path in paths:
        with stream_file(base, path, allow_private=True) as stream:
            for _, record in read_records(stream, reader):
                records += record is not None
            size += stream.bytes_read
    return records, size, time.perf_counter() - started


def scan_all(base: str, paths: list[str], watchlist, prefilter: bool) -> tuple[int, int, int, float]:
    records = size = candidates = 0
    started = time.perf_counter()
    for path in paths:
        with stream_file(base, path, allow_private=True) as stream:
            scan = scan_stream(stream, path, watchlist, ScanFilters(), prefilter=prefilter)
        records, size, candidates = records + scan.records, size + scan.bytes_read, candidates + scan.candidates
    return records, size, candidates, time.perf_counter() - started


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def on_dask(base: str, paths: list[str], watchlist, workers: int, big: str) -> tuple[int, int, float, list, list]:
    from distributed import Client, LocalCluster

    small = [p for p in paths if p != big]
    files = {p: WarcFile(p, None) for p in paths}  # type: ignore[arg-type]
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      config=worker_config()) as cluster, \
            Client(cluster) as client:
        # Imports and the watchlist's automata are a worker's start-up, not the scan.
        client.run(lambda: __import__("rassegna.archives.scan"))
        started = time.perf_counter()
        if workers == 1:
            # One file after the other: the peak after the small files, then after the big one.
            scans = client.gather(client.map(scan_file, [base] * len(small), [files[p] for p in small],
                                             [watchlist] * len(small), [ScanFilters()] * len(small),
                                             [True] * len(small), pure=False))
            rss_small = sorted(client.run(_peak_rss_mib).values())
            scans += [client.submit(scan_file, base, files[big], watchlist, ScanFilters(), True, pure=False).result()]
        else:
            # The big file first, so the workers finish together.
            order = [big, *small]
            scans = client.gather(client.map(scan_file, [base] * len(order), [files[p] for p in order],
                                             [watchlist] * len(order), [ScanFilters()] * len(order),
                                             [True] * len(order), pure=False))
            rss_small = []
        elapsed = time.perf_counter() - started
        rss_big = sorted(client.run(_peak_rss_mib).values())
    return sum(s.records for s in scans), sum(s.bytes_read for s in scans), elapsed, rss_small, rss_big


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # A run of a few seconds per worker: shorter ones measure Dask's start more than the scan.
    parser.add_argument("--records", type=int, default=400, help="records per small file")
    parser.add_argument("--files", type=int, default=6, help="small files")
    parser.add_argument("--big", type=int, default=4, help="the big file is this many small ones")
    args = parser.parse_args()
    watchlist = load_watchlist(ROOT / "config" / "watchlist.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        paths, total = build(root, args.files, args.records, args.big)
        mb = sum((root / p).stat().st_size for p in paths) / 1e6
        print(f"archive: {len(paths)} files, {total} records, {mb:.1f} MB compressed"
              f" (generated in {time.perf_counter() - t0:.0f} s)")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                   "--directory", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            base = f"http://127.0.0.1:{port}/"
            rows = []

            def row(name: str, records: int, size: int, seconds: float, note: str = "") -> float:
                rate = records / seconds
                rows.append((name, records, rate, size / seconds / 1e6, note))
                return rate

            bound = row("read bound (fastwarc)", *read_bound(base, paths, "fastwarc"))
            warcio = row("read bound (warcio)", *read_bound(base, paths, "warcio"))
            r, s, c, t = scan_all(base, paths[:1], watchlist, prefilter=False)
            everything = row("extract all (1 file)", r, s, t, f"{c} extracted")
            r, s, c, t = scan_all(base, paths, watchlist, prefilter=True)
            scan = row("scan, one process", r, s, t, f"{c} candidates ({100 * c / r:.1f} %)")
            r, s, t, small1, big1 = on_dask(base, paths, watchlist, 1, paths[-1])
            one = row("scan, dask 1 worker", r, s, t,
                      f"peak RSS MiB {round(small1[0])} after the small files, {round(big1[0])} after the big one")
            r, s, t, _, big2 = on_dask(base, paths, watchlist, 2, paths[-1])
            two = row("scan, dask 2 workers", r, s, t, f"peak RSS MiB per worker {[round(x) for x in big2]}")
        finally:
            server.terminate()
            server.wait()
    print(f"{'':24} {'records':>8} {'records/s':>10} {'MB/s':>7}")
    for name, records, rate, mbs, note in rows:
        print(f"{name:24} {records:>8} {rate:>10.0f} {mbs:>7.1f}  {note}")
    print(f"fastwarc / warcio:            {bound / warcio:.2f}x")
    print(f"extract all / read bound:     {everything / bound:.3f}x")
    print(f"scan / read bound:            {scan / bound:.2f}x (one process), {one / bound:.2f}x (dask, 1 worker)")
    print(f"scan / extract all:           {scan / everything:.1f}x")
    print(f"dask 2 workers / 1 worker:    {two / one:.2f}x")


if __name__ == "__main__":
    main()
