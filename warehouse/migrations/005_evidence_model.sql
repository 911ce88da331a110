-- The evidence model (issue 11): every candidate keeps its score and the evidence for and
-- against it, and every run and candidate the matcher version that decided it, so a rematch
-- after a matcher change is told apart from one after a watchlist change.

ALTER TABLE mention_candidate ADD COLUMN score DOUBLE;
ALTER TABLE mention_candidate ADD COLUMN evidence_for VARCHAR;
ALTER TABLE mention_candidate ADD COLUMN evidence_against VARCHAR;
ALTER TABLE mention_candidate ADD COLUMN matcher_version VARCHAR;
ALTER TABLE run ADD COLUMN matcher_version VARCHAR;
