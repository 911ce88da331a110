"""From an article's text to mentions: the matcher, its evidence, relevance and accuracy scoring."""
