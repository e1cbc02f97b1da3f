"""Downloads through the proxy a site's profile names (``[access] proxy``, ``mirror_proxies``).

Scrapy's own HTTP/1.1 handler speaks to HTTP(S) proxies, not to SOCKS ones: a request whose
``meta["proxy"]`` is ``socks4``, ``socks4a``, ``socks5`` or ``socks5h`` goes through
aiohttp with aiohttp-socks, which is python-socks (maintained, made for the job) under
aiohttp's connection pool. ``socks5h`` and ``socks4a`` let the proxy resolve the host name,
as an onion address through Tor needs. Every other request takes Scrapy's handler, as before.

A proxy that cannot be reached is named as such (``ProxyUnreachable``; the failover
middleware reports it as ``proxy_unreachable`` with the proxy's address), not as every mirror
behind it refusing connections. One that is reached but fails its part (``ProxyFailed``,
``proxy_failed``) is named too: a SOCKS handshake not done within
``NEWSARCHIVE_PROXY_TIMEOUT`` (a proxy that accepts and never answers would otherwise hold
each request for ``DOWNLOAD_TIMEOUT``, blamed on the mirror as a timeout), a reply that is not
SOCKS or not HTTP (garbage: shown as a short escaped excerpt, never the raw bytes), a refused
login. A SOCKS reply with an error code is the host behind the proxy failing, and stays the
mirror's. The proxy is always named without its credentials. A SOCKS capture's
``WARC-IP-Address`` is the proxy's: the address the crawler really talked to.

Neither is retried by Scrapy's RetryMiddleware (asking the same proxy again cannot help), and
a proxy that failed so is set aside for a while (``scraper/proxy_set_aside.py``): requests
through it fail at once with the same failure, so that a dead or stalled proxy costs a run
one timeout, not one per request, retry and mirror.

A ``.onion`` host is reached only through a proxy (``[access] tor``, or the mirror's own):
a request to one without fails here (``OnionWithoutProxy``, reason ``dns``) before anything
is looked up, so the name never reaches a DNS resolver (which would fail, after telling it
where the crawl was going); failover tries the next mirror.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from scraper.proxy_set_aside import (
    BACK_STAT,
    FAILED_AT_ONCE_STAT,
    SET_ASIDE_STAT,
    ProxiesSetAside,
)
from scraper.resolver import AddressRefused, refusal_for
from scraper.sites.site_access import SOCKS_SCHEMES, is_onion

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class ProxyFault(Exception):
    """The proxy failed its part, not the host behind it; ``reason`` is the failure's key in
    the mirror report.

    Deliberately not one of Scrapy's download errors (``DownloadFailedError``,
    ``DownloadConnectionRefusedError``, all in ``RETRY_EXCEPTIONS``): RetryMiddleware would
    send the request again through the same proxy, which cannot help. Failover still tries
    the next mirror, which may be behind another proxy or none."""

    reason = "proxy_failed"


class ProxyUnreachable(ProxyFault):
    """The proxy itself could not be reached (not the host behind it)."""

    reason = "proxy_unreachable"


class ProxyFailed(ProxyFault):
    """The proxy was reached but did not do its part: no handshake in time, an answer that is
    not the protocol's, a refused login (not the host behind it)."""


class OnionWithoutProxy(CannotResolveHostError):
    """A request to a ``.onion`` host with no proxy to reach it: never resolved, and failed
    as a name that does not resolve (key ``dns``): failover tries the next mirror, discovery
    lists a candidate as unreachable."""


logger = logging.getLogger(__name__)

EXCERPT_CHARS = 80


def excerpt(data: bytes | str) -> str:
    """What a proxy sent, escaped (``repr``) and cut to :data:`EXCERPT_CHARS` characters: a
    garbage answer is evidence, not something to print raw on an operator's terminal."""
    shown = repr(data[:EXCERPT_CHARS])
    if len(shown) > EXCERPT_CHARS or len(data) > EXCERPT_CHARS:
        return shown[:EXCERPT_CHARS] + "…"
    return shown


def _not_http(exc: BaseException) -> str | None:
    """An excerpt of what an HTTP proxy sent that was not HTTP (None: it was HTTP, or it sent
    nothing): twisted's ParseError under Scrapy's wrapping, or a TunnelError's CONNECT answer
    (which Scrapy has escaped already, up to 1,000 bytes of it)."""
    from scrapy.core.downloader.handlers.http11 import TunnelError
    from twisted.web._newclient import ParseError
    from twisted.web.client import ResponseFailed

    seen: list[BaseException] = [exc]
    while seen:
        error = seen.pop()
        if isinstance(error, ParseError):
            data = error.args[-1] if error.args else b""
            return excerpt(data if isinstance(data, (bytes, str)) else repr(data))
        if isinstance(error, TunnelError):
            message = str(error)
            answer = message[message.find("[") :] if "[" in message else message
            return answer[:EXCERPT_CHARS] + ("…" if len(answer) > EXCERPT_CHARS else "")
        if isinstance(error, ResponseFailed):
            seen += [reason.value for reason in error.reasons if reason.value is not None]
        if error.__cause__ is not None and len(seen) < 10:
            seen.append(error.__cause__)
    return None


def redacted_proxy(url: str) -> str:
    """The proxy URL without its password, for logs and reports."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


class ProxyRoutingDownloadHandler(BaseDownloadHandler):
    """``DOWNLOAD_HANDLERS`` for http and https: SOCKS-proxied requests to the SOCKS
    handler, the rest to Scrapy's HTTP/1.1 handler."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._direct = build_from_crawler(HTTP11DownloadHandler, crawler)
        self._socks: Any = None  # made on the first SOCKS request: aiohttp is imported then
        self._set_aside = ProxiesSetAside.of(crawler)

    async def download_request(self, request: Request) -> Response:
        proxy = request.meta.get("proxy")
        if not proxy:
            host = urlparse_cached(request).hostname or ""
            if is_onion(host):
                raise OnionWithoutProxy(
                    f"{host} is an onion address: reached only through [access] tor (or "
                    "--tor), never looked up in DNS"
                )
            return await self._download(request, None)
        try:
            probe = self._set_aside.admit(proxy)
        except ProxyFault:
            self._count(FAILED_AT_ONCE_STAT)
            raise
        try:
            response = await self._download(request, proxy)
        except ProxyFault as exc:
            seconds = self._set_aside.failed(proxy, exc, probe)
            if seconds is not None:
                self._count(SET_ASIDE_STAT)
                logger.warning(
                    "%s: set aside for %.0f s, requests through it fail at once until then",
                    exc,
                    seconds,
                )
            raise
        except BaseException:
            self._set_aside.undecided(proxy, probe)
            raise
        if self._set_aside.worked(proxy):
            self._count(BACK_STAT)
            logger.info("proxy %s is back in use", redacted_proxy(proxy))
        return response

    def _count(self, stat: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(stat)

    async def _download(self, request: Request, proxy: str | None) -> Response:
        if proxy and urlsplit(proxy).scheme in SOCKS_SCHEMES:
            if self._socks is None:
                self._socks = _socks_handler(self.crawler)
            return cast("Response", await self._socks.download_request(request))
        try:
            return await self._direct.download_request(request)
        except (DownloadConnectionRefusedError, CannotResolveHostError) as exc:
            refusal = refusal_for(urlparse_cached(request).hostname or "")
            if refusal is not None and isinstance(exc, CannotResolveHostError):
                raise AddressRefused(refusal) from exc  # resolved, and refused: not a DNS fault
            if not proxy:
                raise
            # through an HTTP proxy the crawler only ever connects to the proxy
            raise ProxyUnreachable(f"proxy {redacted_proxy(proxy)} unreachable: {exc}") from exc
        except Exception as exc:
            garbage = _not_http(exc) if proxy else None
            if garbage is None or not proxy:
                raise
            raise ProxyFailed(
                f"proxy {redacted_proxy(proxy)} answered what is not HTTP: {garbage}"
            ) from exc

    async def close(self) -> None:
        await self._direct.close()
        if self._socks is not None:
            await self._socks.close()


def _socks_handler(crawler: Crawler) -> Any:
    import aiohttp
    from aiohttp_socks import (  # aiohttp-socks' own classes, not python-socks' of that name
        ProxyConnectionError,
        ProxyConnector,
        ProxyError,
        ProxyTimeoutError,
        ProxyType,
    )
    from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler, _ClientResponse

    kinds = {
        "socks4": (ProxyType.SOCKS4, False),
        "socks4a": (ProxyType.SOCKS4, True),
        "socks5": (ProxyType.SOCKS5, False),
        "socks5h": (ProxyType.SOCKS5, True),  # the proxy resolves the name
    }

    class SocksDownloadHandler(AiohttpDownloadHandler):
        def __init__(self, crawler: Crawler) -> None:
            super().__init__(crawler)
            self._sessions: dict[str, aiohttp.ClientSession] = {}
            # the SOCKS handshake (python-socks' own timeout: aiohttp's sock_connect)
            self._handshake = crawler.settings.getfloat("NEWSARCHIVE_PROXY_TIMEOUT")

        def _session_for(self, proxy: str) -> aiohttp.ClientSession:
            session = self._sessions.get(proxy)
            if session is None:
                parts = urlsplit(proxy)
                kind, remote_dns = kinds[parts.scheme]
                connector = ProxyConnector(
                    proxy_type=kind,
                    host=parts.hostname or "",
                    port=parts.port or 1080,
                    username=unquote(parts.username) if parts.username else None,
                    password=unquote(parts.password) if parts.password else None,
                    rdns=remote_dns,
                    limit=self._pool_size_total,
                    limit_per_host=self._pool_size_per_host,
                )
                session = self._sessions[proxy] = aiohttp.ClientSession(
                    connector=connector,
                    cookie_jar=aiohttp.DummyCookieJar(),
                    auto_decompress=False,
                    response_class=_ClientResponse,
                    skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
                )
            return session

        @asynccontextmanager
        async def _make_request(
            self, request: Request, timeout: float
        ) -> AsyncIterator[_ClientResponse]:
            proxy = self._extract_proxy_url_with_creds(request)
            assert proxy is not None
            named = redacted_proxy(proxy)
            headers = self._request_headers(request).to_tuple_list()
            try:
                async with await self._session_for(proxy).request(
                    request.method,
                    request.url,
                    data=request.body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(
                        total=timeout, sock_connect=min(self._handshake, timeout)
                    ),
                    ssl=self._ssl_context,
                    allow_redirects=False,
                ) as response:
                    yield cast("_ClientResponse", response)
            except ProxyConnectionError as exc:
                raise ProxyUnreachable(f"proxy {named} unreachable: {exc}") from exc
            except ProxyTimeoutError as exc:  # accepted, then no (full) handshake in time
                raise ProxyFailed(
                    f"proxy {named} did not complete its SOCKS handshake within "
                    f"{min(self._handshake, timeout):g} s"
                ) from exc
            except ProxyError as exc:
                if getattr(exc, "error_code", None) is None:  # not a SOCKS error reply
                    raise ProxyFailed(
                        f"proxy {named} failed its SOCKS handshake: {excerpt(str(exc))}"
                    ) from exc
                # the proxy's reply code: the host behind it failed
                raise DownloadConnectionRefusedError(
                    f"{request.url} through proxy {named}: {exc}"
                ) from exc
            except (TimeoutError, asyncio.TimeoutError) as exc:
                raise DownloadTimeoutError(
                    f"Getting {request.url} took longer than {timeout} seconds."
                ) from exc
            except (aiohttp.ClientError, ssl.SSLError) as exc:
                raise DownloadFailedError(f"{request.url} through proxy {named}: {exc}") from exc

        async def close(self) -> None:
            for session in self._sessions.values():
                await session.close()
            await super().close()

    return SocksDownloadHandler(crawler)
