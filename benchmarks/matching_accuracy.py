"""Mention accuracy: development and blind parts side by side, per entity, with the naive baseline.

    uv run python benchmarks/matching_accuracy.py [--show-errors dev|blind]

The development part (tests/matching/corpus.yaml, heldout.yaml, namesakes.yaml and
namesakes2.yaml) is what the rules and weights were tuned on; the last two were each a blind
part once, scored once and then read. The blind part (tests/matching/blind.yaml) was written
apart from the matcher, before the version it judges, and is never used to choose a rule,
weight or threshold: a gap between the two is the size of what the rules memorise.
A decision is per passage and entity. Then matching throughput in MB/s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rassegna.config import load_watchlist  # noqa: E402
from rassegna.matching.accuracy import Scores, development_parts, load_corpus, naive_entities, score  # noqa: E402
from rassegna.matching.matcher import Matcher  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sitegen  # noqa: E402

CORPORA = ROOT / "tests" / "matching"
PARTS = {"dev": development_parts(CORPORA), "blind": [CORPORA / "blind.yaml"]}


def _row(label: str, *scores: Scores, entity: str | None = None) -> str:
    cells = []
    for s in scores:
        c = s.per_entity.get(entity) if entity else s.overall
        cells.append(f"{c.precision:>6.3f} {c.recall:>6.3f} {c.tp:>4} {c.fp:>3} {c.fn:>3}" if c else " " * 24)
    return f"{label:<20} " + " | ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--watchlist", type=Path, default=ROOT / "config" / "watchlist.yaml")
    parser.add_argument("--show-errors", choices=sorted(PARTS), help="print the passages one part gets wrong")
    args = parser.parse_args()
    watchlist = load_watchlist(args.watchlist)
    matcher = Matcher(watchlist)

    def ours(text: str) -> set[str]:
        return {c.entity_name for c in matcher.match(text) if c.accepted}

    results = {}
    corpora = {}
    for part, files in PARTS.items():
        corpora[part] = [p for f in files for p in load_corpus(f)]
        results[part] = (score(corpora[part], ours), score(corpora[part], lambda t: naive_entities(watchlist, t)))
    head = f"{'precision':>6} {'recall':>6} {'tp':>4} {'fp':>3} {'fn':>3}"
    print(f"passages: dev {len(corpora['dev'])}, blind {len(corpora['blind'])}")
    print(f"{'':<20} {'dev: rassegna':<24} | {'blind: rassegna':<24} | {'dev: naive':<24} | {'blind: naive':<24}")
    print(f"{'entity':<20} " + " | ".join([head] * 4))
    order = (results["dev"][0], results["blind"][0], results["dev"][1], results["blind"][1])
    for entity in sorted({e.name for e in watchlist.entities}):
        print(_row(entity, *order, entity=entity))
    print(_row("OVERALL", *order))
    gap_p = order[0].overall.precision - order[1].overall.precision
    gap_r = order[0].overall.recall - order[1].overall.recall
    print(f"dev minus blind: precision {gap_p:+.3f}, recall {gap_r:+.3f}")
    if args.show_errors:
        for passage, missed, extra in results[args.show_errors][0].errors:
            print(f"\n[{passage['id']}] missed={sorted(missed)} extra={sorted(extra)}\n  {passage['text']}")

    # Article-like text: generated business copy with a labelled passage every few KB.
    rng = random.Random(3)
    articles = []
    size = 0
    while size < 10 * 2**20:
        paragraphs = [sitegen._paragraph(rng) for _ in range(rng.randint(5, 9))]
        paragraphs.insert(rng.randint(0, len(paragraphs)), rng.choice(corpora["dev"])["text"])
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
