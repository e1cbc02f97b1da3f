"""Structured article metadata: JSON-LD, OpenGraph, Dublin Core, itemprop, <time>.

STUB: being written; the signature is the contract.
"""
from __future__ import annotations

from datetime import tzinfo

from bs4 import BeautifulSoup

from scraper.sites.article import ArticleData


def read_metadata(soup: BeautifulSoup, url: str, default_tz: tzinfo | None = None) -> ArticleData:
    """Every field the page states in structured markup; ``body`` stays empty.

    ``default_tz`` is the zone of dates that carry no offset (a site profile knows it).
    """
    return ArticleData()
