"""Milliseconds a page for the page objects, against the bare parse they all start with.

A by-hand benchmark, not a test:

    python bench/page_objects.py [--articles 200] [--repeat 3]

Times ``make_soup`` alone, ``PressTvArticlePage`` (to_item + links) on both Press TV
templates rendered from ``generate_articles``, ``GenericArticlePage`` on the same pages, and,
when the extraction-benchmark corpus is present, ``GenericArticlePage`` on its real pages.
Each figure is the best of ``--repeat`` runs over the whole page set (the least disturbed
by whatever else the machine is doing).
"""

from __future__ import annotations

import argparse
import gc
import gzip
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scraper.sites.listing as listing
import scraper.sites.presstv as presstv_module
from scraper.demo.presstv_pages import PRIMARY, render_article_legacy, render_article_modern
from scraper.demo.site import generate_articles
from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import decode_html, make_soup
from scraper.sites.lxml_soup import tree_arena
from scraper.sites.presstv import PressTvArticlePage

CORPUS = Path("/work/shared/corpus/extraction-benchmark/html")

Pages = list[tuple[str, str]]


def presstv_pages(count: int) -> dict[str, Pages]:
    articles = generate_articles(count)
    return {
        "modern": [(PRIMARY + a.path, render_article_modern(a)) for a in articles],
        "legacy": [(PRIMARY + a.path, render_article_legacy(a)) for a in articles],
    }


def corpus_pages() -> Pages:
    return [
        (
            f"https://example.com/{path.name.split('.')[0]}",
            decode_html(gzip.decompress(path.read_bytes()), "text/html; charset=utf-8"),
        )
        for path in sorted(CORPUS.glob("*.html.gz"))
    ]


def parse_only(url: str, html: str) -> None:
    with tree_arena():
        make_soup(html)


def presstv(url: str, html: str) -> None:
    with tree_arena():  # as in the extraction workers: each page's tree taken apart after it
        page = PressTvArticlePage(url, html)
        page.to_item()
        page.links()


def generic(url: str, html: str) -> None:
    with tree_arena():
        page = GenericArticlePage(url, html)
        page.to_item()
        page.links()


def cold_caches() -> None:
    """Forget resolved links, so a repeat does not find its own pages' links already
    resolved: a crawl sees each page once (menu links do stay cached, as in a crawl)."""
    for module in (listing, presstv_module):
        for name in ("_absolute_url", "_resolve"):
            cache_clear = getattr(getattr(module, name, None), "cache_clear", None)
            if cache_clear is not None:
                cache_clear()


def ms_per_page(run: Callable[[str, str], None], pages: Pages, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        cold_caches()
        gc.collect()
        start = time.perf_counter()
        for url, html in pages:
            run(url, html)
        best = min(best, time.perf_counter() - start)
    return best / len(pages) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sets = presstv_pages(args.articles)
    kb = sum(len(html) for pages in sets.values() for _, html in pages) / 1024
    print(
        f"{args.articles} articles per template, {kb / (2 * args.articles):.0f} KB a page;"
        f" best of {args.repeat}, ms/page"
    )
    rows: list[tuple[str, Callable[[str, str], None], Pages]] = []
    for template, pages in sets.items():
        rows += [
            (f"make_soup            presstv {template}", parse_only, pages),
            (f"PressTvArticlePage   presstv {template}", presstv, pages),
            (f"GenericArticlePage   presstv {template}", generic, pages),
        ]
    if CORPUS.is_dir():
        real = corpus_pages()
        rows += [
            (f"make_soup            corpus ({len(real)} pages)", parse_only, real),
            (f"GenericArticlePage   corpus ({len(real)} pages)", generic, real),
        ]
    for label, run, pages in rows:
        print(f"  {label:<42} {ms_per_page(run, pages, args.repeat):7.2f}", flush=True)


if __name__ == "__main__":
    main()
