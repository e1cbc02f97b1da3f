"""The chrome around Press TV-like pages (menus, ticker, share blocks, the mirror notice, app
promos, related and latest lists, footers, inline styles and scripts), and the site's constants.
As heavy as the real pages' (60-90 KB a page), so extraction is tested against what it meets."""

from __future__ import annotations

import hashlib
import json
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from scraper.demo.model import SampleArticle

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


def html_text(text: str) -> str:
    return escape(text, quote=True).replace("\u00a0", "&nbsp;")


def slug(text: str) -> str:
    return "-".join(text.split())


def absolute(url: str) -> str:
    return url if "://" in url else PRIMARY + url


def share_box(url: str, title: str, where: str) -> str:
    services = (
        ("facebook", "https://www.facebook.com/sharer/sharer.php?u="),
        ("twitter", "https://twitter.com/intent/tweet?url="),
        ("telegram", "https://t.me/share/url?url="),
        ("whatsapp", "https://api.whatsapp.com/send?text="),
        ("reddit", "https://www.reddit.com/submit?url="),
        ("vk", "https://vk.com/share.php?url="),
    )
    links = "".join(
        f'<li class="{name}"><a href="{prefix}{html_text(url)}" target="_blank" rel="noopener" '
        f'title="Share on {name.title()}"><i class="icon-{name}"></i></a></li>'
        for name, prefix in services
    )
    return (
        f'<div class="share-box share-{where}"><h4 class="share-title">SHARE THIS ARTICLE</h4>'
        f'<ul class="share-list">{links}</ul>'
        f'<input type="text" class="short-link" readonly value="{html_text(url)}" aria-label="Link"></div>'
    )


def app_promo() -> str:
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


def ticker(related: list[SampleArticle]) -> str:
    items = "".join(
        f'<li><a href="{html_text(a.path)}">{html_text(a.title)}</a></li>' for a in related[:4]
    )
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
        parts.append(
            f'<li><a href="{prefix}/Section/{section_id(name)}">{html_text(name)}</a></li>'
        )
    return "".join(parts)


def _programs_menu(prefix: str) -> str:
    return "".join(
        f'<li><a href="{prefix}/Section/{15000 + 3 * n + 6}">{html_text(p)}</a></li>'
        for n, p in enumerate(PROGRAMS)
    )


def modern_header() -> str:
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


def legacy_header() -> str:
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
    summary = f"<p>{html_text(a.description)}</p>" if with_summary else ""
    return (
        f'<li><a class="img" href="{html_text(a.path)}"><img src="{PLACEHOLDER}" data-src="{html_text(image)}" '
        f'alt=""></a><div class="dsc"><div class="section"><a href="/Section/'
        f'{section_id(a.section)}">{html_text(a.section)}</a></div><h3><a href="{html_text(a.path)}">'
        f"{html_text(a.title)}</a></h3>{summary}</div></li>"
    )


def related_modern(related: list[SampleArticle]) -> str:
    if not related:
        return ""
    items = "".join(_teaser(a, with_summary=True) for a in related)
    return (
        '<section class="related-news"><h3 class="block-title">Related News</h3>'
        f'<ul class="news-list">{items}</ul></section>'
    )


def latest_modern(related: list[SampleArticle]) -> str:
    items = "".join(
        f'<li><a href="{html_text(a.path)}">{html_text(a.title)}<span class="time">'
        f"{a.published.astimezone(TEHRAN):%H:%M}</span></a></li>"
        for a in related
    )
    return (
        '<div class="more-news latest"><h3 class="block-title"><a href="/Section/13013">'
        f"Latest News</a></h3><ul>{items}</ul></div>"
    )


def most_viewed(related: list[SampleArticle]) -> str:
    items = "".join(_teaser(a, with_summary=False) for a in reversed(related))
    return (
        f'<div class="most-viewed"><h3 class="block-title">Most Viewed</h3><ul>{items}</ul></div>'
    )


def related_legacy(related: list[SampleArticle]) -> str:
    if not related:
        return ""
    items = "".join(_teaser(a, with_summary=True) for a in related).replace(
        'href="/Section/', 'href="/Default/Section/'
    )
    return (
        '<div class="panel items related"><div class="panel-title"><h2>Related News</h2></div>'
        f'<div class="panel-body"><ul>{items}</ul></div></div>'
    )


def latest_legacy(related: list[SampleArticle]) -> str:
    items = "".join(
        f'<li><a href="{html_text(a.path)}">{html_text(a.title)}<span class="time">{n + 1}hr</span></a></li>'
        for n, a in enumerate(related)
    )
    return (
        '<div class="panel list titles sidebar-titles more-news"><div class="panel-title">'
        '<h2 class="more"><a href="/Default/Section/13013">Latest News</a></h2></div>'
        f'<div class="panel-body"><ul>{items}</ul></div></div>'
    )


def newsletter() -> str:
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


def modern_footer() -> str:
    return (
        '<footer id="footer"><div class="container"><div class="row">'
        + _footer_columns("")
        + '</div><div class="copyright">&copy; Copyright 2023 Press TV. All rights reserved.'
        ' <a href="/Privacy">Privacy Policy</a> | <a href="/Contact">Contact Us</a></div>'
        "</div></footer>"
    )


def legacy_footer() -> str:
    return (
        '<footer id="footer"><div class="wrapper _gray"><div class="container">'
        '<div id="sitemap" class="row">' + _footer_columns("/Default") + "</div>"
        '<div class="row hidden-xs"><div class="col-xs-12">' + newsletter() + "</div></div>"
        '<div class="copyright">&copy; Copyright 2018 Press TV. All rights reserved.</div>'
        "</div></div></footer>"
    )


def news_article_json_ld(a: SampleArticle, canonical: str) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "headline": a.title,
        "description": a.description,
        "datePublished": a.published.astimezone(TEHRAN).isoformat(),
        "image": [absolute(i.url) for i in a.images],
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


def stylesheet(template: str) -> str:
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
    out: list[str] = []
    block = seed.encode()
    while len(out) < length:
        block = hashlib.sha256(block).digest()
        out.extend(alphabet[b % 64] for b in block)
    return "".join(out[:length])


def head_script(template: str) -> str:
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


def body_script(template: str) -> str:
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
