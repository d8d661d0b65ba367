"""Scrapy settings for fundwatch: polite by default (robots.txt, AutoThrottle, small per-domain concurrency).

`crawlers.runner.run_crawl(settings=...)` overrides any of these per crawl (tests shorten timeouts).
"""

BOT_NAME = "fundwatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Who we are: the contact goes into the User-Agent so publishers can reach the operator.
# Set yours with the FUNDWATCH_CONTACT environment variable (a URL or mailto:) or a settings override.
FUNDWATCH_CONTACT = "https://github.com/fundwatch/fundwatch"
USER_AGENT = "fundwatch/0.1 (+{contact})"  # `{contact}` is filled from FUNDWATCH_CONTACT by the runner

ROBOTSTXT_OBEY = True

# Politeness
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5  # a source's `delay` replaces it for that source (one crawler per source)
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Limits
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
METAREFRESH_ENABLED = False

# Retries on transient failures; FundwatchRetryMiddleware adds exponential backoff and Retry-After.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
FUNDWATCH_RETRY_BACKOFF_BASE = 2.0   # seconds; doubled at every retry
FUNDWATCH_RETRY_BACKOFF_MAX = 120.0  # never wait longer than this (also caps Retry-After)

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
}
SPIDER_MIDDLEWARES = {
    "crawlers.middlewares.SkipRecorderMiddleware": 45,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.ExtractPipeline": 300,
    "crawlers.pipelines.StorePipeline": 800,
}

# Content rules
FUNDWATCH_LANGS = ["fr", "en"]
FUNDWATCH_MIN_WORDS = 40             # shorter bodies are skipped as empty_body
FUNDWATCH_LANG_MIN_SHARE = 0.1      # keep a page when fr or en gets at least this share in langdetect
FUNDWATCH_SITEMAP_MAX_AGE_DAYS = 30  # sitemap entries whose lastmod is older are not fetched
FUNDWATCH_MAX_ATTEMPTS = 3           # a URL skipped this many times (timeouts, 5xx...) is not requested again;
                                     # wrong language, not HTML, robots.txt, too large, 404/410: after once
FUNDWATCH_EXTRACT = True             # False: store raw pages without body extraction (benchmarks)

HTTPCACHE_ENABLED = False
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformatter.ArticleLogFormatter"
