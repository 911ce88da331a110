"""Batches of crawled pages: the first is small, so extraction starts with the crawl's first pages."""

from __future__ import annotations

from rassegna.pipeline import batched


def test_batches_start_small_and_double_up_to_the_size_asked():
    sizes = [len(batch) for batch in batched(range(1000), 400, first=32)]
    assert sizes == [32, 64, 128, 256, 400, 120]


def test_every_item_once_in_order():
    items = list(range(777))
    assert [x for batch in batched(items, 100, first=7) for x in batch] == items


def test_without_first_the_batches_are_all_the_size_asked():
    assert [len(b) for b in batched(range(10), 4)] == [4, 4, 2]
