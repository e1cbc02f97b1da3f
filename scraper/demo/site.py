"""A Press TV-like site for tests and benchmarks: articles in both templates, a one-line feed
with links on an alias host, a sitemap index with a news sitemap, paginated section
listings, related-article links, robots.txt, and (optionally) the bad pages real crawls
meet. Served by ``LoopbackServers`` on several loopback addresses, one per mirror.
"""

from __future__ import annotations

import hashlib
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scraper.demo.feeds import render_news_sitemap, render_presstv_rss, render_sitemap_index
from scraper.demo.model import SampleArticle, SampleImage
from scraper.demo.presstv_chrome import LEGACY_PLACEHOLDER, PLACEHOLDER
from scraper.demo.presstv_pages import render_article_legacy, render_article_modern, render_listing
from scraper.demo.presstv_seed import seed_article
from scraper.demo.server import Reply, Request

TEHRAN = ZoneInfo("Asia/Tehran")
ALIAS_HOST = "presstv-alias.test"  # like bare presstv.ir in the real feed: listed, never served
SECTIONS = (101, 102, 103, 104)
PAGE_SIZE = 10
FEED_SIZE = 15

_WORDS = (
    "government officials said the ministry council talks sanctions economy minister foreign "
    "president parliament security forces agreement region military oil prices report spokesman "
    "statement meeting capital week conference international support western allies border "
    "protest city residents rights court ruling decision election campaign leader state media "
    "agency talks negotiations trade exports growth inflation currency bank crisis aid ceasefire"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 22))]
    return " ".join(words).capitalize() + "."


def generate_articles(
    count: int, seed: int = 7, newest: datetime | None = None, paragraphs: int = 9
) -> list[SampleArticle]:
    """The seed article first, then ``count - 1`` generated ones, newest first, one every
    6 hours back from ``newest``; ids unique; every article related to three others."""
    rng = random.Random(seed)
    newest = newest or datetime(2023, 2, 19, 14, 5, tzinfo=TEHRAN)
    articles = [seed_article()]
    for n in range(1, count):
        published = newest - timedelta(hours=6 * n, minutes=rng.randint(0, 59))
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 10))).capitalize()
        body = [
            " ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(paragraphs)
        ]
        body.insert(paragraphs // 2, "## " + _sentence(rng).rstrip("."))
        articles.append(
            SampleArticle(
                id=800_000 + n,
                published=published,
                slug="-".join(title.split()[:6]),
                title=title,
                section=rng.choice(["Iran", "Middle East", "Europe", "Economy"]),
                description=_sentence(rng),
                paragraphs=body,
                images=[
                    SampleImage(f"/photo/{published:%Y%m%d}/{800_000 + n}.jpg", _sentence(rng))
                ],
                tags=sorted({rng.choice(_WORDS).capitalize() for _ in range(3)}),
            )
        )
    for index, article in enumerate(articles):
        article.related = [articles[(index + step) % count] for step in (1, 2, 5) if count > step]
    return articles


# The link the templates' notice of alternate addresses gives (the real mirror's)
_NOTICE_LINK = re.compile(r'<a href="https?://www\.presstv\.co\.uk"[^>]*>www\.presstv\.co\.uk</a>')

# How one host misbehaves: given the request and the reply the site would send, the reply
# this host sends instead. Keyed by address on ``LocalSite.behaviours``.
HostBehaviour = Callable[[Request, Reply], Reply]

SEIZURE_PAGE = (
    "<html><head><title>Domain seized</title></head><body><div class='banner'>"
    "<h1>THIS DOMAIN HAS BEEN SEIZED</h1><p>by order of a court, under a warrant issued "
    "pursuant to the law. Visiting this page does not mean you did anything wrong.</p>"
    "</div></body></html>"
)
SEIZURE_MARKER = "this domain has been seized"


def seized(page: str = SEIZURE_PAGE) -> HostBehaviour:
    """HTTP 200 and the same banner on every path, robots.txt and feeds included."""
    return lambda request, reply: Reply.html(page)


def failing_for(predicate: Callable[[Request], bool], status: int = 503) -> HostBehaviour:
    """``status`` for the requests ``predicate`` picks, the site for the rest."""
    return lambda request, reply: (
        Reply.html(f"<h1>Error {status}</h1>", status=status) if predicate(request) else reply
    )


class FirstRequestsFail:
    """``status`` for the first ``count`` page requests (robots.txt not counted), then healthy:
    a primary that is down for a while and comes back."""

    def __init__(self, count: int, status: int = 503) -> None:
        self.remaining = count
        self.status = status
        self._lock = threading.Lock()

    def __call__(self, request: Request, reply: Reply) -> Reply:
        if request.target == "/robots.txt":
            return reply
        with self._lock:
            if self.remaining <= 0:
                return reply
            self.remaining -= 1
        return Reply.html(f"<h1>Error {self.status}</h1>", status=self.status)


def redirecting_to(origin: Callable[[], str], status: int = 302) -> HostBehaviour:
    """Every path redirected to the same path on ``origin()`` (known once servers run)."""
    return lambda request, reply: Reply(status, b"", [("Location", origin() + request.target)])


def slow(delay: float) -> HostBehaviour:
    return lambda request, reply: replace(reply, delay=delay)


def cut_short(fraction: float = 0.5) -> HostBehaviour:
    """The connection closes after ``fraction`` of each body (Content-Length still full)."""
    return lambda request, reply: (
        replace(reply, cut_after=int(len(reply.body) * fraction)) if reply.body else reply
    )


def serving_instead(pages: dict[str, Reply]) -> HostBehaviour:
    """This host serves ``pages`` (path -> reply) in place of the site's own: a mirror
    whose copies of some articles were tampered with, or that runs another template."""
    return lambda request, reply: pages.get(request.target.split("?", 1)[0], reply)


def video_page(article: SampleArticle) -> str:
    """What an article URL of a video serves: a title and a player, no article text."""
    return (
        f"<html><head><title>{article.title}</title></head><body><h1>{article.title}</h1>"
        f"<video src='/video/{article.id}.mp4' controls></video></body></html>"
    )


@dataclass(repr=False)  # the route table holds megabytes: keep failure reports readable
class LocalSite:
    """The route table of the site; every host serves the same paths."""

    articles: list[SampleArticle]
    with_bad_pages: bool = False
    # article ids reachable only through related links on other article pages
    hidden_ids: set[int] = field(default_factory=set)
    page_size: int = PAGE_SIZE
    routes: dict[str, Reply] = field(default_factory=dict)
    # address ("127.0.0.2") -> how that host misbehaves; hosts not listed serve the site
    behaviours: dict[str, HostBehaviour] = field(default_factory=dict)
    # Answer conditional requests as a real server does: an ETag (a hash of the body) on
    # every 200 page, and 304 to a matching If-None-Match.
    etags: bool = False
    # The origins the pages' notice of alternate addresses names. The templates name the
    # real www.presstv.co.uk: a crawl on loopback must never be sent there, so by default
    # the notice names the alias host (the site's own: nothing to discover).
    announced: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.routes = self._build_routes()

    def __repr__(self) -> str:
        return f"LocalSite({len(self.articles)} articles, {len(self.routes)} routes)"

    @property
    def discoverable(self) -> list[SampleArticle]:
        return [a for a in self.articles if a.id not in self.hidden_ids]

    def template(self, article: SampleArticle) -> str:
        return "legacy" if article.id % 3 == 0 else "modern"

    def render(self, article: SampleArticle, other_template: bool = False) -> Reply:
        """The article's page in its template (or, ``other_template``, in the other one)."""
        legacy = (self.template(article) == "legacy") != other_template
        page = (render_article_legacy if legacy else render_article_modern)(article)
        page = _NOTICE_LINK.sub(self._announced_links, page)
        # canonical and og:url name the real primary; on loopback they name the alias host,
        # which the site's profile owns (else discovery would take it for a mirror to check)
        return Reply.html(page.replace("https://www.presstv.ir/", f"http://{ALIAS_HOST}/"))

    def _announced_links(self, match: re.Match[str]) -> str:
        # without announced mirrors, the alias host, which is the site's own already
        origins = self.announced or (f"http://{ALIAS_HOST}",)
        return "".join(f'<a href="{o}">{o.split("://", 1)[1]}</a>' for o in origins)

    def _build_routes(self) -> dict[str, Reply]:
        routes: dict[str, Reply] = {}
        for article in self.articles:
            routes[article.path] = self.render(article)
            for image in article.images:
                if image.url.startswith("/"):
                    routes[image.url] = picture(image.url)
        for path in (PLACEHOLDER, LEGACY_PLACEHOLDER, "/images/logo.png"):
            routes[path] = picture(path, size=600)
        listed = self.discoverable
        routes["/robots.txt"] = Reply(
            200, b"User-agent: *\nDisallow: /private/\n", [("Content-Type", "text/plain")]
        )
        routes["/rss.xml"] = Reply.xml(
            render_presstv_rss(
                [(f"http://{ALIAS_HOST}{a.path}", a.title) for a in listed[:FEED_SIZE]]
            )
        )
        routes["/sitemap.xml"] = Reply.xml(render_sitemap_index(["/sitemap-news.xml"]))
        routes["/sitemap-news.xml"] = Reply.xml(
            render_news_sitemap([(a.path, a.published) for a in listed[FEED_SIZE : FEED_SIZE * 2]])
        )
        for index, section in enumerate(SECTIONS):
            in_section = listed[index :: len(SECTIONS)]
            size = self.page_size
            pages = [in_section[i : i + size] for i in range(0, len(in_section), size)] or [[]]
            for number, chunk in enumerate(pages, start=1):
                html = render_listing(section, number, chunk, has_next=number < len(pages))
                routes[f"/Section/{section}/{number}"] = Reply.html(html)
            routes[f"/Section/{section}"] = routes[f"/Section/{section}/1"]
        if self.with_bad_pages:
            routes.update(self._bad_pages())
        return routes

    @property
    def many_urls_article(self) -> SampleArticle:
        """An article linked only from the odd-pages listing, under several URLs at once."""
        template = self.articles[1]
        return replace(template, id=900_005, slug="Linked-under-several-URLs", related=[])

    def variant_links(self) -> list[str]:
        """Spellings of one article's URL, as real Press TV links vary: lower-case 'detail',
        another slug with a trailing '-/', an alias host, a fragment."""
        article = self.many_urls_article
        day, ident = article.published.strftime("%Y/%m/%d"), article.id
        return [
            f"/detail/{day}/{ident}/{article.slug}",
            f"/Detail/{day}/{ident}/Another-slug-for-the-same-story-/",
            f"http://{ALIAS_HOST}/Detail/{day}/{ident}/{article.slug}#comments",
        ]

    def _bad_pages(self) -> dict[str, Reply]:
        """Pages a real crawl meets: each must be archived, counted, reported, survived."""
        template = self.articles[1]
        full = render_article_modern(template).encode("utf-8")
        # cut in the middle of the body, as a dropped connection would
        cut = full.index(template.paragraphs[2][:40].encode("utf-8"))
        big = SampleArticle(
            id=900_004,
            published=template.published,
            slug="Five-megabyte-page",
            title="A five megabyte page",
            section="World",
            description="Very long.",
            paragraphs=[
                f"Paragraph {i} " + "lorem ipsum dolor sit amet " * 40 for i in range(4_500)
            ],
        )
        legacy_bytes = render_article_modern(
            SampleArticle(
                id=900_002,
                published=template.published,
                slug="Wrong-charset",
                title="Caf\u00e9 owners protest in Montr\u00e9al",
                section="World",
                description="Latin-1 bytes served as UTF-8.",
                paragraphs=["The caf\u00e9 owners of Montr\u00e9al say the d\u00e9cret hurts them."]
                * 4,
            )
        ).encode("cp1252", "replace")
        pages = {
            "/Detail/2023/02/18/900001/Truncated-page": Reply(
                200, full[:cut], [("Content-Type", "text/html; charset=utf-8")]
            ),
            "/Detail/2023/02/18/900002/Wrong-charset": Reply(
                200, legacy_bytes, [("Content-Type", "text/html; charset=utf-8")]
            ),
            "/Detail/2023/02/18/900003/Empty-page": Reply(
                200, b"", [("Content-Type", "text/html; charset=utf-8")]
            ),
            big.path: Reply.html(render_article_modern(big)),
            self.many_urls_article.path: Reply.html(render_article_modern(self.many_urls_article)),
            "/rss-broken.xml": Reply.html("<html><body><h1>Feed moved</h1></body></html>"),
        }
        links = "".join(
            f'<a href="{path}">{path}</a>' for path in pages if path.startswith("/Detail")
        )
        links += "".join(f'<a href="{url}">variant</a>' for url in self.variant_links())
        pages["/Section/999"] = Reply.html(
            f"<html><body><h1>Odd pages</h1>{links}<a href='/private/secret'>private</a>"
            f"<a href='http://elsewhere.invalid/Detail/2023/02/18/1/x'>off-site</a></body></html>"
        )
        return pages

    def __call__(self, request: Request) -> Reply:
        path = request.target.split("?", 1)[0]
        reply = self.routes.get(path) or Reply.html("<h1>Not found</h1>", status=404)
        behaviour = self.behaviours.get(request.host.rsplit(":", 1)[0])
        reply = behaviour(request, reply) if behaviour is not None else reply
        return with_etag(request, reply) if self.etags else reply

    def rebuild(self) -> None:
        """Re-render every route after ``articles`` changed (new or edited articles)."""
        self.routes = self._build_routes()


def picture(path: str, size: int | None = None) -> Reply:
    """A JPEG-looking picture of 20-60 KB (a real photo's weight), the same for a path every
    time: a crawl's pictures can be held against what was served."""
    seed = hashlib.sha256(path.encode()).digest()
    length = size or 20_000 + int.from_bytes(seed[:2], "big") % 40_000
    body = bytearray(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    block = seed
    while len(body) < length:
        block = hashlib.sha256(block).digest()
        body += block
    body = body[:length] + b"\xff\xd9"
    return Reply(200, bytes(body), [("Content-Type", "image/jpeg")])


def with_etag(request: Request, reply: Reply) -> Reply:
    """``reply`` with an ETag, or a bodiless 304 when the request already holds that ETag."""
    if reply.status != 200:
        return reply
    etag = f'"{hashlib.sha1(reply.body).hexdigest()[:16]}"'
    if request.headers.get("if-none-match") == etag:
        return Reply(304, b"", [("ETag", etag)], reply.delay)
    return replace(reply, headers=[*reply.headers, ("ETag", etag)])


def write_profile(
    path: Path,
    origins: list[str],
    *,
    name: str = "localnews",
    extractor: str = "presstv",
    with_bad_pages: bool = False,
    max_listing_pages: int = 20,
    block_markers: list[str] | None = None,
    mirror_strategy: str | None = None,
) -> Path:
    """A profile TOML for the local site: primary = origins[0], mirrors = the rest."""
    feeds = ['"/rss.xml"'] + (['"/rss-broken.xml"'] if with_bad_pages else [])
    # /private/ is disallowed by robots.txt: asked for at the start, it must not be fetched
    listings = [f'"/Section/{s}"' for s in SECTIONS] + (
        ['"/Section/999"', '"/private/listing"'] if with_bad_pages else []
    )
    mirrors = ", ".join(f'"{o}"' for o in origins[1:])
    path.write_text(
        f'name = "{name}"\n'
        f'primary = "{origins[0]}"\n'
        f"mirrors = [{mirrors}]\n"
        f'aliases = ["{ALIAS_HOST}"]\n'
        f"feeds = [{', '.join(feeds)}]\n"
        f'sitemaps = ["/sitemap.xml"]\n'
        f"listings = [{', '.join(listings)}]\n"
        f"max_listing_pages = {max_listing_pages}\n"
        "article_url = '^/[Dd]etail/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/(?P<id>\\d+)(?:/(?P<slug>[^?#]*))?$'\n"
        f'extractor = "{extractor}"\n'
        'timezone = "Asia/Tehran"\n'
        + (
            f"block_markers = [{', '.join(repr(m) for m in block_markers)}]\n"
            if block_markers
            else ""
        )
        + (f'mirror_strategy = "{mirror_strategy}"\n' if mirror_strategy else ""),
        encoding="utf-8",
    )
    return path
