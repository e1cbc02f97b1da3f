"""The articles of the local test site, independent of how any template renders them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SampleImage:
    url: str  # site-relative (/photo/…) or absolute
    caption: str | None = None


@dataclass
class SampleArticle:
    id: int
    published: datetime  # timezone-aware (Press TV: Asia/Tehran)
    slug: str
    title: str
    section: str
    description: str
    # Paragraphs of the body; an entry starting with "## " is a sub-heading.
    paragraphs: list[str]
    images: list[SampleImage] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    modified: datetime | None = None
    related: list[SampleArticle] = field(default_factory=list)

    @property
    def path(self) -> str:
        d = self.published
        return f"/Detail/{d:%Y/%m/%d}/{self.id}/{self.slug}"
