"""Reaching the past: backfill windows, and (later) web archives and CC-NEWS."""
