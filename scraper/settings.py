"""Scrapy settings of the newsarchive project (``scrapy.cfg`` points here).

Every newsarchive setting is stated here once, with its default, and components read it
without a fallback of their own, as Scrapy's components read its default settings. Every
way of running a crawl (``newsarchive crawl``, ``scrapy crawl``, scrapyd) loads this module.
"""

import os

from archive import layout, limits

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"
SPIDER_LOADER_CLASS = "scraper.spider_loader.ProfileSpiderLoader"

USER_AGENT = "newsarchive/0.1 (news archiving crawler)"
ROBOTSTXT_OBEY = True

# Polite by default; AutoThrottle adapts to each host's latency. Loopback test sites answer
# in a millisecond, so a short start delay does not slow tests down.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# One item slot per response: our callbacks yield a handful of outputs each, and every slot
# costs an asyncio task per response (scrapy#5182).
CONCURRENT_ITEMS = 1
DOWNLOAD_TIMEOUT = 30
# Retry giving up on one mirror is not the end of a page: failover tries the next mirror,
# and only a page no mirror could serve is an error (reported by the spider).
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# A page over DOWNLOAD_MAXSIZE (as sent, or unpacked) is cut off and reported too large; one
# over DOWNLOAD_WARNSIZE is logged (a real article page is under 2 MB).
DOWNLOAD_MAXSIZE = limits.MAX_DOWNLOAD_BYTES
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

DOWNLOADER_MIDDLEWARES = {
    # Below robots.txt (100) so a request is routed before robots.txt is checked for its
    # host; far below Retry (550) so Retry's attempts on one mirror come first.
    "scraper.middlewares.mirrors.MirrorFailoverMiddleware": 50,
    # Where a request that is not to the site's own hosts may go (literal addresses, names
    # sent through a proxy); names we resolve are judged by the resolver below.
    "scraper.middlewares.address_policy.AddressPolicyMiddleware": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scraper.middlewares.robotstxt.RobotsTxtMiddleware": 100,
    # Same places as Scrapy's own, but an off-site redirect is left for failover to record.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.middlewares.redirect.SiteMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scraper.middlewares.redirect.SiteRedirectMiddleware": 600,
    # The profile's [access]: proxy, headers, cookies, delay and concurrency per host; before
    # the default headers (400), cookies (700) and proxy (750) middlewares it goes with.
    "scraper.middlewares.site_access.SiteAccessMiddleware": 390,
    # Offline crawl only (ARCHIVE_FROM_WARC): last before the download handler, it answers in
    # its place, so every other middleware acts as for a real download.
    "scraper.middlewares.from_warc.ArchiveResponseMiddleware": 950,
}
# Scrapy's caching resolver, refusing the addresses the address policy refuses, on the very
# answer that is connected to (scraper/resolver.py)
TWISTED_DNS_RESOLVER = "scraper.resolver.GuardedResolver"
# SOCKS proxies (socks5h for names only the proxy resolves) beside Scrapy's HTTP/1.1 handler
DOWNLOAD_HANDLERS = {
    "http": "scraper.proxied_download.ProxyRoutingDownloadHandler",
    "https": "scraper.proxied_download.ProxyRoutingDownloadHandler",
}
# Seconds a SOCKS proxy has to complete its handshake (the connection to the host behind it
# included) before the request fails as proxy_failed, naming the proxy, rather than waiting
# out DOWNLOAD_TIMEOUT as a mirror's timeout; onion services through Tor may need ~30 s
NEWSARCHIVE_PROXY_TIMEOUT = 30.0
# A proxy that failed its part is set aside as a failed mirror is benched: MIRROR_BENCH_SECONDS,
# doubling up to MIRROR_BENCH_MAX_SECONDS (scraper/proxy_set_aside.py)
ITEM_PIPELINES = {"scraper.pipelines.JsonlRecordsPipeline": 800}
EXTENSIONS = {
    # First: repairs a killed crawl's leftovers before anything is fetched or written.
    "scraper.extensions.crash_recovery.CrashRecoveryExtension": 50,
    "scraper.extensions.warc_capture.WarcCaptureExtension": 100,
    "scraper.extensions.run_report.RunReportExtension": 200,
    "scraper.extensions.progress.ProgressExtension": 300,
    # Off without REDIS_URL: when a worker of a shared crawl may stop.
    "scraper.extensions.shared_idle.SharedCrawlExtension": 400,
    "scraper.extensions.log_format.JsonLogFormatExtension": 10,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.telnet.TelnetConsole": None,
    # An HTTP control port on every crawl: nothing here uses it, and an archive crawler should
    # not listen on anything.
    "scrapy.extensions.remote_control.RemoteControl": None,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"


# -- newsarchive ----------------------------------------------------------------------------

ARCHIVE_DIR = layout.DEFAULT_OUT  # output root: warc/, json/, state/, runs/, logs/
ARCHIVE_WARC_ENABLED = True
ARCHIVE_WARC_MAX_BYTES = 1_000_000_000  # rotate WARC files at this size
ARCHIVE_WARC_GZIP_LEVEL = 6  # deflate level per record, by zlib-ng (warcio: 9, slower, same size)
# <warc>.cdxj (the pywb/wacz index) beside each closed WARC; `newsarchive index DIR` builds
# missing ones later
ARCHIVE_CDXJ_ENABLED = True
# The persistent dedup index, <ARCHIVE_DIR>/state/<site>.sqlite: known articles are skipped or
# re-checked, versions kept
ARCHIVE_INDEX_ENABLED = True
# Seconds the crawl may spend on SQLite's quick_check of the index at its start (a larger file
# is opened unchecked); damage found then or later stops the run with one line naming the file
# and the way out (archive/index/sqlite_damage.py); 0 = no check at start
NEWSARCHIVE_INDEX_CHECK_SECONDS = 2.0
# Offline crawl (--from-warc): WARC files/directories that answer every request instead of the
# network; a URL not in them is a miss
ARCHIVE_FROM_WARC: list[str] | None = None
ARCHIVE_JSONL_FSYNC = False  # fsync after every JSON line (slower; for fragile disks)
# At the start of a crawl, repair what a killed one left: `.open` WARCs cut back to their last
# complete record and closed, a half JSON line cut off, lost index batches fed back from the
# records (scraper/extensions/crash_recovery.py, archive/recovery.py)
ARCHIVE_RECOVERY_ENABLED = True
# Disk space held during a crawl and given back when the disk fills up, so the crawl can still
# close cleanly (exit 1, reason disk_full; the next run resumes); 0 = none
ARCHIVE_DISK_RESERVE_BYTES = 1 << 20
# Sitemap indexes naming sitemap indexes: how deep they are followed, and how many sitemaps
# a run fetches at most (a trap or a generator gone wrong must not hold a run forever)
NEWSARCHIVE_SITEMAP_MAX_DEPTH = 3
NEWSARCHIVE_SITEMAP_MAX_FILES = 500
# Pages a run following links (a profile without feeds, sitemaps or listings: follow_links)
# fetches to find articles: its front page and sections' first pages, and theirs
NEWSARCHIVE_FOLLOW_MAX_PAGES = 300
NEWSARCHIVE_EXTRACT_WORKERS = -1  # page-object worker processes; -1 = one per core, 0 = inline
# A page larger than this (decoded) is archived but not extracted: "too large to extract"
NEWSARCHIVE_EXTRACT_MAX_BYTES = limits.MAX_EXTRACT_BYTES
# Address space of each extraction worker (a page needing more fails alone); 0 = no cap
NEWSARCHIVE_EXTRACT_MEMORY_BYTES = limits.WORKER_MEMORY_BYTES
NEWSARCHIVE_PROGRESS = "auto"  # live panel on a terminal, log lines elsewhere; live | lines | off
NEWSARCHIVE_PROGRESS_INTERVAL = 10.0  # seconds between progress lines; 0 = none
NEWSARCHIVE_LOG_FORMAT = "text"  # or "json": one JSON object per log line (--log-format json)

# Page assets (scraper/spiders/page_assets.py, --assets): after each article, its pictures
# ("images"), or everything its page loads ("page"), or nothing ("none")
NEWSARCHIVE_ASSETS = "images"
NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE = 20  # what its stylesheets name included
# Stylesheets importing stylesheets: levels followed below the page's own (which are level 0)
NEWSARCHIVE_ASSETS_MAX_DEPTH = 3
NEWSARCHIVE_ASSETS_MAX_BYTES = 10 * 1024 * 1024

# Mirror failover (scraper/middlewares/mirrors.py; the run's mirrors: scraper/run_mirrors.py)
MIRROR_ENABLED = True  # route each page to a healthy mirror, fail over on errors
MIRROR_BENCH_AFTER = 3  # consecutive failures that bench a mirror
MIRROR_BENCH_SECONDS = 30.0  # first bench; doubles on every failed probe…
MIRROR_BENCH_MAX_SECONDS = 600.0  # …up to this
MIRROR_STRATEGY: str | None = None  # override the profile's mirror_strategy: primary-first | spread
# Plus every 5xx; a 404 only when another mirror has the page (404 everywhere blames nobody)
MIRROR_FAILOVER_HTTP_CODES = [403, 404, 429, 451]
MIRROR_BLOCK_SCAN_BYTES = 65536  # how much of a page is searched for the profile's block_markers
# Mirror memory (archive/mirror_memory.py, state/<site>.mirrors.json; newsarchive mirrors):
# a run starts with the mirror order that worked last time, and a mirror failing every
# request of this many runs in a row (or serving nothing for this many days) gets a notice
MIRROR_MEMORY_ENABLED = True
MIRROR_NOTICE_AFTER_RUNS = 3
MIRROR_NOTICE_AFTER_DAYS = 7.0
# No request that is not to the site's own hosts (discovery's checks, page assets, their
# redirects) reaches a private, loopback, link-local or reserved address unless the site's
# own hosts are of that kind (archive/address_policy.py); off only knowingly
NEWSARCHIVE_ADDRESS_POLICY = True
# Mirror discovery (scraper/spiders/mirror_discovery.py; the profile's discover_mirrors):
# hosts the site's own pages name as itself are checked, then join failover
MIRROR_DISCOVERY_ENABLED = True
# articles a candidate serves with the recorded text: the first makes it a mirror (in
# failover at once), this many make it trusted (no more checks, in this run or later ones)
MIRROR_DISCOVERY_CHECKS = 3
MIRROR_DISCOVERY_MIN_AGREEMENT = 0.9  # share of the text that must be the same
MIRROR_DISCOVERY_MAX_CANDIDATES = 10  # checked per run: a notice listing hundreds is bounded
MIRROR_DISCOVERY_NOTICE_PAGES = 50  # pages per run whose notices are read
# Compare mode (--compare-mirrors): fetch each recorded article from every other healthy
# mirror, report text that differs in the run report and runs/<run-id>.mirror_divergence.jsonl
MIRROR_COMPARE = False

# Scale-out (scraper/shared/, scraper/extensions/shared_idle.py, archive/index/redis_backend.py).
# REDIS_URL set (--redis URL): this crawl is one worker of the site's shared crawl: queue,
# dupefilter, article claims and index on Redis.
# The addon swaps in the shared (scrapy-redis) scheduler when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL") or None
ADDONS = {"scraper.shared_queue.SharedCrawlAddon": 0}
# A worker closes once the shared queue has been empty, with every worker idle, this long
SHARED_CRAWL_IDLE_CLOSE = 5.0
SHARED_CRAWL_HEARTBEAT = 0.5  # seconds between a worker's heartbeats (and looks at the queue)
SHARED_CRAWL_WORKER_TIMEOUT = 30.0  # a worker silent this long is gone; run keys expire after 2x
SHARED_CRAWL_PREFIX = (
    "newsarchive"  # Redis keys: <prefix>:<site>:crawl:… and <prefix>:<site>:index:…
)
