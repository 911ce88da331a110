"""Scrapy settings for Rassegna's crawls.

Only non-default settings are here, each with its reason. Values that the
operator tunes per deployment (user agent, delays, timeouts, sizes, retries)
come from `crawl:` in sources.yaml through `spiders.crawl.settings_for`.
"""

BOT_NAME = "rassegna"

# Spiders are built by spiders.crawl from the sources file, not looked up by name.
SPIDER_MODULES: list[str] = []

# Publishers say what may be crawled; a press monitor that ignores them gets blocked, rightly.
ROBOTSTXT_OBEY = True

# Politeness is per site: a few parallel requests per host at most, with a delay
# (download_delay in sources.yaml) randomised by Scrapy so requests do not beat in step.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2

# No sessions: cookies would carry consent and paywall state from page to page.
COOKIES_ENABLED = False

# An open telnet port per crawl is an attack surface nobody uses here.
TELNETCONSOLE_ENABLED = False

# Retries with backoff and Retry-After (our middleware replaces Scrapy's, same settings).
RETRY_HTTP_CODES = [408, 425, 429, 500, 502, 503, 504, 522, 524]
DOWNLOADER_MIDDLEWARES = {
    # First of all: nothing, not even robots.txt, is fetched from a private address.
    "spiders.middlewares.private_network_guard.PrivateNetworkGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.backoff_retry.BackoffRetryMiddleware": 550,
}

# Scrapy starts this many asyncio workers for *every* callback's output; our page
# callbacks yield one item, and 100 idle workers per response cost more CPU than the page.
CONCURRENT_ITEMS = 4

# Names are resolved off the reactor and the address actually connected to is checked.
TWISTED_DNS_RESOLVER = "spiders.resolver.GuardedResolver"

# Redirect chains longer than this are loops or traps.
REDIRECT_MAX_TIMES = 5

# 4xx/5xx pages reach the errback as HttpError and are recorded as failures by status.
HTTPERROR_ALLOW_ALL = False

ITEM_PIPELINES = {
    "spiders.pipelines.decode_html.DecodeHtmlPipeline": 100,
    "spiders.pipelines.write_jsonl.WriteJsonLinesPipeline": 900,
}

# The backoff middleware awaits asyncio.sleep, so the asyncio reactor is required
# (Scrapy's default since 2.13; stated so an older default cannot break retries).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Warn below the hard cap so odd pages show up in the log before they are cut.
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

LOG_LEVEL = "INFO"

