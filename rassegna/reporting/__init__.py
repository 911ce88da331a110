"""What people read: reports, run summaries, inspection of a page."""
