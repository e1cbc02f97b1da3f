"""Mirror discovery: hosts the site names as itself become mirrors, once verified.

Candidates come from the site's own pages: its notices of alternate addresses
(``scraper.sites.mirror_notices``), an article's ``rel=canonical``/``og:url`` or a feed entry
naming another host for an article URL, and an off-site redirect from a known mirror (the
failover middleware's ``mirror_candidate`` signal); and from the published mirror lists the
profile names (``scraper.spiders.listed_mirrors``). A host merely linked from elsewhere is
never one. A ``.onion`` candidate without ``[access] tor`` is unreachable: never asked.

A candidate is checked before any record comes from it:

1. its address: like every request that is not to the site's own hosts, a check goes
   nowhere private, loopback or link-local unless the site's own hosts are
   (``archive.address_policy``, judged on the address connected to, redirects included), so
   a hostile notice cannot steer the crawler into the network it runs in; a candidate
   refused so is rejected, never asked again;
2. its text: ``MIRROR_DISCOVERY_CHECKS`` articles this run recorded from a trusted mirror
   are fetched from it and must agree with what was recorded
   (``MIRROR_DISCOVERY_MIN_AGREEMENT`` of the text). Check requests carry no
   ``site_profile``: failover leaves them alone, they count for nobody's health, and their
   pages are never records (they are in the WARC, as every exchange is).

A candidate that passes joins failover at once (the spider adopts it: profile, mirror
health, the profile copy in the WARC), and is remembered as ``verified`` in
``state/<site>.mirrors.json``; the next runs start with it. One whose text differs is
``rejected`` with the reason; one that could not be reached stays a candidate, checked again
next run. Everything is counted under ``mirror_discovery/``.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.article_keeper import screen
from archive.extraction import ExtractionPool, extract_article
from archive.layout import OutputLayout
from archive.mirror_memory import (
    CANDIDATE,
    FROM_CANONICAL,
    FROM_MIRROR_LIST,
    FROM_NOTICE,
    REJECTED,
    TRUSTED,
    USABLE,
    VERIFIED,
    MirrorMemory,
    MirrorMemoryError,
)
from archive.mirror_verification import text_agreement
from scraper import signals as newsarchive_signals
from scraper.crawl_failures import ADDRESS_REFUSED, failure_reason
from scraper.sites.mirror_notices import announced_origins
from scraper.sites.profile import SiteProfile
from scraper.sites.site_access import is_onion
from scraper.sites.url_syntax import split_url
from scraper.spiders.listed_mirrors import listed_candidates
from scraper.spiders.response_parts import content_type_of

if TYPE_CHECKING:
    from scraper.run import ArchiveRun


class DiscoveringSpider(Protocol):
    """What discovery asks of the spider that owns it (the news spider)."""

    profile: SiteProfile
    run: ArchiveRun

    async def parse_mirror_check(self, response: Response) -> None: ...
    def mirror_check_failed(self, failure: Failure) -> None: ...
    def adopt_mirrors(self, origins: list[str]) -> None: ...
    def retire_mirror(self, origin: str) -> None: ...
    def ask_again(self, request: Request) -> None: ...
    def failed_after_all(self, request: Request, reason: str) -> None: ...


logger = logging.getLogger(__name__)

CHECK_PRIORITY = 200  # before articles: a verified mirror helps the rest of the run
REFERENCES_KEPT = 8
_ASKED_AGAIN = "mirror_discovery_asked_again"
MAX_PARKED = 10_000  # articles held for a mirror yet to come; beyond, failed at once
ONION_UNREACHABLE = "an onion address, reached only through [access] tor (or --tor): not asked"


@dataclass(frozen=True)
class Reference:
    """An article this run recorded from a trusted mirror: what a candidate must serve."""

    article_id: str
    path: str  # path and query, the same on every mirror
    body: str


@dataclass
class Candidate:
    origin: str
    how: str
    where: str
    passed: list[float] = field(default_factory=list)  # the agreement of each check passed
    tried: set[str] = field(default_factory=set)  # reference article ids asked of it
    asked: dict[str, Reference] = field(default_factory=dict)  # the check in flight, by id
    checking: bool = False  # a check request is under way
    joined: bool = False  # passed a check: in failover, untrusted until it passes them all
    done: bool = False  # trusted, rejected or unreachable: no more checks this run


class MirrorDiscovery:
    """Owned by the spider; settings ``MIRROR_DISCOVERY_*`` (see ``scraper/settings.py``)."""

    def __init__(self, crawler: Crawler, spider: DiscoveringSpider, memory: MirrorMemory) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.spider = spider
        self.checks = max(1, settings.getint("MIRROR_DISCOVERY_CHECKS"))
        self.min_agreement = settings.getfloat("MIRROR_DISCOVERY_MIN_AGREEMENT")
        self.max_candidates = settings.getint("MIRROR_DISCOVERY_MAX_CANDIDATES")
        self.notice_pages = settings.getint("MIRROR_DISCOVERY_NOTICE_PAGES")
        self.memory_path = memory.path
        self.references: deque[Reference] = deque(maxlen=REFERENCES_KEPT)
        self.candidates: dict[str, Candidate] = {}
        self.seen: set[str] = set()  # every origin considered, whatever became of it
        self.articles_recorded = 0  # from trusted mirrors, this run
        # articles no mirror could serve while candidates were undecided: (request, reason)
        self.parked: list[tuple[Request, str]] = []
        self._go_on_checking(spider.profile, memory)
        crawler.signals.connect(self.learn, signal=newsarchive_signals.mirror_candidate)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)
        crawler.signals.connect(self.read_lists, signal=signals.spider_opened)

    def _go_on_checking(self, profile: SiteProfile, memory: MirrorMemory) -> None:
        """Mirrors earlier runs verified but do not trust yet (in this run's failover from
        the start) are checked again as articles are recorded."""
        for origin in profile.discovered:
            memo = memory.find(origin)
            if memo is not None and memo.status == VERIFIED:
                self.seen.add(origin)
                self.candidates[origin] = Candidate(
                    origin,
                    memo.learnt,
                    memo.learnt_at or "an earlier run",
                    passed=[1.0] * memo.checks_passed,
                    joined=True,
                )

    @classmethod
    def enabled(cls, crawler: Crawler, profile: SiteProfile) -> bool:
        settings = crawler.settings
        return (
            profile.discover_mirrors
            and settings.getbool("MIRROR_DISCOVERY_ENABLED")
            and settings.getbool("MIRROR_ENABLED")
        )

    @property
    def profile(self) -> SiteProfile:
        return self.spider.profile

    def _count(self, stat: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"mirror_discovery/{stat}")

    # -- where candidates come from ---------------------------------------------------------

    def read_lists(self) -> None:
        """The profile's mirror lists, once the crawl has started (their entries counted)."""
        for origin, name in listed_candidates(self.crawler, self.profile):
            self.learn(origin, FROM_MIRROR_LIST, name)

    def read_page(self, response: Response, canonical_url: str | None = None) -> None:
        """A page of the site (served by a trusted mirror): its notices, and the canonical
        URL its article declares."""
        if self.notice_pages > 0:
            self.notice_pages -= 1
            try:
                text = response.text
            except (AttributeError, ValueError):
                text = ""
            for origin in announced_origins(text, response.url, self.profile.mirror_notice):
                self.learn(origin, FROM_NOTICE, response.url)
        if canonical_url:
            self.read_link(canonical_url, response.url, FROM_CANONICAL)

    def read_link(self, url: str, where: str, how: str) -> None:
        """A URL the site's own page or feed gives for an article, on another host."""
        parts = split_url(url)  # a redirect's Location or a feed's link may not parse
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            return
        if self.profile.owns(url) or self.profile.article_url.match(parts.path) is None:
            return
        self.learn(f"{parts.scheme}://{parts.netloc.lower()}", how, where)

    def learn(self, origin: str, how: str, where: str) -> None:
        if origin in self.seen or origin in self.profile.origins or self.profile.owns(origin):
            return  # known, or one of the site's own hosts (an alias)
        self.seen.add(origin)
        self._count(f"learnt/{how}")
        if len(self.candidates) >= self.max_candidates:
            self._count("skipped/too_many")
            logger.info(
                "mirror candidate %s (%s on %s) not checked: %d already this run",
                origin,
                how,
                where,
                self.max_candidates,
            )
            return
        memo = self._remember(lambda memory: _learnt(memory, origin, how, where))
        if memo is not None and memo.status == REJECTED:
            self._count("skipped/rejected_before")
            return
        candidate = self.candidates[origin] = Candidate(origin, how, where)
        if is_onion(origin) and self.profile.access.proxy_for(origin) is None:
            self._count("onion_without_tor")  # never asked, so never looked up in DNS
            self._unreachable(candidate, origin, ONION_UNREACHABLE)
            return
        logger.info("mirror candidate %s (%s on %s): checking it", origin, how, where)
        if memo is not None and memo.status in USABLE:  # trusted by the operator meanwhile
            candidate.done = True
            self.spider.adopt_mirrors([origin])
            return
        self._next_check(candidate)

    # -- checking -------------------------------------------------------------------------

    def recorded(self, response: Response, article_id: str, body: str) -> None:
        """An article recorded from a trusted mirror: a reference for the checks; candidates
        waiting for one are checked now."""
        if not body or response.meta.get("mirror") not in self._trusted_origins():
            return
        parts = urlsplit(response.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.references.append(Reference(article_id, path, body))
        self.articles_recorded += 1
        for candidate in self.candidates.values():
            if not candidate.done and not candidate.checking:
                self._next_check(candidate)

    def _trusted_origins(self) -> tuple[str, ...]:
        """The site's mirrors but those still being checked: what a joined, untrusted mirror
        serves is never what another candidate is held against."""
        untrusted = {o for o, c in self.candidates.items() if len(c.passed) < self.checks}
        return tuple(o for o in self.profile.origins if o not in untrusted)

    def _next_check(self, candidate: Candidate) -> None:
        reference = next((r for r in self.references if r.article_id not in candidate.tried), None)
        if reference is None:
            return  # checked once the crawl has recorded an article it was not asked yet
        candidate.tried.add(reference.article_id)
        candidate.asked[reference.article_id] = reference
        candidate.checking = True  # until the verdict: one check at a time
        self._count("checks")
        engine = self.crawler.engine
        assert engine is not None
        engine.crawl(
            Request(
                candidate.origin + reference.path,
                callback=self.spider.parse_mirror_check,
                errback=self.spider.mirror_check_failed,
                priority=CHECK_PRIORITY,
                dont_filter=True,
                meta={
                    "page_type": "mirror_check",
                    "mirror_candidate": candidate.origin,
                    "check_reference": reference.article_id,
                },
            )
        )

    async def checked(self, response: Response, pool: ExtractionPool) -> None:
        candidate = self.candidates[response.meta["mirror_candidate"]]
        reference = candidate.asked.pop(response.meta["check_reference"], None)
        try:
            if not candidate.done and reference is not None:
                await self._judge(candidate, reference, response, pool)
        finally:
            candidate.checking = False
        if not candidate.done:
            self._next_check(candidate)

    async def _judge(
        self, candidate: Candidate, reference: Reference, response: Response, pool: ExtractionPool
    ) -> None:
        """The verdict on one check page: rejected, or a check passed."""
        asked = urlsplit(response.request.url if response.request else response.url)
        if urlsplit(response.url).netloc != asked.netloc:
            self._reject(candidate, f"redirects {asked.path} to {response.url}")
            return
        content_type = content_type_of(response)
        refusal = screen(self.profile, response.body, content_type)
        if refusal is not None:
            self._reject(candidate, f"{reference.article_id}: {refusal.detail}")
            return
        try:
            result = await pool.run(
                partial(extract_article, links=False, fields=self.profile.fields),
                self.profile.extractor,
                response.url,
                response.body,
                content_type,
                self.profile.timezone,
            )
        except Exception as exc:  # one odd page must not stop the run
            self._reject(candidate, f"{reference.article_id}: extraction error: {exc}")
            return
        body = (result.article or {}).get("body") or ""
        agreement = text_agreement(reference.body, body)
        if agreement < self.min_agreement:
            self._reject(
                candidate,
                f"its text of {reference.article_id} differs from the site's "
                f"(agreement {agreement:.2f}, at least {self.min_agreement:.2f} needed)",
            )
            return
        candidate.passed.append(agreement)
        self._count("checks_passed")
        if not candidate.joined:
            self._join(candidate, agreement)
        if len(candidate.passed) >= self.checks:
            self._trust(candidate)

    def check_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        candidate = self.candidates[request.meta["mirror_candidate"]]
        candidate.asked.pop(request.meta["check_reference"], None)
        candidate.checking = False
        if candidate.done or candidate.joined:
            return  # a mirror in use that failed a page: failover's business, not a verdict
        key, detail = failure_reason(failure)
        if key == ADDRESS_REFUSED:  # where it points (or redirects) is no site's
            self._reject(candidate, detail)
            return
        self._unreachable(candidate, request.url, detail)

    def _unreachable(self, candidate: Candidate, url: str, reason: str) -> None:
        """Not verified, not rejected: a candidate still, checked again next run."""
        candidate.done, candidate.checking = True, False
        self._count("unreachable")
        logger.info("mirror candidate %s not verified: %s: %s", candidate.origin, url, reason)
        self._remember(
            lambda memory: _set(memory, candidate.origin, CANDIDATE, f"unreachable: {reason}")
        )

    # -- verdicts -------------------------------------------------------------------------

    def _reject(self, candidate: Candidate, reason: str) -> None:
        candidate.done = True
        self._count("rejected")
        logger.warning(
            "mirror candidate %s (%s on %s) rejected: %s%s",
            candidate.origin,
            candidate.how,
            candidate.where,
            reason,
            "; it leaves failover" if candidate.joined else "",
        )
        if candidate.joined:
            self.spider.retire_mirror(candidate.origin)
        self._remember(lambda memory: _set(memory, candidate.origin, REJECTED, reason))

    def _join(self, candidate: Candidate, agreement: float) -> None:
        """The first check passed: the candidate joins failover, untrusted (its requests
        limited while it has not served) until it has passed ``checks``."""
        candidate.joined = True
        self._count("verified")
        assert self.crawler.stats is not None
        # how soon discovery pays: articles recorded when the first mirror joined
        if self.crawler.stats.get_value("mirror_discovery/verified") == 1:
            self.crawler.stats.set_value(
                "mirror_discovery/first_verified_after", self.articles_recorded
            )
        verification = (
            f"passed {len(candidate.passed)} of {self.checks} checks (agreement {agreement:.2f})"
        )
        logger.info(  # good news, in the log and the run report: not a warning
            "mirror %s verified (%s on %s): %s; it joins failover",
            candidate.origin,
            candidate.how,
            candidate.where,
            verification,
        )
        passed = len(candidate.passed)
        self._remember(
            lambda memory: _set(memory, candidate.origin, VERIFIED, verification, passed)
        )
        self.spider.adopt_mirrors([candidate.origin])
        parked, self.parked = self.parked, []
        for request, _reason in parked:
            self.spider.ask_again(request)
        self._count_parked("asked_again", len(parked))

    def _trust(self, candidate: Candidate) -> None:
        candidate.done = True
        self._count("trusted")
        agreements = ", ".join(f"{a:.2f}" for a in candidate.passed)
        verification = f"passed {len(candidate.passed)} checks (agreement {agreements})"
        logger.info("mirror %s trusted: %s", candidate.origin, verification)
        passed = len(candidate.passed)
        self._remember(lambda memory: _set(memory, candidate.origin, TRUSTED, verification, passed))

    # -- articles no mirror could serve, while a candidate may yet -------------------------

    def park(self, request: Request, reason: str) -> bool:
        """Hold an article every mirror failed: a mirror the site announces later in the
        run may serve it. Asked again of the first that joins; reported failed when the
        crawl is otherwise done and none did. False: too many held already."""
        if len(self.parked) >= MAX_PARKED:
            return False
        self.parked.append((request, reason))
        self._count("parked")
        return True

    def idle(self) -> None:
        """Nothing else left to crawl: a check under way is waited for; candidates waiting
        for an article to be checked against never get one (they stay candidates for the
        next run); the articles held for a mirror that did not come failed after all."""
        if any(c.checking for c in self.candidates.values()):
            raise DontCloseSpider  # a check (or its address lookup) is under way
        for candidate in self.candidates.values():
            if not candidate.done and not candidate.joined:
                self._unreachable(
                    candidate, candidate.where, "no article recorded to check it against"
                )
        parked, self.parked = self.parked, []
        joined = any(c.joined for c in self.candidates.values())
        asked = 0
        for request, reason in parked:
            if joined and not request.meta.get(_ASKED_AGAIN):
                # held while every mirror was benched, after one had joined: asked once more
                self.spider.ask_again(request.replace(meta={**request.meta, _ASKED_AGAIN: True}))
                asked += 1
            else:
                self.spider.failed_after_all(request, reason)
        self._count_parked("asked_again", asked)
        self._count_parked("failed_after_all", len(parked) - asked)

    def _count_parked(self, stat: str, n: int) -> None:
        if n:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"mirror_discovery/{stat}", n)

    def _remember(self, change: Any) -> Any:
        try:
            with MirrorMemory.update(self.memory_path) as memory:
                return change(memory)
        except (MirrorMemoryError, OSError) as exc:
            logger.warning("mirror memory not updated: %s", exc)
            return None


def remembered(crawler: Crawler, profile: SiteProfile) -> MirrorMemory | None:
    """The site's mirror memory when this crawl discovers mirrors (None when it does not):
    its verified and trusted mirrors start the run. A damaged file is a warning, and an
    empty memory."""
    if not MirrorDiscovery.enabled(crawler, profile):
        return None
    path = OutputLayout.at(crawler.settings["ARCHIVE_DIR"]).mirror_memory(profile.name)
    try:
        memory = MirrorMemory.load(path)
    except MirrorMemoryError as exc:
        logger.warning("%s: discovered mirrors not used", exc)
        return MirrorMemory(path)
    for origin in memory.discovered():  # verified through Tor by an earlier run
        if is_onion(origin) and profile.access.proxy_for(origin) is None:
            logger.info("mirror %s not used this run: %s", origin, ONION_UNREACHABLE)
            del memory.mirrors[origin]  # this run's copy only: the file keeps it
    return memory


def _learnt(memory: MirrorMemory, origin: str, how: str, where: str) -> Any:
    memory.learn(origin, how, where)
    return memory.find(origin)


def _set(
    memory: MirrorMemory,
    origin: str,
    status: str,
    verification: str,
    passed: int | None = None,
) -> None:
    memo = memory.find(origin)
    if memo is None:
        return
    if memo.status not in USABLE or status in USABLE or status == REJECTED:
        memo.status = status
    memo.verification = verification
    if passed is not None:
        memo.checks_passed = passed
