"""Story grouping on the blind stories set: pairs of copies grouped, and false merges.

    uv run python benchmarks/stories_accuracy.py [--set tests/stories/blind.yaml]

tests/stories/blind.yaml was written apart from rassegna/stories.py: releases run by several
outlets (copies that drop or add a paragraph, reorder quotes, change the headline or the
lead, add a byline) and independent articles on the same events. Every article is grouped
in one batch (as a run does); a pair is scored by whether both got the same story.
Also prints the distances (of 64 MinHash slots) of copies and of independent pairs.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rassegna.stories import THRESHOLD, assign_stories, distance, fingerprint  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=ROOT / "tests" / "stories" / "blind.yaml")
    args = parser.parse_args()
    items = yaml.safe_load(args.set.read_text("utf-8"))
    fps = {i["id"]: fingerprint(f"{i['title']}\n\n{i['text']}") for i in items}
    label = {i["id"]: i["story"] for i in items}
    grouped = assign_stories(list(fps.items()), [])
    copies = grouped_copies = merges = pairs = 0
    copy_d, other_d = [], []
    for a, b in itertools.combinations(label, 2):
        same_truth, same_found = label[a] == label[b], grouped[a] == grouped[b]
        d = distance(fps[a], fps[b]) if fps[a] and fps[b] else None
        if same_truth:
            copies += 1
            grouped_copies += same_found
            copy_d.append(d)
        else:
            pairs += 1
            merges += same_found
            other_d.append(d)
    print(f"articles {len(items)}, stories {len(set(label.values()))}, threshold {THRESHOLD} of 64 slots")
    print(f"copy pairs grouped: {grouped_copies} of {copies} ({grouped_copies / copies:.3f})")
    print(f"false merges: {merges} of {pairs} different-story pairs")
    known = [d for d in copy_d if d is not None]
    print(f"copy distances: {min(known)}-{max(known)}; different stories: {min(d for d in other_d if d is not None)}-")


if __name__ == "__main__":
    main()
