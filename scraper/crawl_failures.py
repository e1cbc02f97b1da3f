"""What can go wrong with a page of the crawl, in words every crawl component shares.

The middlewares raise these failures and name them; the spider reports them; neither imports
the other (``docs/architecture.md``: components never call each other), so the exceptions,
the request meta they leave behind and the short reason keys live here, below both.

Reason keys (``http_503``, ``timeout``, ``address_refused``…) are what mirror health counts,
the run report groups failures by and asset tallies are named after; the detail beside each
is one line for a person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError

from scraper.proxied_download import ProxyFault
from scraper.resolver import AddressRefused

if TYPE_CHECKING:
    from twisted.python.failure import Failure

# request.meta: the off-site host a mirror redirected to, which the redirect middlewares did
# not follow (failover counts it against the mirror; compare mode names it)
OFFSITE_META = "offsite_redirect"

ADDRESS_REFUSED = "address_refused"  # the address policy turned the host down


class MirrorsExhausted(IgnoreRequest):
    """Every healthy mirror was tried for this request; the message is the last failure.

    An IgnoreRequest so that Scrapy does not log a traceback for it: the spider's errback
    reports it, with every attempt from ``request.meta["mirror_attempts"]``."""


class RedirectFailed(IgnoreRequest):
    """A redirect loop, or a chain longer than REDIRECT_MAX_TIMES: the page is lost, which
    the spider reports as a failure (Scrapy drops both quietly: the one as a duplicate
    request, the other as an ignored one)."""


class NotInArchive(Exception):
    """The URL has no capture in the WARC files an offline crawl reads."""


def classify_exception(exception: BaseException) -> tuple[str, str]:
    """(short reason key, one-line detail) of a download error."""
    message = str(exception) or type(exception).__name__
    chain = [exception]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    names = " ".join(type(e).__name__ for e in chain) + " " + message
    if isinstance(exception, NotInArchive):
        key = "not_archived"  # an offline crawl (--from-warc) has no capture of this URL
    elif isinstance(exception, ProxyFault):
        key = exception.reason  # the proxy, not the mirror behind it
    elif isinstance(exception, DownloadConnectionRefusedError):
        key = "connection_refused"
    elif isinstance(exception, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in message:
        # Scrapy cancels a body that goes over DOWNLOAD_MAXSIZE (as sent, or unpacked), and
        # says so only in a log line: an endless page, not a mirror that cannot be reached
        return "too_large", "too large: its body went over DOWNLOAD_MAXSIZE and was cut off"
    elif isinstance(exception, CannotResolveHostError):
        key = "dns"
    elif isinstance(exception, DownloadTimeoutError) or "Timeout" in names:
        key = "timeout"
    elif "SSL" in names or "TLS" in names or "certificate" in names.lower():
        key = "tls"
    elif (
        isinstance(exception, ResponseDataLossError)
        or "DataLoss" in names
        or "PartialDownload" in names
    ):
        key = "cut_short"
    else:
        key = "download_error"
    return key, f"{key.replace('_', ' ')}: {type(exception).__name__}: {message}"


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(short key, one line) of a request that failed before its callback: an HTTP error
    status, a request turned down on the way (robots.txt…), or a download error."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"http {status}"
    if failure.check(AddressRefused):
        return ADDRESS_REFUSED, failure.getErrorMessage()
    key, detail = classify_exception(failure.value)
    if failure.check(IgnoreRequest) and not failure.check(MirrorsExhausted):
        message = failure.getErrorMessage()
        return ("robots_txt" if "robots.txt" in message else key), f"skipped: {message}"
    return key, detail
