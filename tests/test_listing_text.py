"""scraper/sites/listing_text.py: a listing's headlines are not an article's body, and no
real article of the generic fixtures reads as a listing (issue 22, item 8)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from archive.extraction import extract_article
from scraper.demo.site import LocalSite, generate_articles
from scraper.sites.html import decode_html
from scraper.sites.listing_text import headlines_in_body, reads_as_listing

GENERIC = Path(__file__).parent / "fixtures" / "generic"
PAGES = sorted(GENERIC.glob("*/*/page.html.gz"))


# A blog post that is a link roll: its text, which the extractor keeps whole, is other
# pages' headlines, one a line; the listing check is right to name it a listing.
HEADLINES_ONLY = {"link-roll-post"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_a_real_article_does_not_read_as_a_listing(page: Path) -> None:
    body = gzip.decompress(page.read_bytes())
    url = json.loads((page.parent / "meta.json").read_text())["url"]
    article = extract_article("generic", url, body, None, None).article
    assert article is not None
    headlines, paragraphs = headlines_in_body(decode_html(body), url, article["body"])
    listing = page.parent.name in HEADLINES_ONLY
    assert reads_as_listing(headlines, paragraphs) is listing, (headlines, paragraphs)


def test_a_section_page_reads_as_a_listing() -> None:
    body = LocalSite(generate_articles(30)).routes["/Section/101/1"].body
    url = "http://127.0.0.1:9/Section/101/1"
    article = extract_article("generic", url, body, None, None).article
    assert article is not None  # the generic reader does find a "body": the headlines
    assert reads_as_listing(*headlines_in_body(decode_html(body), url, article["body"]))
