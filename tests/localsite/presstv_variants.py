"""Press TV markups the page object was not written against, made from the known templates
the way templates really change: classes renamed, the dateline moved, metas dropped, the
text wrapped in other containers, the site name's affix switched to the other side."""

from __future__ import annotations

import re

from scraper.demo.model import SampleArticle
from scraper.demo.presstv_pages import render_article_legacy, render_article_modern


def _drop_metas(html: str, *names: str) -> str:
    for name in names:
        html = re.sub(r'<meta (?:name|property)="' + re.escape(name) + r'"[^>]*>', "", html)
    return html


def renamed_modern(article: SampleArticle) -> str:
    """Every class the page object selects renamed, no Dublin Core dates, the site name after
    the title ("… - PressTV"): the dateline beside the headline is all that dates it."""
    html = render_article_modern(article)
    for old, new in (
        ('class="news-title"', 'class="article-headline"'),
        ('class="news-body"', 'class="story-content"'),
        ('class="news-date"', 'class="published-at"'),
        ('class="news-meta"', 'class="article-info"'),
    ):
        html = html.replace(old, new)
    html = _drop_metas(html, "DC.Date.Created", "DC.Date.Modified")
    html = re.sub(
        r'(<meta property="og:title" content=")PressTV-([^"]*)"', r'\1\2 - PressTV"', html
    )
    return re.sub(r"<title>PressTV-([^<]*)</title>", r"<title>\1 - PressTV</title>", html)


def moved_legacy(article: SampleArticle) -> str:
    """The legacy dateline moved from its div to a plain paragraph under the headline, and
    ``<title>`` in the "Press TV | …" form."""
    html = render_article_legacy(article)
    dateline = re.search(r'<div class="item-date">(.*?)</div>', html, re.S)
    assert dateline is not None
    html = html.replace(dateline.group(0), "")
    html = re.sub(
        r'(<h2 class="page-header">.*?</h2>)',
        lambda m: f'{m.group(1)}<p class="when">{dateline.group(1).strip()}</p>',
        html,
        count=1,
    )
    return re.sub(r"<title>PressTV-([^<]*)</title>", r"<title>Press TV | \1</title>", html)


def wrapped_modern(article: SampleArticle) -> str:
    """The text wrapped in two more containers under another class, and no date anywhere on
    the page: only the URL says which day it is."""
    html = render_article_modern(article)
    html = _drop_metas(html, "DC.Date.Created", "DC.Date.Modified")
    html = re.sub(r'<span class="news-date">.*?</span>', "", html, count=1, flags=re.S)
    return html.replace(
        '<div class="news-body">',
        '<div class="content-wrapper"><section class="main"><div class="text">',
    )


def logo_headline_legacy(article: SampleArticle) -> str:
    """The logo's ``<h1>`` given the class the old headline had (``page-header``), the headline
    itself renamed, og:title dropped: the selectors now find "PressTV" as the title."""
    html = render_article_legacy(article)
    html = html.replace('<h1 class="logo">', '<h1 class="page-header">')
    html = html.replace('<h2 class="page-header">', '<h2 class="story-title">')
    return _drop_metas(html, "og:title")


def standfirst_modern(article: SampleArticle) -> str:
    """The old text container kept for the standfirst, the text moved to a new container
    after it: the selectors now find the lead alone."""
    html = render_article_modern(article)
    lead = f'<div class="news-body"><p>{article.description}</p></div>'
    return html.replace('<div class="news-body">', lead + '<div class="article-content">', 1)
