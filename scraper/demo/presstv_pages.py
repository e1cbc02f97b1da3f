"""Press TV-like HTML for the local test site and the benchmarks.

Two article templates (modern 2020s and legacy 2013–2019) and a section listing, rendered
from :class:`SampleArticle`.  The pages are deliberately as heavy as real Press TV pages
(60–90 KB: inline styles and scripts, menus, ticker, share blocks, the mirror notice, app
promos, related and latest-news lists), so extraction is tested, and timed, against the
same chrome it meets in the wild.  Output is deterministic: fixtures are committed from it.
"""

from __future__ import annotations

from datetime import datetime

from scraper.demo.model import SampleArticle, SampleImage
from scraper.demo.presstv_chrome import (
    ALTERNATE_NOTICE,
    LEGACY_PLACEHOLDER,
    MIRROR_HOSTS,
    PLACEHOLDER,
    PRIMARY,
    SECTION_IDS,
    TEHRAN,
    absolute,
    app_promo,
    body_script,
    head_script,
    html_text,
    latest_legacy,
    latest_modern,
    legacy_footer,
    legacy_header,
    modern_footer,
    modern_header,
    most_viewed,
    news_article_json_ld,
    newsletter,
    related_legacy,
    related_modern,
    section_id,
    share_box,
    slug,
    stylesheet,
    ticker,
)


def render_article_modern(a: SampleArticle, *, json_ld: bool = False) -> str:
    """The 2020s template: <p> paragraphs, <h2> sub-headings, OpenGraph + Dublin Core metas;
    a JSON-LD NewsArticle only when ``json_ld``."""
    published = a.published.astimezone(TEHRAN)
    canonical = PRIMARY + a.path
    lead: SampleImage | None = a.images[0] if a.images else None
    more_images = a.images[1:]
    head = [
        '<meta charset="utf-8">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>PressTV-{html_text(a.title)}</title>",
        f'<meta name="description" content="{html_text(a.description)}">',
        f'<meta name="keywords" content="{html_text(", ".join(a.tags))}">' if a.tags else "",
        f'<meta name="DC.Title" content="{html_text(a.title)}">',
        f'<meta name="DC.Date.Created" content="{_dotnet_date(published)}">',
        f'<meta name="DC.Date.Modified" content="{_dotnet_date(a.modified.astimezone(TEHRAN))}">'
        if a.modified
        else "",
        '<meta name="DC.Language" content="en">',
        '<meta name="DC.Publisher" content="Press TV">',
        '<meta property="og:site_name" content="PressTV">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="PressTV-{html_text(a.title)}">',
        f'<meta property="og:description" content="{html_text(a.description)}">',
        f'<meta property="og:url" content="{html_text(canonical)}">',
        f'<meta property="og:image" content="{html_text(absolute(lead.url))}">' if lead else "",
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@PressTV">',
        f'<meta name="twitter:title" content="{html_text(a.title)}">',
        f'<link rel="canonical" href="{html_text(canonical)}">',
        f'<link rel="amphtml" href="{html_text(PRIMARY + "/amp" + a.path)}">',
        '<link rel="alternate" type="application/rss+xml" title="PressTV" href="/rss.xml">',
        '<link rel="icon" href="/favicon.ico">',
        f"<style>{stylesheet('modern')}</style>",
        news_article_json_ld(a, canonical) if json_ld else "",
        f"<script>{head_script('modern')}</script>",
    ]
    article = [
        '<article class="news-item">',
        '<ol class="breadcrumb"><li><a href="/">News</a></li>'
        f'<li><a href="/Section/{section_id(a.section)}">{html_text(a.section)}</a></li></ol>',
        f'<h1 class="news-title">{html_text(a.title)}</h1>',
        '<div class="news-meta"><span class="news-date"><i class="icon-clock"></i>'
        f"{published:%A, %d %B %Y} {_clock(published)}</span>"
        + (
            f' <span class="news-update">[ Last Update: {_clock(a.modified.astimezone(TEHRAN))} ]'
            "</span>"
            if a.modified
            else ""
        )
        + "</div>",
        (
            '<div class="news-writer">By '
            + ", ".join(
                f'<a href="/Author/{slug(name)}">{html_text(name)}</a>' for name in a.authors
            )
            + "</div>"
        )
        if a.authors
        else "",
        _figure(lead, "news-image", PLACEHOLDER, a.title) if lead else "",
        share_box(canonical, a.title, "top"),
        '<div class="news-body">',
        _modern_paragraphs(a.paragraphs),
        "".join(_figure(image, "inline-image", PLACEHOLDER, "") for image in more_images),
        "<p>&nbsp;</p>",
        f"<p>{html_text(ALTERNATE_NOTICE)}</p>",
        "".join(f'<p><a href="https://{h}" target="_blank">{h}</a></p>' for h in MIRROR_HOSTS[:1]),
        share_box(canonical, a.title, "bottom"),
        app_promo(),
        "</div>",
        (
            '<div class="news-tags"><span>Tags:</span> '
            + " ".join(f'<a href="/Tag/{slug(t)}">{html_text(t)}</a>' for t in a.tags)
            + "</div>"
        )
        if a.tags
        else "",
        "</article>",
        related_modern(a.related),
    ]
    body = [
        ticker(a.related),
        modern_header(),
        '<main id="main" class="container"><div class="row">',
        '<div class="col-lg-8 col-md-12 main-column">',
        *article,
        "</div>",
        '<aside class="col-lg-4 col-md-12 sidebar">',
        latest_modern(a.related),
        most_viewed(a.related),
        newsletter(),
        app_promo(),
        "</aside>",
        "</div></main>",
        modern_footer(),
        f"<script>{body_script('modern')}</script>",
    ]
    return _document('<html lang="en" dir="ltr">', head, body)


def render_article_legacy(a: SampleArticle) -> str:
    """The 2013–2019 template: ``[Updated: …]`` dateline, <br>-separated text, few metas."""
    published = a.published.astimezone(TEHRAN)
    dateline = _legacy_date(published)
    if a.modified:
        dateline += f" [Updated: {_legacy_date(a.modified.astimezone(TEHRAN))} ]"
    lead = a.images[0] if a.images else None
    head = [
        '<meta charset="utf-8">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">',
        '<meta http-equiv="Content-Language" content="en">',
        f"<title>PressTV-{html_text(a.title)}</title>",
        '<meta name="viewport" content="width=device-width">',
        f'<meta name="title" content="PressTV-{html_text(a.title)}" />',
        f'<meta name="description" content="{html_text(a.description)}" />',
        f'<meta name="keywords" content="{html_text(",".join(a.tags))}" />' if a.tags else "",
        f'<meta property="og:title" content="PressTV-{html_text(a.title)}" />',
        f'<meta property="og:image" content="{html_text(lead.url)}" />' if lead else "",
        '<link rel="stylesheet" href="/Content/Site151104.css">',
        '<link rel="stylesheet" href="/Content/ovverrides.css?_=20180222">',
        "<style>" + stylesheet("legacy") + "</style>",
        '<script src="/Scripts/modernizr-2.6.2.min.js"></script>',
    ]
    text = [_figure(image, "item-image", LEGACY_PLACEHOLDER, "") for image in a.images]
    for paragraph in a.paragraphs:
        if paragraph.startswith("## "):
            text.append(f"<strong>{html_text(paragraph[3:])}</strong><br /><br />")
        else:
            text.append(f"{html_text(paragraph)}<br /><br />")
    text.append(f"<br />{html_text(ALTERNATE_NOTICE)}<br /><br />")
    text.append(f'<a href="http://{MIRROR_HOSTS[0]}">{MIRROR_HOSTS[0]}</a><br />')
    text.append(share_box(PRIMARY + a.path, a.title, "legacy"))
    article = [
        '<div class="panel item">',
        '<div class="item-section"><a href="/Default/Section/'
        f'{section_id(a.section)}">{html_text(a.section)}</a></div>',
        f'<div class="item-date">\r\n            {dateline}\r\n        </div>',
        f'<h2 class="page-header">{html_text(a.title)}</h2>',
        (
            '<div class="item-author">By '
            + ", ".join(f'<a href="#">{html_text(name)}</a>' for name in a.authors)
            + "</div>"
        )
        if a.authors
        else "",
        '<div class="item-text">',
        "\n".join(text),
        "</div>",
        "</div>",
        related_legacy(a.related),
    ]
    body = [
        ticker(a.related),
        legacy_header(),
        '<section id="main"><div class="wrapper"><div class="container"><div class="row">',
        '<div class="col-xs-12 col-md-8">',
        *article,
        "</div>",
        '<div class="col-xs-12 col-md-4">',
        latest_legacy(a.related),
        app_promo(),
        "</div>",
        "</div></div></div></section>",
        legacy_footer(),
        f"<script>{body_script('legacy')}</script>",
    ]
    opening = (
        '<!--[if lt IE 7]>      <html class="no-js lt-ie9 lt-ie8 lt-ie7"> <![endif]-->\n'
        '<!--[if IE 7]>         <html class="no-js lt-ie9 lt-ie8"> <![endif]-->\n'
        '<!--[if IE 8]>         <html class="no-js lt-ie9"> <![endif]-->\n'
        '<!--[if gt IE 8]><!-->\n<html class="no-js">\n<!--<![endif]-->'
    )
    return _document(opening, head, body)


def render_listing(
    section_id: int, page: int, articles: list[SampleArticle], has_next: bool
) -> str:
    """A section page, ``/Section/<id>`` (page 1) or ``/Section/<id>/<page>``."""
    name = next((n for n, i in SECTION_IDS.items() if i == section_id), f"Section {section_id}")
    items = "".join(
        '<li class="news-list-item">'
        f'<a class="img" href="{html_text(a.path)}"><img src="{PLACEHOLDER}" '
        f'data-src="{html_text(a.images[0].url) if a.images else PLACEHOLDER}" alt=""></a>'
        f'<div class="dsc"><h3><a href="{html_text(a.path)}">{html_text(a.title)}</a></h3>'
        f"<p>{html_text(a.description)}</p>"
        f'<span class="time">{a.published.astimezone(TEHRAN):%d %B %Y}</span></div></li>'
        for a in articles
    )
    pager = ['<ul class="pagination">']
    if page > 1:
        previous = f"/Section/{section_id}" if page == 2 else f"/Section/{section_id}/{page - 1}"
        pager.append(f'<li class="prev"><a rel="prev" href="{previous}">Previous</a></li>')
    pager.append(f'<li class="active"><span>{page}</span></li>')
    if has_next:
        pager.append(
            f'<li class="next"><a rel="next" href="/Section/{section_id}/{page + 1}">Next</a></li>'
        )
    pager.append("</ul>")
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>PressTV-{html_text(name)}</title>",
        f'<meta property="og:title" content="PressTV-{html_text(name)}">',
        f'<link rel="canonical" href="{PRIMARY}/Section/{section_id}'
        + (f'/{page}">' if page > 1 else '">'),
        f"<style>{stylesheet('modern')}</style>",
        f"<script>{head_script('modern')}</script>",
    ]
    body = [
        ticker([]),
        modern_header(),
        '<main id="main" class="container"><div class="row"><div class="col-lg-8">',
        f'<h1 class="section-title">{html_text(name)}</h1>',
        f'<ul class="news-list">{items}</ul>',
        "".join(pager),
        '</div><aside class="col-lg-4 sidebar">',
        newsletter(),
        app_promo(),
        "</aside></div></main>",
        modern_footer(),
        f"<script>{body_script('modern')}</script>",
    ]
    return _document('<html lang="en" dir="ltr">', head, body)


def _document(opening: str, head: list[str], body: list[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        + opening
        + "\n<head>\n"
        + "\n".join(h for h in head if h)
        + "\n</head>\n<body>\n"
        + "\n".join(b for b in body if b)
        + "\n</body>\n</html>\n"
    )


def _clock(d: datetime) -> str:
    return f"{d.hour % 12 or 12}:{d:%M} {d:%p}"


def _dotnet_date(d: datetime) -> str:
    """ASP.NET's en-US general date, as Press TV's DC.Date.Created has it: 2/19/2023 2:05:00 PM"""
    return f"{d.month}/{d.day}/{d.year} {d.hour % 12 or 12}:{d:%M:%S} {d:%p}"


def _legacy_date(d: datetime) -> str:
    return f"{d:%a %b} {d.day}, {d:%Y %I:%M%p}"


def _figure(image: SampleImage, css_class: str, placeholder: str, alt: str) -> str:
    caption = f"<figcaption>{html_text(image.caption)}</figcaption>" if image.caption else ""
    return (
        f'<figure class="{css_class}"><img class="lazy" src="{placeholder}" '
        f'data-src="{html_text(image.url)}" alt="{html_text(alt)}" />{caption}</figure>'
    )


def _modern_paragraphs(paragraphs: list[str]) -> str:
    """<p> per paragraph, <h2> per sub-heading.  A paragraph after one that lacks final
    punctuation comes as a bare <div> glued to it, as on the real seed page, where a naive
    text dump printed "…agency TASSPeskov said…"."""
    html: list[str] = []
    previous = "."
    for paragraph in paragraphs:
        if paragraph.startswith("## "):
            html.append(f"<h2>{html_text(paragraph[3:])}</h2>")
            previous = "."
            continue
        if previous[-1:] not in ".!?\"”'’":
            html.append(f"<div>{html_text(paragraph)}</div>")
        else:
            html.append(f"<p>{html_text(paragraph)}</p>")
        previous = paragraph
    return "".join(html)
