"""Generic main-text detection for pages no site selector covers: the entry point.

Boilerplate tags and readers' comments are cut from the page (``cleanup``,
``comments``); a readability-style scorer chooses the article's containers (``scoring``),
and a choice that looks weak is read again (``confidence``); the lead a box before them is
named as goes in front (``lead``); the boilerplate inside them is cut and their text split
into paragraphs with ``block_paragraphs``; a text that shares hardly a word with the page's
headline gives way to a candidate about it (``topic_check``); then short lines a template
repeats, and lines that are chrome in any article (``chrome_lines``), are dropped.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from scraper.sites.body.chrome_lines import is_chrome_paragraph, without_trailing_chrome
from scraper.sites.body.cleanup import clean_container
from scraper.sites.body.comments import strip_comment_blocks
from scraper.sites.body.confidence import checked_containers
from scraper.sites.body.lead import with_lead
from scraper.sites.body.page_tags import strip_boilerplate_tags
from scraper.sites.body.scoring import main_containers
from scraper.sites.body.text_stats import TextStats
from scraper.sites.body.topic_check import about_the_page, heading_words, headline_words
from scraper.sites.html import TABLE_CELL_SEPARATOR, block_paragraphs


def extract_body_paragraphs(soup: BeautifulSoup, notes: list[str] | None = None) -> list[str]:
    """The article's paragraphs, boilerplate removed. May modify ``soup``: call it last.
    ``notes`` gets a line for each second reading that overruled the scorer's choice."""
    try:
        return _extract(soup, notes)
    except RecursionError:
        return []


def _extract(soup: BeautifulSoup, notes: list[str] | None) -> list[str]:
    headline = headline_words(soup)  # before the cuts, which may take the <head>
    strip_boilerplate_tags(soup)
    strip_comment_blocks(soup)
    stats = TextStats(soup)
    headline |= heading_words(stats)
    reading = main_containers(soup, stats)
    containers = checked_containers(reading, soup, stats, notes)
    paragraphs = _read(with_lead(containers, stats), stats)
    about = about_the_page(reading, containers, paragraphs, headline, stats, notes)
    if about is not None:
        paragraphs = _read(with_lead([about], stats), stats)
    kept = [p for p in _dedupe(paragraphs) if not is_chrome_paragraph(p)]
    return without_trailing_chrome(kept)


def _read(containers: list[Tag], stats: TextStats) -> list[str]:
    paragraphs: list[str] = []
    for container in containers:
        clean_container(container, stats, alone=len(containers) == 1)
        paragraphs.extend(block_paragraphs(container))
    return paragraphs


def _dedupe(paragraphs: list[str]) -> list[str]:
    """Mobile/desktop twins repeat a paragraph verbatim: keep the first.  A short line that
    recurs ("Article content" between every paragraph) is template chrome: drop it all; but
    a table's header row, repeated in its footer or by the next table, is kept once."""
    counts: dict[str, int] = {}
    for paragraph in paragraphs:
        counts[paragraph] = counts.get(paragraph, 0) + 1
    seen: set[str] = set()
    unique = []
    for paragraph in paragraphs:
        if paragraph in seen or (
            counts[paragraph] > 1 and len(paragraph) < 40 and TABLE_CELL_SEPARATOR not in paragraph
        ):
            continue
        seen.add(paragraph)
        unique.append(paragraph)
    return unique
