-- Descriptions of every table, view and column, for analysts (`rassegna schema` prints them).
-- Applied after the views are refreshed on every open; a view column without its own line
-- here takes the description of the same column in its source table.

COMMENT ON TABLE run IS 'One row per run of the monitor or rematch flow (use the runs view).';
COMMENT ON COLUMN run.run_id IS 'Run identifier: UTC start time and a random suffix.';
COMMENT ON COLUMN run.flow_run_id IS 'Prefect flow run id, to find the run''s logs in Prefect.';
COMMENT ON COLUMN run.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN run.finished_at IS 'When the run ended (UTC); NULL while running.';
COMMENT ON COLUMN run.status IS 'running, completed, completed-with-failures (some sources failed) or failed.';
COMMENT ON COLUMN run.sources_file IS 'Sources file the run read.';
COMMENT ON COLUMN run.watchlist_file IS 'Watchlist file the run read.';
COMMENT ON COLUMN run.watchlist_version IS 'Content hash of the watchlist the run matched with.';
COMMENT ON COLUMN run.sources_total IS 'Enabled sources in the run.';
COMMENT ON COLUMN run.sources_failed IS 'Sources whose feed, sitemap or start page could not be read.';
COMMENT ON COLUMN run.pages_fetched IS 'HTML pages fetched and processed.';
COMMENT ON COLUMN run.articles_extracted IS 'Pages that yielded article text (rematch: articles rematched).';
COMMENT ON COLUMN run.articles_new IS 'Articles stored for the first time by this run.';
COMMENT ON COLUMN run.mentions_new IS 'Accepted mentions stored by this run (rematch: all accepted mentions).';
COMMENT ON COLUMN run.error IS 'Why the run failed, if it did.';
COMMENT ON COLUMN run.matcher_version IS 'Version of the matcher''s decision rules the run matched with.';
COMMENT ON COLUMN run.kind IS 'monitor (crawl and store) or rematch (recompute mentions over stored texts).';

COMMENT ON TABLE source_run IS 'Per run and source: the funnel from listed to stored, and what went wrong.';
COMMENT ON COLUMN source_run.run_id IS 'The run (see runs).';
COMMENT ON COLUMN source_run.source IS 'Source name from the sources file.';
COMMENT ON COLUMN source_run.kind IS 'Source kind: feed, sitemap or site.';
COMMENT ON COLUMN source_run.url IS 'The source''s feed, sitemap or start URL.';
COMMENT ON COLUMN source_run.status IS 'ok, or failed when its own URL could not be read.';
COMMENT ON COLUMN source_run.listed IS 'Page URLs the source listed (feed items, sitemap entries, crawled links).';
COMMENT ON COLUMN source_run.fetched IS 'HTML pages fetched from it.';
COMMENT ON COLUMN source_run.extracted IS 'Fetched pages that yielded article text.';
COMMENT ON COLUMN source_run.articles_new IS 'Articles stored for the first time.';
COMMENT ON COLUMN source_run.mentions_new IS 'Accepted mentions in those new articles.';
COMMENT ON COLUMN source_run.skipped IS 'Pages skipped by rule (robots, non-html, not-article...).';
COMMENT ON COLUMN source_run.failed IS 'Pages that failed with an error (http-404, timeout...).';
COMMENT ON COLUMN source_run.skip_reasons IS 'JSON object: skip reason -> count.';
COMMENT ON COLUMN source_run.fail_reasons IS 'JSON object: failure kind -> count.';
COMMENT ON COLUMN source_run.error IS 'Why the source failed, if it did.';

COMMENT ON TABLE page_event IS 'Every URL skipped by rule or failed by error in a run, with the reason.';
COMMENT ON COLUMN page_event.run_id IS 'The run.';
COMMENT ON COLUMN page_event.source IS 'Source name.';
COMMENT ON COLUMN page_event.url IS 'URL as listed.';
COMMENT ON COLUMN page_event.outcome IS 'skipped (a rule) or failed (an error).';
COMMENT ON COLUMN page_event.reason IS 'robots, non-html, binary, blocked-address, not-article, consent-wall, paywall, unresolved-redirect, http-NNN, timeout, dns, too-large, truncated, redirect-loop...';
COMMENT ON COLUMN page_event.detail IS 'The error or rule text.';
COMMENT ON COLUMN page_event.happened_at IS 'When (UTC).';

COMMENT ON TABLE article IS 'One row per article, keyed by canonical URL (use the articles view).';
COMMENT ON COLUMN article.article_id IS 'Stable id: hash of the canonical URL.';
COMMENT ON COLUMN article.url IS 'Canonical URL: rel=canonical on the same site, tracking parameters and fragment removed.';
COMMENT ON COLUMN article.source IS 'Source that first stored it.';
COMMENT ON COLUMN article.fetched_url IS 'URL actually fetched (after redirects).';
COMMENT ON COLUMN article.title IS 'Headline.';
COMMENT ON COLUMN article.author IS 'Author or byline, when the page gives one.';
COMMENT ON COLUMN article.published_at IS 'Publication time in UTC; NULL when the page carries no date (never the fetch time).';
COMMENT ON COLUMN article.date_precision IS 'time, or day when only a date was given (then published_at is that day at 00:00); hour for a relative byline ("2 ore fa", read against fetched_at); a year-only guess is a candidate (precision year), never published_at.';
COMMENT ON COLUMN article.language IS 'Language code (it, en...), from the page or guessed from its words.';
COMMENT ON COLUMN article.site_name IS 'Outlet name as the page states it.';
COMMENT ON COLUMN article.description IS 'Summary from the page''s metadata.';
COMMENT ON COLUMN article.listed_by IS 'Channel that listed the page first stored: feed, sitemap, crawl, search or start (see article_channels for all).';
COMMENT ON COLUMN article.listed_date IS 'Date the feed or sitemap gave, as written there.';
COMMENT ON COLUMN article.encoding IS 'Character encoding the page was decoded with.';
COMMENT ON COLUMN article.text IS 'Article text without menus, sidebars, banners, comments and footers.';
COMMENT ON COLUMN article.fetched_at IS 'When it was fetched (UTC).';
COMMENT ON COLUMN article.first_run_id IS 'Run that stored it.';

COMMENT ON TABLE entity IS 'Watched entities: the twelve mission companies and two programmes.';
COMMENT ON COLUMN entity.entity_id IS 'Stable id from the watchlist (e.g. galdi, imprese-vincenti).';
COMMENT ON COLUMN entity.entity_name IS 'Display name (Aton, Galdi, I.co.p, ... Imprese Vincenti, INNOVIT).';
COMMENT ON COLUMN entity.kind IS 'company or programme.';
COMMENT ON COLUMN entity.description IS 'Who it is: sector, place, people.';
COMMENT ON COLUMN entity.watchlist_version IS 'Watchlist version that last defined it.';

COMMENT ON TABLE mention_candidate IS 'Every alias occurrence the matcher found, accepted or rejected, with its evidence.';
COMMENT ON COLUMN mention_candidate.article_id IS 'The article.';
COMMENT ON COLUMN mention_candidate.entity_id IS 'The entity.';
COMMENT ON COLUMN mention_candidate.start_char IS 'Start offset of the match in articles.text (0-based).';
COMMENT ON COLUMN mention_candidate.end_char IS 'End offset (exclusive): text[start_char:end_char] = matched_text.';
COMMENT ON COLUMN mention_candidate.matched_text IS 'The text as written in the article.';
COMMENT ON COLUMN mention_candidate.alias IS 'Watchlist alias that matched.';
COMMENT ON COLUMN mention_candidate.snippet IS 'The sentence around the match.';
COMMENT ON COLUMN mention_candidate.accepted IS 'true: a mention; false: rejected (see rule).';
COMMENT ON COLUMN mention_candidate.rule IS 'What decided: alias, context, context-over-exclusion, programme, shared-context, no-context, excluded, excluded-form, person, other-firm.';
COMMENT ON COLUMN mention_candidate.evidence IS 'The context term, pattern or cue behind the rule.';
COMMENT ON COLUMN mention_candidate.confidence IS 'Confidence of the decision, 0 to 1.';
COMMENT ON COLUMN mention_candidate.score IS 'Evidence score (accepted at 2.0 or more, unless vetoed): strong evidence about the entity, weak evidence about its sector and place, minus evidence for its namesakes.';
COMMENT ON COLUMN mention_candidate.evidence_for IS 'Evidence for the entity, strongest first: kind:term@where (sentence, paragraph, article, form, beside).';
COMMENT ON COLUMN mention_candidate.evidence_against IS 'Evidence against: namesakes, exclusions, the everyday phrase, or the veto (another business, another owner, a person).';
COMMENT ON COLUMN mention_candidate.matcher_version IS 'Version of the matcher''s decision rules that produced it.';
COMMENT ON COLUMN mention_candidate.watchlist_version IS 'Watchlist version that produced it.';
COMMENT ON COLUMN mention_candidate.run_id IS 'Run that produced it (a monitor or rematch run).';

COMMENT ON TABLE article_programme IS 'How strongly each article covers each programme.';
COMMENT ON COLUMN article_programme.article_id IS 'The article.';
COMMENT ON COLUMN article_programme.entity_id IS 'The programme.';
COMMENT ON COLUMN article_programme.strength IS 'headline (in the title), lead (opening lines), body (named repeatedly) or passing (named once).';
COMMENT ON COLUMN article_programme.mentions IS 'Accepted mentions of the programme in the text.';
COMMENT ON COLUMN article_programme.in_title IS 'Named in the headline.';
COMMENT ON COLUMN article_programme.watchlist_version IS 'Watchlist version that produced it.';

COMMENT ON TABLE schema_migrations IS 'Warehouse migrations applied, one row each.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration number (warehouse/migrations/NNN_name.sql).';
COMMENT ON COLUMN schema_migrations.name IS 'Migration name.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied.';

COMMENT ON VIEW articles IS 'One row per article (canonical URL), text without boilerplate.';
COMMENT ON COLUMN articles.text_chars IS 'Length of the text in characters.';
COMMENT ON VIEW entities IS 'The watched entities: twelve companies, two programmes.';
COMMENT ON VIEW mentions IS 'Accepted mentions with their evidence and the article''s essentials.';
COMMENT ON COLUMN mentions.entity_kind IS 'company or programme.';
COMMENT ON VIEW rejected_mentions IS 'Candidates the matcher rejected, with the rule that rejected them: the audit trail.';
COMMENT ON COLUMN rejected_mentions.entity_kind IS 'company or programme.';
COMMENT ON VIEW runs IS 'One row per run: when, what kind, how it ended, what it found.';
COMMENT ON COLUMN runs.duration_s IS 'Run duration in seconds.';
COMMENT ON VIEW source_runs IS 'Per run and source: listed, fetched, extracted, new, skipped, failed.';
COMMENT ON COLUMN source_runs.run_started_at IS 'When the run started (UTC).';
COMMENT ON VIEW programme_coverage IS 'Articles that cover Imprese Vincenti or INNOVIT, and how strongly.';
COMMENT ON COLUMN programme_coverage.strength_rank IS '1 headline, 2 lead, 3 body, 4 passing: sort by it.';

COMMENT ON TABLE source_state IS 'Validators (ETag, Last-Modified) of each source''s feed or sitemap, for conditional requests.';
COMMENT ON COLUMN source_state.source IS 'Source name.';
COMMENT ON COLUMN source_state.url IS 'The feed or sitemap URL the validators belong to.';
COMMENT ON COLUMN source_state.etag IS 'ETag it last answered with.';
COMMENT ON COLUMN source_state.last_modified IS 'Last-Modified it last answered with.';
COMMENT ON COLUMN source_state.updated_at IS 'When they were recorded (UTC).';

COMMENT ON COLUMN article.date_signal IS 'Where published_at came from: jsonld, meta, listed (feed or sitemap), url or htmldate; when none of those gave a date, byline (the visible "Pubblicato il ...", never an update date) or extensive (htmldate''s extensive search over the raw page).';
COMMENT ON COLUMN article.date_candidates IS 'JSON list of every date found, each {signal, value, precision}.';
COMMENT ON COLUMN article.date_conflict IS 'True when the date candidates disagree by more than a day: check the date.';
COMMENT ON COLUMN article.teaser IS 'True when the page showed only a paywall teaser, not the whole article.';
COMMENT ON COLUMN article.fingerprint IS 'MinHash signature of the text (64 slots): near-duplicates agree in many slots; NULL for texts too short to judge.';

COMMENT ON TABLE article_band IS 'LSH band keys of each article''s fingerprint: articles sharing a key are compared as possible near-duplicates.';
COMMENT ON COLUMN article_band.band_key IS 'Hash of one band of the fingerprint.';
COMMENT ON COLUMN article_band.article_id IS 'The article (see articles).';
COMMENT ON COLUMN article.story_id IS 'Story (group of near-duplicate articles, e.g. one press release on many outlets) it belongs to.';

COMMENT ON TABLE article_url IS 'Every URL an article was reached under (listed, fetched, canonical): none is fetched again.';
COMMENT ON COLUMN article_url.url IS 'A URL of the article.';
COMMENT ON COLUMN article_url.article_id IS 'The article (see articles).';

COMMENT ON TABLE discovery IS 'Every URL each channel listed, fetched or not (use the article_channels view).';
COMMENT ON COLUMN discovery.source IS 'Source name from the sources file.';
COMMENT ON COLUMN discovery.channel IS 'How the source listed it: feed, sitemap, crawl (a link on the site) or search (a search query).';
COMMENT ON COLUMN discovery.query IS 'The search query that found it; empty for other channels.';
COMMENT ON COLUMN discovery.url IS 'The URL as listed.';
COMMENT ON COLUMN discovery.first_run_id IS 'First run in which the channel listed it.';
COMMENT ON COLUMN discovery.last_run_id IS 'Latest run in which the channel listed it.';
COMMENT ON COLUMN discovery.times_listed IS 'Runs in which the channel listed it.';

COMMENT ON VIEW article_channels IS 'One row per article and channel that listed it: what each feed, sitemap, crawl or search query found.';
COMMENT ON COLUMN article_channels.query IS 'The search query that found it; NULL for feeds, sitemaps and crawls.';
COMMENT ON COLUMN articles.story_id IS 'Story (group of near-duplicates) it belongs to: see the stories view.';

COMMENT ON VIEW stories IS 'One row per story: near-duplicate articles (one release on several outlets) counted once, with every outlet.';
COMMENT ON COLUMN stories.story_id IS 'Story id (the id of one of its articles); join articles on story_id.';
COMMENT ON COLUMN stories.title IS 'Headline of its earliest article.';
COMMENT ON COLUMN stories.first_url IS 'URL of its earliest article.';
COMMENT ON COLUMN stories.first_outlet IS 'Outlet (site name, else source) of its earliest article.';
COMMENT ON COLUMN stories.articles IS 'Articles in the story.';
COMMENT ON COLUMN stories.outlets IS 'Distinct outlets that ran it.';
COMMENT ON COLUMN stories.outlet_names IS 'List of those outlets.';
COMMENT ON COLUMN stories.first_published_at IS 'Earliest publication date among its articles (UTC).';
COMMENT ON COLUMN stories.last_published_at IS 'Latest publication date among its articles (UTC).';
COMMENT ON COLUMN stories.entities IS 'Watched entities with accepted mentions in any of its articles.';

COMMENT ON VIEW source_health IS 'One row per source: failing and silent (nothing new) streaks over its latest monitoring runs.';
COMMENT ON COLUMN source_health.source IS 'Source name from the sources file.';
COMMENT ON COLUMN source_health.runs IS 'Finished monitoring runs that included it.';
COMMENT ON COLUMN source_health.last_run_at IS 'Start of the latest of those runs (UTC).';
COMMENT ON COLUMN source_health.last_run_failed IS 'Whether its own URL failed in the latest run.';
COMMENT ON COLUMN source_health.failing_runs_in_a_row IS 'Latest runs in a row in which it failed.';
COMMENT ON COLUMN source_health.silent_runs_in_a_row IS 'Latest runs in a row in which it stored no new article (failed runs included).';
COMMENT ON COLUMN source_health.last_new_article_run_at IS 'Start of the latest run in which it stored a new article (UTC); NULL if never.';

COMMENT ON TABLE archive_file IS 'One row per WARC file of a web archive (Common Crawl News) that an archive scan chose: its state and counts.';
COMMENT ON COLUMN archive_file.warc_file IS 'Path of the file as the archive lists it (crawl-data/CC-NEWS/YYYY/MM/...warc.gz).';
COMMENT ON COLUMN archive_file.archive_url IS 'Base URL it was read from (Common Crawl or a mirror).';
COMMENT ON COLUMN archive_file.started_at IS 'When the capture of the file began, from its name (UTC).';
COMMENT ON COLUMN archive_file.state IS '''pending'' (chosen, not yet read to the end) or ''done'' (read and stored; never read again).';
COMMENT ON COLUMN archive_file.records IS 'HTTP response records in the file.';
COMMENT ON COLUMN archive_file.candidates IS 'Records that could hold a watched name (prefilter) and were extracted.';
COMMENT ON COLUMN archive_file.extracted IS 'Candidates that held an article in a wanted language.';
COMMENT ON COLUMN archive_file.mentions IS 'Accepted mentions in those articles (before articles already stored are set aside).';
COMMENT ON COLUMN archive_file.articles_new IS 'Articles stored for the first time from this file.';
COMMENT ON COLUMN archive_file.bytes_read IS 'Compressed bytes read.';
COMMENT ON COLUMN archive_file.seconds IS 'Time the worker spent on the file.';
COMMENT ON COLUMN archive_file.run_id IS 'Archive run that chose it, then the one that finished it.';
COMMENT ON COLUMN archive_file.finished_at IS 'When its results were stored (UTC).';

COMMENT ON TABLE article_capture IS 'Where an archived article was captured: WARC file, record offset and length, so the record can be read again.';
COMMENT ON COLUMN article_capture.article_id IS 'The article (see articles); one article may have several captures.';
COMMENT ON COLUMN article_capture.warc_file IS 'WARC file path as listed by the archive.';
COMMENT ON COLUMN article_capture.record_offset IS 'Byte offset of the record''s gzip member in the file (an HTTP Range start).';
COMMENT ON COLUMN article_capture.record_length IS 'Compressed length of the record in bytes.';
COMMENT ON COLUMN article_capture.captured_at IS 'WARC-Date of the capture (UTC).';
COMMENT ON COLUMN article_capture.url IS 'The captured URL (WARC-Target-URI).';
COMMENT ON COLUMN article_capture.run_id IS 'Archive run that stored the capture.';
COMMENT ON COLUMN run.window_since IS 'Backfill slices: first day of the date window the run asked every channel for.';
COMMENT ON COLUMN run.window_until IS 'Backfill slices: last day of that window (included).';
COMMENT ON COLUMN run.backfill_id IS 'Backfill slices: the backfill the run belongs to (see backfill).';
COMMENT ON COLUMN runs.kind IS 'monitor, rematch or backfill (one slice of a backfill).';

COMMENT ON TABLE backfill IS 'One row per `rassegna backfill` (or backfill flow run): the window asked for and how it ended.';
COMMENT ON COLUMN backfill.backfill_id IS 'Backfill identifier: UTC start time and a random suffix.';
COMMENT ON COLUMN backfill.window_since IS 'First day of the window asked for.';
COMMENT ON COLUMN backfill.window_until IS 'Last day of the window asked for (included).';
COMMENT ON COLUMN backfill.started_at IS 'When it started (UTC).';
COMMENT ON COLUMN backfill.finished_at IS 'When it ended (UTC); NULL while running or if it was killed.';
COMMENT ON COLUMN backfill.status IS 'running, completed, completed-with-gaps (some searches cannot reach the window: see backfill_progress.gaps), incomplete (some windows to ask again), failed or interrupted.';
COMMENT ON COLUMN backfill.sources_file IS 'Sources file it read.';

COMMENT ON TABLE backfill_progress IS 'One row per source and date window a backfill finished: never asked for again while the source is configured the same.';
COMMENT ON COLUMN backfill_progress.source IS 'Source name from the sources file.';
COMMENT ON COLUMN backfill_progress.source_key IS 'Hash of the source''s kind, URL, queries and languages when the window was done: a changed source is asked again.';
COMMENT ON COLUMN backfill_progress.window_since IS 'First day of the window.';
COMMENT ON COLUMN backfill_progress.window_until IS 'Last day of the window (included).';
COMMENT ON COLUMN backfill_progress.run_id IS 'The backfill slice (run) that did it.';
COMMENT ON COLUMN backfill_progress.backfill_id IS 'The backfill that did it.';
COMMENT ON COLUMN backfill_progress.listed IS 'URLs the source listed for the window.';
COMMENT ON COLUMN backfill_progress.articles_new IS 'Articles stored new from it.';
COMMENT ON COLUMN backfill_progress.mentions_new IS 'Accepted mentions in those articles.';
COMMENT ON COLUMN backfill_progress.gaps IS 'Searches that could not be run, by kind (out-of-reach, gdelt-invalid-start-date...), with counts.';
COMMENT ON COLUMN backfill_progress.done_at IS 'When it was recorded done (UTC).';

COMMENT ON COLUMN discovery.outlet IS 'The outlet the search engine named for the URL (Google News source, Bing News:Source); NULL for other channels.';

COMMENT ON VIEW backfill_articles IS 'One row per article a backfill stored, with the backfill''s window and where the article''s date falls.';
COMMENT ON COLUMN backfill_articles.backfill_id IS 'The backfill that stored it.';
COMMENT ON COLUMN backfill_articles.run_id IS 'The backfill slice (run) that stored it.';
COMMENT ON COLUMN backfill_articles.window_since IS 'First day of the backfill''s window.';
COMMENT ON COLUMN backfill_articles.window_until IS 'Last day of the backfill''s window (included).';
COMMENT ON COLUMN backfill_articles.placement IS 'in-window, before, after (its date is outside the window asked for) or undated.';

COMMENT ON COLUMN article.archive_url IS 'Where the text was read when the live page was gone (404, 410) or walled: the archived copy (Wayback Machine, Common Crawl WARC record); NULL when read live.';
COMMENT ON COLUMN article.archived_at IS 'When that archived copy was captured (UTC).';
COMMENT ON COLUMN articles.archive_url IS 'Where the text was read when the live page was gone (404, 410) or walled: the archived copy; NULL when read live.';
COMMENT ON COLUMN articles.archived_at IS 'When that archived copy was captured (UTC).';

COMMENT ON TABLE archive_capture IS 'Captures a web archive''s index listed for a source and backfill window: the latest per URL.';
COMMENT ON COLUMN archive_capture.source IS 'Source name (kind web_archive).';
COMMENT ON COLUMN archive_capture.window_since IS 'First day of the window.';
COMMENT ON COLUMN archive_capture.window_until IS 'Last day of the window (included).';
COMMENT ON COLUMN archive_capture.url IS 'The live URL that was captured.';
COMMENT ON COLUMN archive_capture.captured_at IS 'When it was captured (UTC).';
COMMENT ON COLUMN archive_capture.capture IS 'The index row as read: timestamp, status, mime, and for Common Crawl its WARC file, offset and length.';

COMMENT ON TABLE archive_page IS 'Index pages a backfill has read, per source and window: never asked again.';
COMMENT ON COLUMN archive_page.source IS 'Source name (kind web_archive).';
COMMENT ON COLUMN archive_page.source_key IS 'Hash of the source''s configuration when the page was read.';
COMMENT ON COLUMN archive_page.window_since IS 'First day of the window.';
COMMENT ON COLUMN archive_page.window_until IS 'Last day of the window (included).';
COMMENT ON COLUMN archive_page.endpoint IS 'The index endpoint (one per Common Crawl crawl).';
COMMENT ON COLUMN archive_page.page IS 'Page number in the index''s paging API.';
COMMENT ON COLUMN archive_page.captures IS 'Captures the page listed.';
COMMENT ON COLUMN archive_page.done_at IS 'When it was read (UTC).';

COMMENT ON TABLE digest IS 'One row per digest e-mail run (rassegna digest or the digest-daily deployment): its period and window.';
COMMENT ON COLUMN digest.digest_id IS 'Digest id.';
COMMENT ON COLUMN digest.period IS 'daily or weekly.';
COMMENT ON COLUMN digest.since IS 'Earliest storage time (UTC) of the articles it looked at, per the earliest recipient window.';
COMMENT ON COLUMN digest.until IS 'It carried articles stored before this time (UTC).';
COMMENT ON COLUMN digest.created_at IS 'When it started (UTC).';
COMMENT ON COLUMN digest.flow_run_id IS 'Prefect flow run that sent it, if any.';
COMMENT ON COLUMN digest.status IS 'sending, sent, failed (some recipient not reached), nothing-new, interrupted (the process died).';
COMMENT ON COLUMN digest.finished_at IS 'When it ended (UTC); NULL while sending or if interrupted.';

COMMENT ON TABLE digest_recipient IS 'One message per digest and recipient, with its delivery state.';
COMMENT ON COLUMN digest_recipient.digest_id IS 'The digest (see digest).';
COMMENT ON COLUMN digest_recipient.address IS 'Recipient e-mail address.';
COMMENT ON COLUMN digest_recipient.language IS 'Language of the message: it or en.';
COMMENT ON COLUMN digest_recipient.subject IS 'Subject line.';
COMMENT ON COLUMN digest_recipient.message_id IS 'Message-ID header of the message.';
COMMENT ON COLUMN digest_recipient.stories IS 'Lines (stories) in the message.';
COMMENT ON COLUMN digest_recipient.status IS 'pending (not yet handed to the server), sending (body being sent), sent, failed (server refused or unreachable; its mentions go in the next digest), uncertain (the process died while sending the body: not sent again), superseded (planned by a digest that died before sending it).';
COMMENT ON COLUMN digest_recipient.attempts IS 'Delivery attempts (failed sends are retried).';
COMMENT ON COLUMN digest_recipient.error IS 'Last error, if any.';
COMMENT ON COLUMN digest_recipient.updated_at IS 'Last state change (UTC).';
COMMENT ON COLUMN digest_recipient.sent_at IS 'When the server accepted it (UTC).';

COMMENT ON TABLE digest_mention IS 'The mentions (article and entity) each digest message carried: no mention is sent twice to one recipient.';
COMMENT ON COLUMN digest_mention.digest_id IS 'The digest (see digest).';
COMMENT ON COLUMN digest_mention.address IS 'Recipient e-mail address.';
COMMENT ON COLUMN digest_mention.article_id IS 'The article (see articles).';
COMMENT ON COLUMN digest_mention.entity_id IS 'The entity mentioned (see entities).';

COMMENT ON VIEW digests IS 'One row per digest and recipient: what was sent to whom, when, and the outcome.';
COMMENT ON COLUMN digests.mentions IS 'Mentions (article and entity) the message carried.';
