"""Press TV-like HTML for the local test site and the benchmarks.

Two article templates (modern 2020s and legacy 2013–2019) and a section listing, rendered
from :class:`SampleArticle`.  The pages are deliberately as heavy as real Press TV pages
(60–90 KB: inline styles and scripts, menus, ticker, share blocks, the mirror notice, app
promos, related and latest-news lists), so extraction is tested, and timed, against the
same chrome it meets in the wild.  Output is deterministic: fixtures are committed from it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from tests.localsite.model import SampleArticle, SampleImage

TEHRAN = ZoneInfo("Asia/Tehran")
PRIMARY = "https://www.presstv.ir"
MIRROR_HOSTS = ("www.presstv.co.uk", "www.presstv.com", "presstv.tv")
PLACEHOLDER = "/images/placeholder.png"
LEGACY_PLACEHOLDER = "/Content/images/blank.gif"

# Section ids as the 2018 homepage menu numbers them.
SECTION_IDS = {
    "Iran": 101,
    "Politics": 10101,
    "Economy": 10102,
    "Energy": 10103,
    "Nuclear Energy": 10104,
    "Culture": 10105,
    "Defence": 10106,
    "Middle East": 102,
    "Saudi Arabia": 10205,
    "US": 103,
    "Asia-Pacific": 104,
    "Africa": 105,
    "Europe": 106,
    "Russia": 10602,
    "Americas": 107,
    "UK": 108,
    "Society": 12001,
    "Arts": 12002,
    "Business": 12004,
    "Sports": 12005,
    "Videos": 130,
    "Programs": 150,
}
DEFAULT_SECTION_ID = 100
PROGRAMS = (
    "Iran Today",
    "Economic Divide",
    "On The News Line",
    "The Isle",
    "We The People",
    "Press Plus",
    "A Simple Question",
    "Africa Today",
    "The Sun Will Rise",
    "The Big Conversation",
    "Islam And Life",
    "Food For Thought",
    "Face To Face",
    "The Debate",
    "Opinion",
    "Doc Review",
    "Unreported",
    "New Chapter",
    "Spotlight",
    "Top 5",
)
ALTERNATE_NOTICE = (
    "Press TV\u2019s website can also be accessed at the following alternate addresses:"
)


def section_id(name: str) -> int:
    return SECTION_IDS.get(name, DEFAULT_SECTION_ID)


# --- the seed article ---------------------------------------------------------------------


def seed_article() -> SampleArticle:
    """The real Press TV article of 19 Feb 2023 (shared/seed/000_ea7e39f8d487e77f.txt).

    Its text, caption, section and the NBSPs are as served; the id, slug, time of day,
    description (the lead sentence) and image path are not in the seed and are chosen here.
    The related articles are placeholders for the chrome lists.
    """
    nbsp = "\u00a0"
    paragraphs = [
        f"Russia says Western countries have not yet shown{nbsp}willingness to engage in peace"
        " efforts to resolve the war in Ukraine.",
        f"The Kremlin's spokesman{nbsp}Dmitry Peskov made the remarks on Sunday, after"
        f" Belarusian President{nbsp}Alexander Lukashenko suggested arranging a meeting between"
        " Russian and US leaders.",
        '"So far there is no readiness or openness towards peaceful initiatives on the part of'
        " the collective West,\" he was quoted as saying by Russia's state-owned news agency"
        " TASS",
        "Peskov said the idea of Lukashenko on talks between Russian President Vladimir Putin"
        " and US President Joe Biden is unlikely to gain support in the West.",
        f'{nbsp}"It is hardly possible to expect any type of reciprocity or response to such an'
        ' endeavor from any member of the collective West," he said.',
        "Earlier, Lukashenko invited Biden to visit Minsk during his upcoming European trip,"
        " saying he was willing to arrange his meeting with Putin.",
        "Biden is due to visit Poland next week to mark the Russia-Ukraine war's one-year"
        " anniversary.",
        "## West must accelerate military support to Ukraine",
        "Meanwhile, European Union foreign policy chief Josep Borrell called on the West to"
        " provide more military aid to Ukraine and speed up its deliveries.",
        '"Much more has to be done and much quicker. There is still a lot to be done. We have to'
        ' increase and accelerate our military support," Borrell said in a speech at the 59th'
        " Munich Security Conference (MSC) on Sunday.",
        "Borrell said he supported Estonian Prime Minister Kaja Kallas\u2019 proposal for the EU"
        " to buy ammunition on behalf of its members to help Ukraine.",
        "\"I completely agree with the Estonian prime minister's proposal and we are working on"
        ' that and it will work," Borrell said.',
        "Western leaders have vowed to remain steadfast in their support for Kiev during their"
        " speeches at the annual conference.",
        f"Separately on Sunday, France said it will begin delivering the promised AMX-10{nbsp}RC"
        f" armored combat vehicles to Kiev, which are described as a{nbsp}wheeled tank"
        f" destroyer{nbsp}or{nbsp}light tank.",
        'The first vehicles will be sent to Ukraine "by the end of next week", French Defense'
        " Minister Sebastien Lecornu told Le Parisien newspaper's Sunday edition, without"
        " specifying the number of vehicles in the first batch.",
        f"Polish Prime Minister{nbsp}Mateusz Morawiecki also said that his country is in favor of"
        " delivering as many weapons as possible to Ukraine, including fighter jets.",
        "Full military support for Ukraine could make 2023 a \u201cturning moment\u201d in"
        " European history, Morawiecki said. \u201cI do believe that 2023, with our"
        " determination, will be the end of the war in Ukraine. And I do believe Ukraine will"
        " win that war.\u201d",
        f'Russia launched{nbsp}"a special military operation" in Ukraine on February 24, 2022,'
        " over the perceived threat of the ex-Soviet republic joining NATO. Since then, the"
        " United States and Ukraine's other allies have sent Kiev tens of billions of dollars"
        " worth of weapons, including rocket systems, drones, armored vehicles, tanks, and"
        " communication systems.",
        "Western countries have also imposed a slew of economic sanctions on Moscow. The Kremlin"
        " has said the sanctions and the Western military assistance will only prolong the war.",
    ]
    return SampleArticle(
        id=698345,
        published=datetime(2023, 2, 19, 14, 5, tzinfo=TEHRAN),
        slug="Kremlin-West-not-willing-to-engage-in-Ukraine-peace-efforts",
        title="West not willing to engage in Ukraine peace efforts: Kremlin",
        section="Russia",
        description="Russia says Western countries have not yet shown willingness to engage in"
        " peace efforts to resolve the war in Ukraine.",
        paragraphs=paragraphs,
        images=[
            SampleImage(
                url="/photo/20230219/2c7b8a7e-5a8e-4c1d-9b0e-3f6f1f2d9a10.jpg",
                caption="A Ukrainian soldier stands near a damaged Russian tank in Kupyansk in the"
                " Kharkiv region, October 4, 2022. (File photo by AP)",
            )
        ],
        related=_seed_related(),
    )


def _seed_related() -> list[SampleArticle]:
    titles = (
        (698301, "Europe", "Sample related story one about European energy prices"),
        (698312, "Russia", "Sample related story two about a meeting in Moscow"),
        (698320, "Europe", "Sample related story three about a Munich conference panel"),
        (698333, "Americas", "Sample related story four about a Washington budget debate"),
        (698338, "Russia", "Sample related story five about grain exports"),
        (698340, "Europe", "Sample related story six about a strike in Paris"),
    )
    return [
        SampleArticle(
            id=id_,
            published=datetime(2023, 2, 18, 9 + n, 15, tzinfo=TEHRAN),
            slug=title.replace(" ", "-"),
            title=title,
            section=section,
            description=f"Summary of {title.lower()}.",
            paragraphs=[f"Body of {title.lower()}."],
            images=[SampleImage(url=f"/photo/20230218/related-{id_}.jpg")],
        )
        for n, (id_, section, title) in enumerate(titles)
    ]


# --- article templates ----------------------------------------------------------------------


def render_article_modern(a: SampleArticle, *, json_ld: bool = False) -> str:
    """The 2020s template: <p> paragraphs, <h2> sub-headings, OpenGraph + Dublin Core metas;
    a JSON-LD NewsArticle only when ``json_ld``."""
    published = a.published.astimezone(TEHRAN)
    canonical = PRIMARY + a.path
    lead, *more_images = a.images or [None]
    head = [
        '<meta charset="utf-8">',
        '<meta http-equiv="X-UA-Compatible" content="IE=edge">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>PressTV-{_e(a.title)}</title>",
        f'<meta name="description" content="{_e(a.description)}">',
        f'<meta name="keywords" content="{_e(", ".join(a.tags))}">' if a.tags else "",
        f'<meta name="DC.Title" content="{_e(a.title)}">',
        f'<meta name="DC.Date.Created" content="{_dotnet_date(published)}">',
        f'<meta name="DC.Date.Modified" content="{_dotnet_date(a.modified.astimezone(TEHRAN))}">'
        if a.modified
        else "",
        '<meta name="DC.Language" content="en">',
        '<meta name="DC.Publisher" content="Press TV">',
        '<meta property="og:site_name" content="PressTV">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="PressTV-{_e(a.title)}">',
        f'<meta property="og:description" content="{_e(a.description)}">',
        f'<meta property="og:url" content="{_e(canonical)}">',
        f'<meta property="og:image" content="{_e(_absolute(lead.url))}">' if lead else "",
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@PressTV">',
        f'<meta name="twitter:title" content="{_e(a.title)}">',
        f'<link rel="canonical" href="{_e(canonical)}">',
        f'<link rel="amphtml" href="{_e(PRIMARY + "/amp" + a.path)}">',
        '<link rel="alternate" type="application/rss+xml" title="PressTV" href="/rss.xml">',
        '<link rel="icon" href="/favicon.ico">',
        f"<style>{_stylesheet('modern')}</style>",
        _json_ld(a, canonical) if json_ld else "",
        f"<script>{_head_script('modern')}</script>",
    ]
    article = [
        '<article class="news-item">',
        '<ol class="breadcrumb"><li><a href="/">News</a></li>'
        f'<li><a href="/Section/{section_id(a.section)}">{_e(a.section)}</a></li></ol>',
        f'<h1 class="news-title">{_e(a.title)}</h1>',
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
            + ", ".join(f'<a href="/Author/{_slug(name)}">{_e(name)}</a>' for name in a.authors)
            + "</div>"
        )
        if a.authors
        else "",
        _figure(lead, "news-image", PLACEHOLDER, a.title) if lead else "",
        _share_box(canonical, a.title, "top"),
        '<div class="news-body">',
        _modern_paragraphs(a.paragraphs),
        "".join(_figure(image, "inline-image", PLACEHOLDER, "") for image in more_images),
        "<p>&nbsp;</p>",
        f"<p>{_e(ALTERNATE_NOTICE)}</p>",
        "".join(f'<p><a href="https://{h}" target="_blank">{h}</a></p>' for h in MIRROR_HOSTS[:1]),
        _share_box(canonical, a.title, "bottom"),
        _app_promo(),
        "</div>",
        (
            '<div class="news-tags"><span>Tags:</span> '
            + " ".join(f'<a href="/Tag/{_slug(t)}">{_e(t)}</a>' for t in a.tags)
            + "</div>"
        )
        if a.tags
        else "",
        "</article>",
        _related_modern(a.related),
    ]
    body = [
        _ticker(a.related),
        _modern_header(),
        '<main id="main" class="container"><div class="row">',
        '<div class="col-lg-8 col-md-12 main-column">',
        *article,
        "</div>",
        '<aside class="col-lg-4 col-md-12 sidebar">',
        _latest_modern(a.related),
        _most_viewed(a.related),
        _newsletter(),
        _app_promo(),
        "</aside>",
        "</div></main>",
        _modern_footer(),
        f"<script>{_body_script('modern')}</script>",
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
        f"<title>PressTV-{_e(a.title)}</title>",
        '<meta name="viewport" content="width=device-width">',
        f'<meta name="title" content="PressTV-{_e(a.title)}" />',
        f'<meta name="description" content="{_e(a.description)}" />',
        f'<meta name="keywords" content="{_e(",".join(a.tags))}" />' if a.tags else "",
        f'<meta property="og:title" content="PressTV-{_e(a.title)}" />',
        f'<meta property="og:image" content="{_e(lead.url)}" />' if lead else "",
        '<link rel="stylesheet" href="/Content/Site151104.css">',
        '<link rel="stylesheet" href="/Content/ovverrides.css?_=20180222">',
        "<style>" + _stylesheet("legacy") + "</style>",
        '<script src="/Scripts/modernizr-2.6.2.min.js"></script>',
    ]
    text = [_figure(image, "item-image", LEGACY_PLACEHOLDER, "") for image in a.images]
    for paragraph in a.paragraphs:
        if paragraph.startswith("## "):
            text.append(f"<strong>{_e(paragraph[3:])}</strong><br /><br />")
        else:
            text.append(f"{_e(paragraph)}<br /><br />")
    text.append(f"<br />{_e(ALTERNATE_NOTICE)}<br /><br />")
    text.append(f'<a href="http://{MIRROR_HOSTS[0]}">{MIRROR_HOSTS[0]}</a><br />')
    text.append(_share_box(PRIMARY + a.path, a.title, "legacy"))
    article = [
        '<div class="panel item">',
        '<div class="item-section"><a href="/Default/Section/'
        f'{section_id(a.section)}">{_e(a.section)}</a></div>',
        f'<div class="item-date">\r\n            {dateline}\r\n        </div>',
        f'<h2 class="page-header">{_e(a.title)}</h2>',
        (
            '<div class="item-author">By '
            + ", ".join(f'<a href="#">{_e(name)}</a>' for name in a.authors)
            + "</div>"
        )
        if a.authors
        else "",
        '<div class="item-text">',
        "\n".join(text),
        "</div>",
        "</div>",
        _related_legacy(a.related),
    ]
    body = [
        _ticker(a.related),
        _legacy_header(),
        '<section id="main"><div class="wrapper"><div class="container"><div class="row">',
        '<div class="col-xs-12 col-md-8">',
        *article,
        "</div>",
        '<div class="col-xs-12 col-md-4">',
        _latest_legacy(a.related),
        _app_promo(),
        "</div>",
        "</div></div></div></section>",
        _legacy_footer(),
        f"<script>{_body_script('legacy')}</script>",
    ]
    opening = (
        '<!--[if lt IE 7]>      <html class="no-js lt-ie9 lt-ie8 lt-ie7"> <![endif]-->\n'
        '<!--[if IE 7]>         <html class="no-js lt-ie9 lt-ie8"> <![endif]-->\n'
        '<!--[if IE 8]>         <html class="no-js lt-ie9"> <![endif]-->\n'
        '<!--[if gt IE 8]><!-->\n<html class="no-js">\n<!--<![endif]-->'
    )
    return _document(opening, head, body)


# --- listing --------------------------------------------------------------------------------


def render_listing(
    section_id: int, page: int, articles: list[SampleArticle], has_next: bool
) -> str:
    """A section page, ``/Section/<id>`` (page 1) or ``/Section/<id>/<page>``."""
    name = next((n for n, i in SECTION_IDS.items() if i == section_id), f"Section {section_id}")
    items = "".join(
        '<li class="news-list-item">'
        f'<a class="img" href="{_e(a.path)}"><img src="{PLACEHOLDER}" '
        f'data-src="{_e(a.images[0].url) if a.images else PLACEHOLDER}" alt=""></a>'
        f'<div class="dsc"><h3><a href="{_e(a.path)}">{_e(a.title)}</a></h3>'
        f"<p>{_e(a.description)}</p>"
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
        f"<title>PressTV-{_e(name)}</title>",
        f'<meta property="og:title" content="PressTV-{_e(name)}">',
        f'<link rel="canonical" href="{PRIMARY}/Section/{section_id}'
        + (f'/{page}">' if page > 1 else '">'),
        f"<style>{_stylesheet('modern')}</style>",
        f"<script>{_head_script('modern')}</script>",
    ]
    body = [
        _ticker([]),
        _modern_header(),
        '<main id="main" class="container"><div class="row"><div class="col-lg-8">',
        f'<h1 class="section-title">{_e(name)}</h1>',
        f'<ul class="news-list">{items}</ul>',
        "".join(pager),
        '</div><aside class="col-lg-4 sidebar">',
        _newsletter(),
        _app_promo(),
        "</aside></div></main>",
        _modern_footer(),
        f"<script>{_body_script('modern')}</script>",
    ]
    return _document('<html lang="en" dir="ltr">', head, body)


# --- pieces ---------------------------------------------------------------------------------


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


def _e(text: str) -> str:
    return escape(text, quote=True).replace("\u00a0", "&nbsp;")


def _slug(text: str) -> str:
    return "-".join(text.split())


def _absolute(url: str) -> str:
    return url if "://" in url else PRIMARY + url


def _clock(d: datetime) -> str:
    return f"{d.hour % 12 or 12}:{d:%M} {d:%p}"


def _dotnet_date(d: datetime) -> str:
    """ASP.NET's en-US general date, as Press TV's DC.Date.Created has it: 2/19/2023 2:05:00 PM"""
    return f"{d.month}/{d.day}/{d.year} {d.hour % 12 or 12}:{d:%M:%S} {d:%p}"


def _legacy_date(d: datetime) -> str:
    return f"{d:%a %b} {d.day}, {d:%Y %I:%M%p}"


def _figure(image: SampleImage, css_class: str, placeholder: str, alt: str) -> str:
    caption = f"<figcaption>{_e(image.caption)}</figcaption>" if image.caption else ""
    return (
        f'<figure class="{css_class}"><img class="lazy" src="{placeholder}" '
        f'data-src="{_e(image.url)}" alt="{_e(alt)}" />{caption}</figure>'
    )


def _modern_paragraphs(paragraphs: list[str]) -> str:
    """<p> per paragraph, <h2> per sub-heading.  A paragraph after one that lacks final
    punctuation comes as a bare <div> glued to it, as on the real seed page, where a naive
    text dump printed "…agency TASSPeskov said…"."""
    html: list[str] = []
    previous = "."
    for paragraph in paragraphs:
        if paragraph.startswith("## "):
            html.append(f"<h2>{_e(paragraph[3:])}</h2>")
            previous = "."
            continue
        if previous[-1:] not in ".!?\"”'’":
            html.append(f"<div>{_e(paragraph)}</div>")
        else:
            html.append(f"<p>{_e(paragraph)}</p>")
        previous = paragraph
    return "".join(html)


def _share_box(url: str, title: str, where: str) -> str:
    services = (
        ("facebook", "https://www.facebook.com/sharer/sharer.php?u="),
        ("twitter", "https://twitter.com/intent/tweet?url="),
        ("telegram", "https://t.me/share/url?url="),
        ("whatsapp", "https://api.whatsapp.com/send?text="),
        ("reddit", "https://www.reddit.com/submit?url="),
        ("vk", "https://vk.com/share.php?url="),
    )
    links = "".join(
        f'<li class="{name}"><a href="{prefix}{_e(url)}" target="_blank" rel="noopener" '
        f'title="Share on {name.title()}"><i class="icon-{name}"></i></a></li>'
        for name, prefix in services
    )
    return (
        f'<div class="share-box share-{where}"><h4 class="share-title">SHARE THIS ARTICLE</h4>'
        f'<ul class="share-list">{links}</ul>'
        f'<input type="text" class="short-link" readonly value="{_e(url)}" aria-label="Link"></div>'
    )


def _app_promo() -> str:
    stores = (
        ("roku", "https://channelstore.roku.com/details/presstv", "Press TV News Roku"),
        (
            "android",
            "https://play.google.com/store/apps/details?id=com.presstv.app",
            "Press TV News App on Google Play",
        ),
        ("ios", "https://apps.apple.com/app/presstv/id681708930", "Press TV News App on iOS"),
    )
    return (
        '<div class="app-promo">'
        + "".join(
            f'<a class="app-{k}" href="{u}" target="_blank"><img src="/images/app-{k}.png" '
            f'alt="{t}"><span>{t}</span></a>'
            for k, u, t in stores
        )
        + "</div>"
    )


def _ticker(related: list[SampleArticle]) -> str:
    items = "".join(f'<li><a href="{_e(a.path)}">{_e(a.title)}</a></li>' for a in related[:4])
    return (
        '<div id="breaking" class="breaking-wrap"><div class="ticker">'
        '<span class="ticker-label">Breaking News</span>'
        f'<ul class="ticker-list">{items}</ul>'
        '<button type="button" class="close" aria-label="Close">&times;</button></div></div>'
    )


def _section_menu(prefix: str) -> str:
    parts = []
    for name in (
        "Iran",
        "Middle East",
        "US",
        "UK",
        "Europe",
        "Russia",
        "Asia-Pacific",
        "Africa",
        "Americas",
        "Society",
        "Arts",
        "Business",
        "Sports",
        "Videos",
    ):
        parts.append(f'<li><a href="{prefix}/Section/{section_id(name)}">{_e(name)}</a></li>')
    return "".join(parts)


def _programs_menu(prefix: str) -> str:
    return "".join(
        f'<li><a href="{prefix}/Section/{15000 + 3 * n + 6}">{_e(p)}</a></li>'
        for n, p in enumerate(PROGRAMS)
    )


def _modern_header() -> str:
    return (
        '<header id="header"><div class="top-bar"><div class="container">'
        '<a class="logo" href="/"><img src="/images/logo.svg" alt="PressTV"></a>'
        '<ul class="top-links"><li><a href="/Schedule">Schedule</a></li>'
        '<li><a href="/Live">Watch Live</a></li><li><a href="/Frequencies">Frequencies</a></li>'
        '<li class="lang"><a href="https://farsi.presstv.ir">فارسی</a></li>'
        '<li class="lang"><a href="https://french.presstv.ir">Français</a></li>'
        '<li class="lang"><a href="https://www.hispantv.com">Español</a></li></ul>'
        '<form class="search-form" action="/Search" method="get">'
        '<input type="text" name="q" placeholder="Search..."><button type="submit">'
        '<i class="icon-search"></i></button></form></div></div>'
        '<nav id="menu" class="main-menu"><div class="container"><ul class="menu">'
        f'<li class="haschild"><a href="#">News</a><ul class="child">{_section_menu("")}</ul></li>'
        f'<li class="haschild"><a href="/Section/150">Programs</a><ul class="child">'
        f"{_programs_menu('')}</ul></li>"
        '<li><a href="/Section/130">Videos</a></li><li><a href="/Section/131">Podcasts</a></li>'
        '<li><a href="/Section/15081">Opinion</a></li>'
        '<li><a href="/Section/140">Infographics</a></li>'
        "</ul></div></nav></header>"
    )


def _legacy_header() -> str:
    return (
        '<header id="header"><div id="masthead" class="wrapper _bluedark"><div class="container">'
        '<div class="row"><div class="col-xs-4 col-sm-3 col-md-2 col-lg-1"><h1 class="logo">'
        '<a href="/">PressTV</a></h1></div><div class="col-xs-8 col-sm-9 col-md-10 col-lg-11">'
        '<ul class="menu header-menu"><li><a href="/Default/Schedule"><i class="icon-calendar">'
        '</i>Schedule</a></li><li><a href="/Default/Live"><i class="icon-video"></i>Watch Live'
        '</a></li><li class="search haschild"><a href="#"><i class="icon-search"></i></a>'
        '<div class="child"><form role="form" class="search-form" action="/Default/Search" '
        'method="get"><input type="text" name="q" class="form-control" placeholder="Search..." />'
        '<button type="submit">&nbsp;</button></form></div></li></ul></div></div></div></div>'
        '<div id="navbar" class="wrapper _bluedarker"><div class="container"><div class="row">'
        '<nav id="menu" class="col-xs-12 col-md-10"><ul class="menu menu-inline">'
        f'<li class="haschild"><a href="#">News</a><div class="child"><ul>'
        f"{_section_menu('/Default')}</ul></div></li>"
        f'<li class="haschild"><a href="/Default/Section/150">Programs</a><div class="child"><ul>'
        f"{_programs_menu('/Default')}</ul></div></li>"
        '<li><a target="_blank" href="http://presstvdoc.com">Docs</a></li>'
        '<li class="hidden-md hidden-lg"><a href="/Farsi">فارسی</a></li>'
        '<li class="hidden-md hidden-lg"><a href="/French">French</a></li></ul></nav>'
        "</div></div></div></header>"
    )


def _teaser(a: SampleArticle, with_summary: bool) -> str:
    image = a.images[0].url if a.images else PLACEHOLDER
    summary = f"<p>{_e(a.description)}</p>" if with_summary else ""
    return (
        f'<li><a class="img" href="{_e(a.path)}"><img src="{PLACEHOLDER}" data-src="{_e(image)}" '
        f'alt=""></a><div class="dsc"><div class="section"><a href="/Section/'
        f'{section_id(a.section)}">{_e(a.section)}</a></div><h3><a href="{_e(a.path)}">'
        f"{_e(a.title)}</a></h3>{summary}</div></li>"
    )


def _related_modern(related: list[SampleArticle]) -> str:
    if not related:
        return ""
    items = "".join(_teaser(a, with_summary=True) for a in related)
    return (
        '<section class="related-news"><h3 class="block-title">Related News</h3>'
        f'<ul class="news-list">{items}</ul></section>'
    )


def _latest_modern(related: list[SampleArticle]) -> str:
    items = "".join(
        f'<li><a href="{_e(a.path)}">{_e(a.title)}<span class="time">'
        f"{a.published.astimezone(TEHRAN):%H:%M}</span></a></li>"
        for a in related
    )
    return (
        '<div class="more-news latest"><h3 class="block-title"><a href="/Section/13013">'
        f"Latest News</a></h3><ul>{items}</ul></div>"
    )


def _most_viewed(related: list[SampleArticle]) -> str:
    items = "".join(_teaser(a, with_summary=False) for a in reversed(related))
    return (
        f'<div class="most-viewed"><h3 class="block-title">Most Viewed</h3><ul>{items}</ul></div>'
    )


def _related_legacy(related: list[SampleArticle]) -> str:
    if not related:
        return ""
    items = "".join(_teaser(a, with_summary=True) for a in related).replace(
        'href="/Section/', 'href="/Default/Section/'
    )
    return (
        '<div class="panel items related"><div class="panel-title"><h2>Related News</h2></div>'
        f'<div class="panel-body"><ul>{items}</ul></div></div>'
    )


def _latest_legacy(related: list[SampleArticle]) -> str:
    items = "".join(
        f'<li><a href="{_e(a.path)}">{_e(a.title)}<span class="time">{n + 1}hr</span></a></li>'
        for n, a in enumerate(related)
    )
    return (
        '<div class="panel list titles sidebar-titles more-news"><div class="panel-title">'
        '<h2 class="more"><a href="/Default/Section/13013">Latest News</a></h2></div>'
        f'<div class="panel-body"><ul>{items}</ul></div></div>'
    )


def _newsletter() -> str:
    return (
        '<form class="newsletter" action="/Newsletter/Subscribe" method="post">'
        "<h4>Subscribe to our newsletter</h4><p>Get the day's top stories in your inbox.</p>"
        '<input type="email" name="email" placeholder="Your email">'
        '<button type="submit">Subscribe</button></form>'
    )


def _footer_columns(prefix: str) -> str:
    return (
        f'<div class="footer-menu"><h4>News</h4><ol>{_section_menu(prefix)}</ol></div>'
        f'<div class="footer-menu"><h4>Programs</h4><ol>{_programs_menu(prefix)}</ol></div>'
        '<div class="footer-menu"><h4>Follow us</h4><ol>'
        '<li><a href="https://twitter.com/PressTV">Twitter</a></li>'
        '<li><a href="https://t.me/presstv">Telegram</a></li>'
        '<li><a href="https://www.youtube.com/user/videosptv">YouTube</a></li>'
        '<li><a href="https://www.instagram.com/presstvchannel">Instagram</a></li>'
        f'<li><a href="{prefix}/RSS">RSS</a></li></ol></div>'
    )


def _modern_footer() -> str:
    return (
        '<footer id="footer"><div class="container"><div class="row">'
        + _footer_columns("")
        + '</div><div class="copyright">&copy; Copyright 2023 Press TV. All rights reserved.'
        ' <a href="/Privacy">Privacy Policy</a> | <a href="/Contact">Contact Us</a></div>'
        "</div></footer>"
    )


def _legacy_footer() -> str:
    return (
        '<footer id="footer"><div class="wrapper _gray"><div class="container">'
        '<div id="sitemap" class="row">' + _footer_columns("/Default") + "</div>"
        '<div class="row hidden-xs"><div class="col-xs-12">' + _newsletter() + "</div></div>"
        '<div class="copyright">&copy; Copyright 2018 Press TV. All rights reserved.</div>'
        "</div></div></footer>"
    )


def _json_ld(a: SampleArticle, canonical: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "headline": a.title,
        "description": a.description,
        "datePublished": a.published.astimezone(TEHRAN).isoformat(),
        "image": [_absolute(i.url) for i in a.images],
        "articleSection": a.section,
        "keywords": ", ".join(a.tags),
        "inLanguage": "en",
        "publisher": {
            "@type": "Organization",
            "name": "Press TV",
            "logo": {"@type": "ImageObject", "url": PRIMARY + "/images/logo.png"},
        },
    }
    if a.modified:
        data["dateModified"] = a.modified.astimezone(TEHRAN).isoformat()
    if a.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in a.authors]
    return (
        '<script type="application/ld+json">'
        + json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        + "</script>"
    )


# --- weight: inline CSS and scripts ---------------------------------------------------------

_COMPONENTS = (
    "header",
    "top-bar",
    "logo",
    "menu",
    "child",
    "search-form",
    "ticker",
    "breadcrumb",
    "news-item",
    "news-title",
    "news-meta",
    "news-body",
    "news-image",
    "share-box",
    "app-promo",
    "related-news",
    "news-list",
    "more-news",
    "most-viewed",
    "sidebar",
    "newsletter",
    "footer",
    "footer-menu",
    "copyright",
    "pagination",
    "panel",
    "panel-title",
    "panel-body",
    "item",
    "item-text",
    "item-date",
    "page-header",
    "tiles",
    "dsc",
    "img",
    "section",
    "time",
)
_STATES = ("", ":hover", ":focus", "::before", "::after", ".active", " a")
_BREAKPOINTS = (576, 768, 992, 1200)


def _stylesheet(template: str) -> str:
    """A deterministic inline stylesheet of realistic size (real pages inline ~20 KB)."""
    rules = []
    for i, component in enumerate(_COMPONENTS):
        for j, state in enumerate(_STATES):
            n = i * len(_STATES) + j
            rules.append(
                f".{component}{state}{{margin:{n % 7 * 2}px {n % 5}px;padding:{n % 4 * 3}px;"
                f"color:#{(n * 2654435761) % 0xFFFFFF:06x};font-size:{12 + n % 9}px;"
                f"line-height:{1.2 + n % 5 / 10:.1f};transition:all .{n % 4 + 1}s ease}}"
            )
    for bp in _BREAKPOINTS:
        inner = "".join(
            f".{c}{{width:{bp // (k + 2)}px;display:{'block' if k % 2 else 'flex'}}}"
            for k, c in enumerate(_COMPONENTS)
        )
        rules.append(f"@media (min-width:{bp}px){{{inner}}}")
    # Icon font inlined as a data URI, as the real sites do.
    rules.append(
        "@font-face{font-family:'ptv-icons';src:url(data:application/font-woff;base64,"
        + _pseudo_base64(f"icons-{template}", 4000)
        + ") format('woff')}"
    )
    return "".join(rules)


def _pseudo_base64(seed: str, length: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    out = []
    block = seed.encode()
    while len(out) < length:
        block = hashlib.sha256(block).digest()
        out.extend(alphabet[b % 64] for b in block)
    return "".join(out[:length])


def _head_script(template: str) -> str:
    config = {
        "site": "presstv",
        "template": template,
        "cdn": "https://cdn.presstv.ir",
        "lazyload": {"selector": "img.lazy", "threshold": 300, "placeholder": PLACEHOLDER},
        "mirrors": list(MIRROR_HOSTS),
        "sections": {name: sid for name, sid in SECTION_IDS.items()},
    }
    return (
        "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        "gtag('js',new Date());gtag('config','G-PTV0000000');"
        f"window.PTV_CONFIG={json.dumps(config, sort_keys=True)};"
    )


def _body_script(template: str) -> str:
    """Menu, lazy loading, ticker and share handlers, written out like a bundled script."""
    functions = []
    for name in (
        "menu",
        "lazy",
        "ticker",
        "share",
        "search",
        "newsletter",
        "live",
        "player",
        "poll",
        "fontSize",
        "darkMode",
        "cookies",
        "analytics",
        "scrollTop",
    ):
        functions.append(
            f"ptv.{name}=function(root,options){{var settings=Object.assign({{}},"
            f"ptv.defaults.{name}||{{}},options||{{}});var nodes=root.querySelectorAll("
            f"settings.selector||'[data-{name}]');for(var i=0;i<nodes.length;i++){{"
            f"(function(node){{node.addEventListener('click',function(event){{"
            f"if(settings.prevent){{event.preventDefault();}}node.classList.toggle('open');"
            f"ptv.track('{name}',node.getAttribute('data-{name}')||'');}});"
            f"if(node.getAttribute('data-src')&&'{name}'==='lazy'){{var io=new "
            f"IntersectionObserver(function(entries){{entries.forEach(function(entry){{"
            f"if(entry.isIntersecting){{node.src=node.getAttribute('data-src');io.disconnect();"
            f"}}}});}},{{rootMargin:settings.threshold+'px'}});io.observe(node);}}}})(nodes[i]);}}"
            f"return nodes.length;}};"
        )
    return (
        f"var ptv=window.ptv||{{}};ptv.template='{template}';ptv.defaults={{}};"
        "ptv.track=function(a,b){try{gtag('event',a,{label:b});}catch(e){}};"
        + "".join(functions)
        + "document.addEventListener('DOMContentLoaded',function(){"
        "['menu','lazy','ticker','share'].forEach(function(n){ptv[n](document);});});"
        + "var sprite='"
        + _pseudo_base64(f"sprite-{template}", 2500)
        + "';"
    )
