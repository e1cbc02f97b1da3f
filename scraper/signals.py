"""Signals of newsarchive's own, beside Scrapy's."""

# Sent as page_failed(url: str, reason: str, page_type: str) for every page that was not
# usable: a download error, an HTTP error status, a feed that is not a feed, an article URL
# that gave no article. The run report lists each one.
page_failed = object()

# Sent as page_outcome(outcome: str) for everything worth counting that is not a failure
# (skipped as older than --since, over --max-articles, a duplicate link…).
page_outcome = object()

# Sent as capture_context(response: Response, context: archive.capture_context.CaptureContext)
# when the spider knows something about a capture worth keeping beside it in the WARC (the
# URLs an article was seen under; a mirror copy fetched only to compare). The WARC capture
# extension writes it as a metadata record referring to the capture.
capture_context = object()

# The spider's verdict on a page whose type it checks (feeds, sitemaps, articles: a seized
# mirror answers 200 with a banner, so only the page's content says whether the mirror
# served the site). The failover middleware handles both; the spider never calls it.
#
# Sent as page_served(response: Response) when the page is what its URL promised.
page_served = object()
# Sent as wrong_page(response: Response, reason: str, detail: str) when it is not. A handler
# that schedules the page again elsewhere (the same path on the next healthy mirror) returns
# True; when none does, the spider reports the page as failed.
wrong_page = object()

# Sent as profile_changed(profile: SiteProfile) when the crawl's site profile changed during
# the run: a discovered mirror was verified and joined failover. The WARC capture writes the
# new profile into the open file, so replay reads that mirror's pages as the site's.
profile_changed = object()

# Sent as mirror_candidate(origin: str, how: str, where: str) when a component saw the site
# name another host as itself (an off-site redirect from a mirror); mirror discovery checks it.
mirror_candidate = object()
