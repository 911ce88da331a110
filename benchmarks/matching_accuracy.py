"""Mention accuracy on the labelled corpus, against the naive baseline, and matching speed.

    uv run python benchmarks/matching_accuracy.py [--corpus tests/matching/corpus.yaml] [--show-errors]

Per entity and overall: precision and recall of rassegna's Matcher (accepted
mentions, one decision per passage and entity) and of the naive baseline
(case-insensitive substring search for any alias). Then matching throughput in
MB/s over ~10 MB of article-like text.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rassegna.matching.accuracy import Scores, load_corpus, naive_entities, score  # noqa: E402
from rassegna.config import load_watchlist  # noqa: E402
from rassegna.matching.matcher import Matcher  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen  # noqa: E402


def _table(name: str, scores: Scores) -> None:
    print(f"\n{name}")
    print(f"{'entity':<20} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for entity, s in sorted(scores.per_entity.items()):
        print(f"{entity:<20} {s.precision:>9.3f} {s.recall:>7.3f} {s.tp:>4} {s.fp:>4} {s.fn:>4}")
    o = scores.overall
    print(f"{'OVERALL':<20} {o.precision:>9.3f} {o.recall:>7.3f} {o.tp:>4} {o.fp:>4} {o.fn:>4}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--corpus", type=Path, action="append",
        help="labelled corpus (repeatable); default: the tuning corpus and the held-out one",
    )
    parser.add_argument("--watchlist", type=Path, default=ROOT / "config" / "watchlist.yaml")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    watchlist = load_watchlist(args.watchlist)
    matcher = Matcher(watchlist)
    paths = args.corpus or [ROOT / "tests" / "matching" / "corpus.yaml", ROOT / "tests" / "matching" / "heldout.yaml"]

    def ours(text: str) -> set[str]:
        return {c.entity_name for c in matcher.match(text) if c.accepted}

    for path in paths:
        corpus = load_corpus(path)
        ours_scores = score(corpus, ours)
        naive_scores = score(corpus, lambda text: naive_entities(watchlist, text))
        print(f"\n=== {path.name}: {len(corpus)} passages")
        _table("rassegna matcher", ours_scores)
        _table("naive baseline (case-insensitive alias substring)", naive_scores)
        if args.show_errors:
            for passage, missed, extra in ours_scores.errors:
                print(f"\n[{passage['id']}] missed={sorted(missed)} extra={sorted(extra)}\n  {passage['text']}")

    # Article-like text: generated business copy with a labelled passage every few KB.
    rng = random.Random(3)
    articles = []
    size = 0
    while size < 10 * 2**20:
        paragraphs = [sitegen._paragraph(rng) for _ in range(rng.randint(5, 9))]
        paragraphs.insert(rng.randint(0, len(paragraphs)), rng.choice(corpus)["text"])
        article = "\n".join(paragraphs)
        articles.append(article)
        size += len(article.encode())
    size_mb = size / 2**20
    start = time.perf_counter()
    for article in articles:
        matcher.match(article)
    elapsed = time.perf_counter() - start
    print(f"\nmatching throughput: {size_mb / elapsed:.1f} MB/s over {size_mb:.1f} MB in {len(articles)} articles")


if __name__ == "__main__":
    main()
