"""Scrapy spiders and their plumbing: fetching and parsing only, never the database."""
