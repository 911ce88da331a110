"""Text and date extraction on public benchmarks, against the plain libraries in the same run.

    uv run python benchmarks/extraction_quality.py --aeb DIR --dates DIR [--jobs N] [--limit N]

--aeb   a copy of github.com/scrapinghub/article-extraction-benchmark (html/, ground-truth.json,
        evaluate.py, output/): Rassegna's text, plain trafilatura (`trafilatura.extract`, as
        the benchmark's own runner calls it) and trafilatura with `favor_precision` are written
        as output/*.json beside the published outputs of AutoExtract and rs-trafilatura, and
        the benchmark's own evaluate.py scores them all.
--dates a copy of github.com/adbar/htmldate's tests/ (eval_*.json, eval/, cache/, test_set/,
        evaluation.py): Rassegna's publication day against htmldate's `find_date(...,
        extensive_search=True)` and its fast mode, scored with the set's own
        `evaluate_result` (true/false positives and negatives per page).

Rassegna's day is the published_at it would store, read as the page's own calendar day
(the day written on the page, whatever its zone), and the date of a page it rejects as
not-an-article is still counted (extraction hands it over with the rejection).
Also printed: the time per page, and how often and at what cost the fallbacks ran.
Neither data set is part of this repository: fetch them and point the options at them.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402
from htmldate import find_date  # noqa: E402

from rassegna.extraction.article import NotAnArticle, decode_html, extract_article  # noqa: E402
from rassegna.extraction import article as article_module  # noqa: E402

# Published outputs the issue compares against (the best precision, the best recall).
_PUBLISHED = ("AutoExtract", "rs_trafilatura")


def _rassegna_text(html: str, url: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        text = extract_article(html, url).text
    except NotAnArticle:
        text = ""
    return text, time.perf_counter() - start


def _aeb_page(item: tuple[str, str, str]) -> dict:
    key, html, url = item
    stats_before = dict(article_module.STATS)
    ours, ours_s = _rassegna_text(html, url)
    start = time.perf_counter()
    plain = trafilatura.extract(html, include_comments=False) or ""
    plain_s = time.perf_counter() - start
    precise = trafilatura.extract(html, include_comments=False, favor_precision=True) or ""
    stats = {k: v - stats_before.get(k, 0) for k, v in article_module.STATS.items()}
    return {"key": key, "rassegna": ours, "trafilatura": plain, "trafilatura_precision": precise,
            "t_ours": ours_s, "t_plain": plain_s, "stats": stats}


def run_aeb(root: Path, jobs: int, limit: int | None) -> None:
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    items = []
    for key in keys:
        with gzip.open(root / "html" / f"{key}.html.gz", "rb") as f:
            html, _ = decode_html(f.read(), "text/html; charset=utf-8")
        items.append((key, html, truth[key].get("url") or f"https://example.org/{key}"))
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_aeb_page, items, chunksize=4))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "output").mkdir()
        (work / "ground-truth.json").write_text(json.dumps({k: truth[k] for k in keys}), "utf-8")
        versions = {"rassegna": "this tree", "trafilatura": trafilatura.__version__,
                    "trafilatura_precision": trafilatura.__version__}
        for name, version in versions.items():
            output = {r["key"]: {"articleBody": r[name]} for r in results}
            (work / "output" / f"{name}.json").write_text(json.dumps({"version": version, "output": output}), "utf-8")
        if not limit:
            for name in _PUBLISHED:
                if (root / "output" / f"{name}.json").is_file():
                    shutil.copy(root / "output" / f"{name}.json", work / "output")
        print(f"\n=== ScrapingHub article-extraction-benchmark: {len(keys)} pages, its own evaluate.py")
        done = subprocess.run([sys.executable, str(root / "evaluate.py"), "--n-bootstrap", "200",
                               "--output", str(work / "metrics.json")],
                              cwd=work, capture_output=True, text=True, check=True)
        print(done.stdout.rstrip())
        metrics = json.loads((work / "metrics.json").read_text("utf-8"))
    ours, plain = metrics["rassegna"], metrics["trafilatura"]
    print(f"Rassegna: F1 {ours['f1']:.4f}, precision {ours['precision']:.4f}, recall {ours['recall']:.4f}")
    print(f"Rassegna / plain trafilatura: F1 x{ours['f1'] / plain['f1']:.3f}, "
          f"precision x{ours['precision'] / plain['precision']:.3f}, recall x{ours['recall'] / plain['recall']:.3f}")
    n = len(results)
    t_ours = sum(r["t_ours"] for r in results)
    t_plain = sum(r["t_plain"] for r in results)
    print(f"time per page: Rassegna {1000 * t_ours / n:.1f} ms, plain trafilatura {1000 * t_plain / n:.1f} ms "
          f"(x{t_ours / t_plain:.2f})")
    _print_stats(results, n)


def _print_stats(results: list[dict], n: int) -> None:
    totals: dict[str, float] = {}
    for r in results:
        for k, v in r["stats"].items():
            totals[k] = totals.get(k, 0) + v
    for name in sorted({k.rsplit("_", 1)[0] for k in totals}):
        runs, seconds = totals.get(f"{name}_runs", 0), totals.get(f"{name}_seconds", 0.0)
        if runs:
            print(f"  {name}: ran on {int(runs)}/{n} pages, {1000 * seconds / runs:.1f} ms each when it ran, "
                  f"{1000 * seconds / n:.1f} ms per page overall")


def _load_htmldate_eval(root: Path):
    spec = importlib.util.spec_from_file_location("htmldate_evaluation", root / "evaluation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_EVAL = None


def _dates_page(item: tuple[str, dict, str]) -> dict:
    url, data, root = item
    global _EVAL
    if _EVAL is None:
        _EVAL = _load_htmldate_eval(Path(root))
    raw = _EVAL.load_document(data["file"])
    html = raw if isinstance(raw, str) else decode_html(raw)[0]
    stats_before = dict(article_module.STATS)
    start = time.perf_counter()
    day = rassegna_day(html, url)
    t_ours = time.perf_counter() - start
    stats = {k: v - stats_before.get(k, 0) for k, v in article_module.STATS.items()}
    start = time.perf_counter()
    extensive = _EVAL.run_htmldate_extensive(raw)
    t_ext = time.perf_counter() - start
    fast = _EVAL.run_htmldate_fast(raw)
    return {
        "rassegna": _EVAL.evaluate_result(day, data), "htmldate_extensive": _EVAL.evaluate_result(extensive, data),
        "htmldate_fast": _EVAL.evaluate_result(fast, data),
        "htmldate_extensive_url": _EVAL.evaluate_result(find_date(raw, url=url, original_date=True), data),
        "t_ours": t_ours, "t_ext": t_ext, "stats": stats, "url": url, "ours": day, "truth": data["date"],
        "ext": extensive,
    }


def rassegna_day(html: str, url: str) -> str | None:
    try:
        article = extract_article(html, url)
        day = article.published_day
    except NotAnArticle as exc:
        day = exc.published_day
    return day


def run_dates(root: Path, jobs: int, limit: int | None, show_errors: bool) -> None:
    evaluation = _load_htmldate_eval(root)
    pages = list(evaluation.EVAL_PAGES.items())[:limit] if limit else list(evaluation.EVAL_PAGES.items())
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(_dates_page, [(u, d, str(root)) for u, d in pages], chunksize=8))
    n = len(results)
    print(f"\n=== htmldate evaluation set: {n} pages, its own evaluate_result")
    print(f"{'':<34} {'precision':>9} {'recall':>7} {'accuracy':>8} {'F1':>6} {'no date':>7}")
    scores = {}
    labels = {
        "rassegna": "Rassegna (with the page's URL)",
        "htmldate_extensive": "htmldate extensive (no URL, as its",
        "htmldate_extensive_url": "htmldate extensive with the URL",
        "htmldate_fast": "htmldate fast (no URL)",
    }
    for name, label in labels.items():
        tp = sum(r[name][0] for r in results)
        fp = sum(r[name][1] for r in results)
        tn = sum(r[name][2] for r in results)
        fn = sum(r[name][3] for r in results)
        missing = sum(1 for r in results if r[name][0] == r[name][1] == 0)
        scores[name] = f1 = 2 * tp / (2 * tp + fp + fn)
        print(f"{label:<34} {tp / (tp + fp):>9.4f} {tp / (tp + fn):>7.4f} {(tp + tn) / n:>8.4f} {f1:>6.4f} {missing:>7}")
    print(f"Rassegna / htmldate extensive: F1 x{scores['rassegna'] / scores['htmldate_extensive']:.3f}")
    # Rassegna stores no year-only guess (1 January of a copyright year); count them apart.
    only_htmldate = [r for r in results if r["ours"] is None and r["ext"]]
    guesses = [r for r in only_htmldate if str(r["ext"]).endswith("-01-01")]
    print(f"dated by htmldate, not by Rassegna: {len(only_htmldate)} pages, {len(guesses)} of them a 1 January "
          f"(year-only) guess; htmldate right on {sum(r['htmldate_extensive'][0] for r in only_htmldate)} of them")
    t_ours = sum(r["t_ours"] for r in results)
    t_ext = sum(r["t_ext"] for r in results)
    print(f"time per page: Rassegna (whole extraction) {1000 * t_ours / n:.1f} ms, "
          f"htmldate extensive (date only) {1000 * t_ext / n:.1f} ms")
    _print_stats(results, n)
    if show_errors:
        for r in results:
            if r["rassegna"][0] != r["htmldate_extensive"][0]:
                better = "htmldate" if r["htmldate_extensive"][0] else "rassegna"
                print(f"  {better} right: {r['url']}: ours {r['ours']} truth {r['truth']} htmldate {r['ext']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--aeb", type=Path, help="copy of scrapinghub/article-extraction-benchmark")
    parser.add_argument("--dates", type=Path, help="copy of htmldate's tests/ directory")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--limit", type=int, help="first N pages only (a quick look; not comparable)")
    parser.add_argument("--show-errors", action="store_true", help="list the pages where Rassegna and htmldate extensive disagree on being right")
    args = parser.parse_args()
    if not args.aeb and not args.dates:
        parser.error("give --aeb DIR, --dates DIR or both")
    if args.aeb:
        run_aeb(args.aeb, args.jobs, args.limit)
    if args.dates:
        run_dates(args.dates, args.jobs, args.limit, args.show_errors)


if __name__ == "__main__":
    main()
