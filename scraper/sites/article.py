"""What a page object extracts from one article page.

The crawl adds the fields it alone knows (id, mirror, fetched_at, WARC pointer…) when it
turns this into an article record; see ``archive.records``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import tzinfo
from typing import Any, Protocol


@dataclass
class Image:
    url: str
    caption: str | None = None
    # Who the picture is by or from ("dpa", "Reuters/Jane Doe"), as the page states it;
    # the caption then no longer carries it.
    credit: str | None = None


@dataclass
class StatedTitle:
    """A title the page states, and where: "og:title", "json-ld headline", "h1", "title"
    (the <title> element)…."""

    text: str
    sources: list[str]


# Fields that list what the page states rather than read one value: a site's page object
# leaves them to the generic reading by design, so taking them from it is no fallback.
STATED_BY_THE_PAGE = frozenset({"titles"})


def reading_note(field_name: str, reading: str, why: str) -> str:
    """A ``fallbacks`` entry that says which second reading of the page gave a field and
    why ("body: second reading (the runner-up): …"): not a field the page object missed."""
    return f"{field_name}: second reading ({reading}): {why}"


def noted_field(entry: str) -> str | None:
    """The field a ``reading_note`` is about; None for a plain field name."""
    name, colon, _ = entry.partition(":")
    return name if colon else None


@dataclass
class ArticleData:
    title: str | None = None
    # every title the page states, the chosen one among them (see scraper/sites/headline.py)
    titles: list[StatedTitle] = field(default_factory=list)
    published: str | None = None  # ISO 8601 with offset, e.g. 2023-02-19T14:05:00+03:30
    modified: str | None = None
    section: str | None = None
    authors: list[str] = field(default_factory=list)
    description: str | None = None
    body: str = ""  # plain text, paragraphs separated by one blank line
    images: list[Image] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    canonical_url: str | None = None  # the page's own rel=canonical / og:url, absolute
    # The fields a site's own page object could not read with its selectors, and took from
    # the generic reading of the page instead (in field order): template drift made visible.
    # Then the notes of which second reading gave a field (``reading_note``).
    fallbacks: list[str] = field(default_factory=list)

    @property
    def published_offset_assumed(self) -> bool:
        """True when the page gave the time without an offset and ``published`` carries an
        assumed one (the site profile's zone, or the offset of the page's other date).

        An attribute beside the fields rather than a field, so that the saved field-by-field
        expectations of page objects stay as they are; ``to_dict`` includes it."""
        return bool(self.__dict__.get("_published_offset_assumed", False))

    @published_offset_assumed.setter
    def published_offset_assumed(self, value: bool) -> None:
        self.__dict__["_published_offset_assumed"] = value

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["published_offset_assumed"] = self.published_offset_assumed
        return data


class ArticlePage(Protocol):
    """A page object: a pure function of (url, html), no network, no Scrapy.

    ``default_tz`` is the site profile's zone for dates a page gives without an offset.
    """

    def __init__(self, url: str, html: str, default_tz: tzinfo | None = None) -> None: ...

    def to_item(self) -> ArticleData | None:
        """The article, or None when the page holds no article (block page, seizure banner,
        error page, empty body)."""

    def links(self) -> list[str]:
        """Absolute URLs of every link on the page (the spider decides which to follow)."""


class ListingPage(Protocol):
    """A section front, home page or archive page: where article links are found."""

    def __init__(self, url: str, html: str) -> None: ...

    def article_links(self) -> list[str]:
        """Absolute URLs of the articles it lists, unique, in page order."""

    def next_page(self) -> str | None:
        """The absolute URL of the next (older) page, if any."""
