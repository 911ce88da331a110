"""Story assignment against a large warehouse: banded lookup against brute force, same run.

    uv run python benchmarks/stories_scale.py [--existing 100000] [--new 50]

`existing` stored signatures are random (unrelated articles), except that half of
the `new` articles are planted copies of a stored one (agreeing in half of the
slots, like the least similar republication in tests/test_stories.py). It times:
  fingerprint: `stories.fingerprint` of a 385-word article;
  brute:       every new article against every stored one with `distance` (a Python loop);
  python:      `assign_stories(new, existing)` with all stored articles (it indexes their bands);
  duckdb:      an equality join of the new articles' band keys on an indexed table of the
               stored ones' keys, then `assign_stories` on the candidates it returns;
and checks that all three assign the same stories (brute force ignores bands, so
agreement also checks that banding missed no near pair). Real unrelated articles share a
few slots (Jaccard 0.00-0.04 measured on the test texts), so real candidate lists
are somewhat longer than with random signatures; the join's cost barely changes.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from rassegna.stories import SLOTS, THRESHOLD, assign_stories, candidate_bands, distance, fingerprint  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(2025)

    from test_stories import ORIGINAL  # the fictional release, 385 words

    start = time.perf_counter()
    for _ in range(20):
        fingerprint(ORIGINAL)
    fp_ms = (time.perf_counter() - start) / 20 * 1000

    existing = [
        (f"e{i:07d}", tuple(rng.randrange(2**32) for _ in range(SLOTS)), f"story-{i:07d}")
        for i in range(args.existing)
    ]
    new = []
    for i in range(args.new):
        if i % 2 == 0:
            base = existing[rng.randrange(len(existing))][1]
            fp = tuple(v if rng.random() < 0.5 else rng.randrange(2**32) for v in base)
        else:
            fp = tuple(rng.randrange(2**32) for _ in range(SLOTS))
        new.append((f"n{i:05d}", fp))

    start = time.perf_counter()
    brute = {}
    for article_id, fp in new:
        scored = [(distance(fp, efp), eid, story) for eid, efp, story in existing]
        near = min((s for s in scored if s[0] <= THRESHOLD), default=None)
        brute[article_id] = near[2] if near else None
    brute_s = time.perf_counter() - start

    start = time.perf_counter()
    in_python = assign_stories(new, existing)
    python_s = time.perf_counter() - start

    con = duckdb.connect()
    con.execute("create table band (article_id varchar, band_key bigint)")
    start = time.perf_counter()
    rows = [(eid, key) for eid, efp, _ in existing for key in candidate_bands(efp)]
    bands_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        # No dataframe library in the project: a CSV file is DuckDB's fast bulk path here.
        csv_path = Path(tmp) / "band.csv"
        with csv_path.open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
        con.execute(
            "insert into band select * from read_csv(?, header = false, columns = {'a': 'varchar', 'k': 'bigint'})",
            [str(csv_path)],
        )
    con.execute("create index band_key_idx on band (band_key)")
    con.execute("create table new_band (article_id varchar, band_key bigint)")
    new_rows = [(nid, key) for nid, fp in new for key in candidate_bands(fp)]
    start = time.perf_counter()
    con.executemany("insert into new_band values (?, ?)", new_rows)
    joined_rows = con.execute("select distinct b.article_id from new_band n join band b using (band_key)").fetchall()
    candidates = {r[0] for r in joined_rows}
    by_id = {e[0]: e for e in existing}
    in_duckdb = assign_stories(new, [by_id[c] for c in sorted(candidates)])
    duckdb_s = time.perf_counter() - start

    # Brute force returns None for "no stored story": assign_stories then starts a new one.
    expected = {k: v if v is not None else k for k, v in brute.items()}
    agree = in_python == expected and in_duckdb == expected
    joined = sum(v is not None for v in brute.values())
    print(f"existing {args.existing:,}, new {args.new} ({joined} near a stored article), join candidates {len(candidates)}")
    print(f"fingerprint: {fp_ms:.1f} ms per 385-word article; stored band keys: {bands_s:.1f} s (once, at insert)")
    print(f"brute force : {brute_s:8.2f} s  ({brute_s / args.new * 1000:8.1f} ms per new article)")
    print(f"python bands: {python_s:8.2f} s  (indexes all stored bands each call) ratio {brute_s / python_s:6.1f}x")
    print(f"duckdb join : {duckdb_s:8.2f} s  ({duckdb_s / args.new * 1000:8.1f} ms per new article) ratio {brute_s / duckdb_s:6.1f}x")
    print(f"same stories in all three: {agree}")
    if not agree:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
