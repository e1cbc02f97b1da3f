"""Site knowledge: profiles and page objects. Needs only bs4/lxml, never Scrapy."""

from __future__ import annotations

from importlib import import_module

from scraper.sites.article import ArticlePage, ListingPage

# extractor name (a profile's ``extractor``) -> "module:class" of its article page object
ARTICLE_PAGES = {
    "presstv": "scraper.sites.presstv:PressTvArticlePage",
    # RFE/RL's and VOA's services: one CMS; their listings are read generically
    "rferl": "scraper.sites.rferl:RferlArticlePage",
    "dw": "scraper.sites.dw:DwArticlePage",
    "generic": "scraper.sites.generic:GenericArticlePage",
}


# extractor name -> its listing page object; sites without their own use the generic one
LISTING_PAGES = {
    "presstv": "scraper.sites.presstv:PressTvListingPage",
    "generic": "scraper.sites.listing:GenericListingPage",
}


class UnknownExtractor(ValueError):
    pass


def article_page_class(name: str) -> type[ArticlePage]:
    return _load(name, ARTICLE_PAGES)


def listing_page_class(name: str) -> type[ListingPage]:
    return _load(name if name in LISTING_PAGES else "generic", LISTING_PAGES)


def _load(name: str, registry: dict[str, str]) -> type:
    try:
        target = registry[name]
    except KeyError:
        known = ", ".join(sorted(registry))
        raise UnknownExtractor(f"unknown extractor {name!r} (known: {known})") from None
    module_name, class_name = target.split(":")
    return getattr(import_module(module_name), class_name)
