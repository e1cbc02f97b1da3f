"""Site knowledge: profiles and page objects. Needs only bs4/lxml, never Scrapy."""
from __future__ import annotations

from importlib import import_module

from scraper.sites.article import ArticlePage

# extractor name (a profile's ``extractor``) -> "module:class" of its article page object
ARTICLE_PAGES = {
    "presstv": "scraper.sites.presstv:PressTvArticlePage",
    "generic": "scraper.sites.generic:GenericArticlePage",
}


class UnknownExtractor(ValueError):
    pass


def article_page_class(name: str) -> type[ArticlePage]:
    try:
        target = ARTICLE_PAGES[name]
    except KeyError:
        known = ", ".join(sorted(ARTICLE_PAGES))
        raise UnknownExtractor(f"unknown extractor {name!r} (known: {known})") from None
    module_name, class_name = target.split(":")
    return getattr(import_module(module_name), class_name)  # type: ignore[no-any-return]
