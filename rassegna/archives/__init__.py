"""Reading web archives: Common Crawl News (CC-NEWS) WARC files, scanned for the watchlist."""
