"""From a fetched page to an article: text and metadata (trafilatura), dates, walls."""
