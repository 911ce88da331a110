"""Reaching the past: backfill windows, web archives, and Common Crawl News (CC-NEWS) WARC
files scanned for the watchlist."""
