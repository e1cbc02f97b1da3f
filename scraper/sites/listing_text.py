"""Whether the text a page object read as an article is a listing's headlines.

The generic reader finds a "body" in almost any page: on a section page it is the column of
headlines and teasers. A crawl never asks that question (it reads a page at a non-article
URL as a listing), but ``newsarchive extract`` is given a file and a URL, and must not call
a listing an article. The sign is in the text itself: an article's paragraphs are not the
words of links to other pages, a listing's headlines are.
"""

from __future__ import annotations

from scraper.sites.html import clean_text, make_soup
from scraper.sites.listing import absolute_url, base_url

# A headline has words; "More", "Next" or a date do not make a paragraph a link's.
_MIN_HEADLINE_CHARS = 15
# Headlines among the paragraphs (the rest are teasers, dates, bylines): at least this
# many, and at least a quarter of them. An article with a "Read more: …" line or two is
# still an article.
_MIN_HEADLINES = 3
_MIN_SHARE = 0.25


def headlines_in_body(html: str, url: str, body: str) -> tuple[int, int]:
    """(paragraphs of ``body`` that are the text of a link from the page to another page,
    paragraphs of ``body``). Any other page: a listing's links need not match the profile's
    ``article_url`` (a wrong pattern is what one tests with ``extract``)."""
    soup = make_soup(html)
    base = base_url(soup, url)
    headlines: set[str] = set()
    for anchor in soup.find_all("a", href=True):
        text = clean_text(anchor.get_text(" "))
        if len(text) < _MIN_HEADLINE_CHARS:
            continue
        link = absolute_url(str(anchor["href"]), base)
        if link and link != url:
            headlines.add(text)
    paragraphs = [clean_text(line) for line in body.split("\n") if line.strip()]
    return sum(1 for line in paragraphs if line in headlines), len(paragraphs)


def reads_as_listing(headlines: int, paragraphs: int) -> bool:
    return headlines >= _MIN_HEADLINES and headlines >= _MIN_SHARE * paragraphs
