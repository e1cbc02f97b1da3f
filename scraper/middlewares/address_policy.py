"""The address policy (``archive.address_policy``) on every request of a crawl.

One rule for every request that is not to the profile's own hosts, whatever sent it
(discovery's checks, page assets, robots.txt of their hosts, the redirects of any of them):
it may not reach a private, loopback, link-local, reserved or multicast address unless the
site's own hosts are of that kind.

- A name is judged on the address it resolves to, when it is resolved to be connected to
  (``scraper.resolver.GuardedResolver``, which this middleware hands the policy when the
  spider opens).
- A literal address never reaches a resolver, and a request through a proxy is resolved by
  the proxy: both are judged here, before the request goes anywhere, so a proxy is never
  asked for ``169.254.169.254`` or ``localhost`` on a page's word.

A refused request fails with ``AddressRefused`` (reason ``address_refused``): an asset not
archived, a mirror candidate rejected. Each refused host is one warning line; the count is
``address_policy/refused``. Placement (``DOWNLOADER_MIDDLEWARES``): 60, after failover has
chosen the mirror (50) and before robots.txt (100) is asked of a host that will be refused.
``NEWSARCHIVE_ADDRESS_POLICY = False`` turns it off (a crawl that must follow pages into its
own network, knowingly).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.request import getproxies, proxy_bypass

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from archive.address_policy import AddressPolicy, literal_address
from scraper.resolver import AddressRefused, installed
from scraper.run import ArchiveRun
from scraper.sites.url_syntax import url_host

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)


class AddressPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NEWSARCHIVE_ADDRESS_POLICY"):
            raise NotConfigured("NEWSARCHIVE_ADDRESS_POLICY is off")
        self.crawler = crawler
        self.policy: AddressPolicy | None = None
        self.env_proxies = getproxies() if crawler.settings.getbool("HTTPPROXY_ENABLED") else {}
        self._refused_hosts: set[str] = set()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressPolicyMiddleware:
        return cls(crawler)

    @property
    def profile(self) -> SiteProfile | None:
        return ArchiveRun.of(self.crawler).profile

    def spider_opened(self) -> None:
        profile = self.profile
        if profile is None:
            return  # not one of ours: no site to hold requests to
        self.policy = AddressPolicy.for_site(
            _site_names(profile), _proxy_names(profile, self.env_proxies)
        )
        resolver = installed()
        if resolver is not None:
            resolver.policy = self.policy
        else:
            logger.warning(
                "TWISTED_DNS_RESOLVER is %s, not scraper.resolver.GuardedResolver: names are "
                "not checked against the address policy when they are connected to",
                self.crawler.settings.get("TWISTED_DNS_RESOLVER"),
            )

    def spider_closed(self) -> None:
        resolver = installed()
        if resolver is not None and resolver.policy is self.policy:
            resolver.policy = None

    def process_request(self, request: Request) -> None:
        policy = self.policy
        if policy is None:
            return
        parts = urlparse_cached(request)
        try:
            host = parts.hostname
        except ValueError:
            return  # not a URL Scrapy can download either: it fails there, with its reason
        if not host or policy.owns(host):
            return
        if literal_address(host) is None and not self._proxied(request, parts, host):
            return  # a name we resolve: judged on its address (scraper.resolver)
        refusal = policy.name_refusal(host)
        if refusal is not None:
            raise AddressRefused(refusal)  # counted and told by process_exception, as all are

    def process_exception(self, request: Request, exception: BaseException) -> None:
        if isinstance(exception, AddressRefused):
            self._refused(request, str(exception))

    def _proxied(self, request: Request, parts: Any, host: str) -> bool:
        """Whether a proxy will resolve ``host``: the request's own, the profile's (set on
        it later by the site access middleware), or the environment's (Scrapy's proxy
        middleware)."""
        if request.meta.get("proxy"):
            return True
        profile = self.profile
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if profile is not None and profile.access.proxy_for(origin):
            return True
        return parts.scheme in self.env_proxies and not proxy_bypass(host)

    def _refused(self, request: Request, reason: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("address_policy/refused")
        host = urlparse_cached(request).netloc
        if host not in self._refused_hosts:
            self._refused_hosts.add(host)
            logger.warning(
                "not requested: %s (%s): %s",
                request.url[:200],
                request.meta.get("page_type", "page"),
                reason,
            )


def _site_names(profile: SiteProfile) -> list[str]:
    """The host names the site names itself, with and without ``www.`` as the profile owns
    them; discovered mirrors left out: they are held to the rule."""
    names = [url_host(o) for o in profile.own_origins]
    names += [url_host(f"//{alias}") for alias in profile.aliases]
    own = [n for n in names if n]
    return [*own, *(n[4:] for n in own if n.startswith("www.")), *(f"www.{n}" for n in own)]


def _proxy_names(profile: SiteProfile, env_proxies: dict[str, str]) -> list[str]:
    access = profile.access
    proxies = [access.proxy, *(p for _origin, p in access.mirror_proxies), *env_proxies.values()]
    return [n for n in (url_host(p if "//" in p else f"//{p}") for p in proxies if p) if n]
