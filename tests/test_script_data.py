"""The article text of client-rendered pages, read from their script data: synthetic pages
for each way a script carries it, pages where it must not be used, hostile script data, and
a real page (hankookilbo, from fundus's test pages, MIT: see fixtures/generic/fundus)."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import clean_text, decode_html
from scraper.sites.script_data import script_text

FIXTURES = Path(__file__).parent / "fixtures" / "generic" / "fundus"
URL = "https://news.example.com/2026/01/29/harbour-bridge"
TITLE = "Harbour bridge to close for a year of repairs"
PARAGRAPHS = [
    (
        "The city's harbour bridge will close to traffic for twelve months from March, the "
        "transport authority said on Thursday, after inspectors found corrosion in its cables."
    ),
    (
        "Engineers will replace all 64 suspension cables, a job the authority expects to cost "
        "about 80 million euros. Ferries will run every ten minutes while the bridge is shut."
    ),
    (
        'Shop owners on both banks said they feared losing customers. "Half of our trade comes '
        'across that bridge," said one baker, who asked not to be named.'
    ),
    (
        "The authority said the work could not wait: the cables were last replaced in 1986, "
        "and a study last year gave them five more years at most."
    ),
]


def page(scripts: str, body: str = '<div id="root"></div>', title: str = TITLE) -> str:
    """A client-rendered page: the title and meta tags in the HTML, ``body`` as the
    server-rendered markup, then ``scripts``."""
    return (
        f"<!doctype html><html lang=en><head><title>{title} | Example News</title>"
        f'<meta property="og:title" content="{title}">'
        '<meta name="author" content="Jane Doe">'
        f"</head><body><header><nav><a href=/>Home</a></nav></header>{body}{scripts}"
        "</body></html>"
    )


def article_html() -> str:
    return "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def item_body(html: str) -> str | None:
    item = GenericArticlePage(URL, html).to_item()
    return None if item is None else item.body


def test_next_data_blob() -> None:
    data = {
        "props": {
            "pageProps": {
                "article": {
                    "headline": TITLE,
                    "slug": "harbour-bridge",
                    "body": '<figure><img src="a.jpg"><figcaption>The bridge at dawn. (Photo: Example)'
                    "</figcaption></figure>" + article_html(),
                }
            }
        },
        "page": "/[slug]",
    }
    html = page(f'<script id="__NEXT_DATA__" type="application/json">{json.dumps(data)}</script>')
    item = GenericArticlePage(URL, html).to_item()
    assert item is not None
    assert item.title == TITLE
    assert item.body == "\n\n".join(PARAGRAPHS)  # paragraphs kept, caption left out


def test_pushed_dehydrated_state_with_escaped_html() -> None:
    state = {
        "mutations": [],
        "queries": [
            {
                "state": {
                    "data": {
                        "data": {
                            "title": TITLE,
                            "subTitle": "Repairs from March",
                            "contentHtml": article_html() + "<p>$$ARTICLEAD$$</p>",
                        }
                    }
                }
            }
        ],
    }
    # A serializer escaping "<" as \u003c, as dehydrated state commonly is.
    literal = json.dumps(state).replace("<", "\\u003c").replace(">", "\\u003e")
    assert "<p>" not in literal
    script = (
        '<script>window["__RQ_R_1_"] = window["__RQ_R_1_"] || [];'
        f'window["__RQ_R_1_"].push({literal})</script>'
    )
    assert item_body(page(script)) == "\n\n".join(PARAGRAPHS)


def test_state_assignment_with_plain_text() -> None:
    state = {
        "router": {"path": "/news"},
        "story": {"title": TITLE, "text": "\n\n".join(PARAGRAPHS), "tags": ["city", "transport"]},
    }
    script = f"<script>window.__STATE__ = {json.dumps(state)};\nwindow.x = 1;</script>"
    assert item_body(page(script)) == "\n\n".join(PARAGRAPHS)


def test_server_component_stream_text_row() -> None:
    """React server components stream long text as a row ``<id>:T<hex bytes>,<text>``,
    named "$<id>" where the data uses it; the stream is cut across several pushes."""
    text = article_html()
    stream = (
        f'0:["$","article",null,{{"title":"{TITLE}","body":"$7"}}]\n'
        f"7:T{len(text.encode()):x},{text}"
    )
    chunks = [stream[:40], stream[40:200], stream[200:]]
    scripts = "<script>(self.__next_f=self.__next_f||[]).push([0])</script>" + "".join(
        f"<script>self.__next_f.push({json.dumps([1, chunk])})</script>" for chunk in chunks
    )
    assert item_body(page(scripts)) == "\n\n".join(PARAGRAPHS)


def test_body_as_blocks() -> None:
    """A CMS body kept as a list of small block objects, one paragraph each."""
    blocks = [
        {"type": "text", "content": f"<p>{p}</p>", "_id": str(i)} for i, p in enumerate(PARAGRAPHS)
    ]
    blocks.insert(1, {"type": "image", "url": "https://img.example.com/1.jpg"})
    data = {"article": {"title": TITLE, "content_elements": blocks}}
    html = page(f'<script type="application/json">{json.dumps(data)}</script>')
    assert item_body(html) == "\n\n".join(PARAGRAPHS)


def test_html_body_is_kept() -> None:
    other = ("A different text the script holds, longer than the page's own. " * 60).strip()
    data = {"article": {"title": TITLE, "body": other}}
    scripts = f'<script type="application/json">{json.dumps(data)}</script>'
    more = [
        f"{p} It was the {n} time the bridge had closed."
        for n, p in (("first", PARAGRAPHS[2]), ("second", PARAGRAPHS[1]), ("third", PARAGRAPHS[0]))
    ]
    body = (
        f"<main><article><h1>{TITLE}</h1>{article_html()}"
        + "".join(f"<p>{p}</p>" for p in more)
        + "</article></main>"
    )
    assert item_body(page(scripts, body=body)) == "\n\n".join(PARAGRAPHS + more)
    # The same script data is the body when the HTML has none.
    assert item_body(page(scripts)) == other


def test_short_html_body_kept_against_unrelated_script_text() -> None:
    """A short article (a brief) beside a long text that is another story's: the script's
    text is not beside this page's title, so the HTML stands."""
    other = {"related": {"title": "Another story", "body": " ".join(PARAGRAPHS) * 3}}
    scripts = f'<script type="application/json">{json.dumps(other)}</script>'
    brief = f"<article><h1>{TITLE}</h1><p>{PARAGRAPHS[0]}</p></article>"
    assert item_body(page(scripts, body=brief)) == PARAGRAPHS[0]
    # The same text beside this page's title replaces the brief: the HTML held a teaser.
    own = {"story": {"title": TITLE, "body": "\n".join(PARAGRAPHS * 3)}}
    scripts = f'<script type="application/json">{json.dumps(own)}</script>'
    assert item_body(page(scripts, body=brief)) == "\n\n".join(PARAGRAPHS * 3)


def test_navigation_and_headlines_are_not_a_body() -> None:
    menu = [
        {
            "title": name,
            "url": f"/{name.lower()}",
            "children": [
                {"title": f"{name} {sub}", "url": f"/{name.lower()}/{sub}"} for sub in range(8)
            ],
        }
        for name in ("World", "Politics", "Business", "Science", "Sport", "Culture")
    ]
    nav_html = (
        "<ul>"
        + "".join(
            f'<li><a href="/{i}">Section number {i} of the site. Read more.</a></li>'
            for i in range(40)
        )
        + "</ul>"
    )
    headlines = [
        f"Minister says talks on budget round {i} will go on into next week" for i in range(20)
    ]
    teasers = [
        {
            "title": h,
            "url": f"/story/{i}",
            "kicker": "Politics",
            "image": "x.jpg",
            "byline": "Staff",
            "section": "news",
            "date": "2026-01-29",
            "id": i,
            "premium": False,
        }
        for i, h in enumerate(headlines)
    ]
    data = {
        "nav": menu,
        "menuHtml": nav_html,
        "related": teasers,
        "script": "function f(a){if(a.b){return a.c;}var d={e:1};return d.e.f(g);} " * 20,
    }
    scripts = f'<script type="application/json">{json.dumps(data)}</script>'
    assert item_body(page(scripts)) is None
    assert script_text(page(scripts), TITLE) is None
    # With an article among them, the article alone is taken.
    data["article"] = {"title": TITLE, "body": article_html()}
    scripts = f'<script type="application/json">{json.dumps(data)}</script>'
    assert item_body(page(scripts)) == "\n\n".join(PARAGRAPHS)


def test_summary_and_consent_text_are_not_a_body() -> None:
    """Beside the title a record holds its one-paragraph summary; away from it, long prose
    is a consent notice or a newsletter's pitch.  Neither is taken for the article."""
    consent = " ".join(
        f"We and our {n} partners store and access data such as IP addresses and browsing "
        "data to show personalised advertising and to measure its audience."
        for n in range(12)
    )
    data = {
        "story": {"title": TITLE, "summary": PARAGRAPHS[0] + " " + PARAGRAPHS[1]},
        "consent": {"text": consent + "\n" + consent.upper()},
    }
    scripts = f'<script type="application/json">{json.dumps(data)}</script>'
    assert item_body(page(scripts)) is None
    data["story"]["body"] = article_html()
    scripts = f'<script type="application/json">{json.dumps(data)}</script>'
    assert item_body(page(scripts)) == "\n\n".join(PARAGRAPHS)


def test_hostile_script_data_is_bounded() -> None:
    data = json.dumps({"title": TITLE, "body": article_html()})
    article = f"<script>window.__DATA__ = {data};</script>"
    hostile = [
        '<script type="application/json">' + "[" * 200_000 + "</script>",  # nesting
        "<script>var a = " + '{"a":' * 100_000 + "1" + "}" * 100_000 + ";</script>",
        '<script type="application/json">' + json.dumps(list(range(300_000))) + "</script>",
        "<script>x = " + json.dumps(["word " * 50] * 5_000) + ";</script>",  # many strings
        '<script>window.s = {"body": "never closed ' + "x" * 500_000 + "</script>",
        "<script>" + "f({" * 50_000 + "</script>",  # a literal start at every step
        '<script>n = {"n": ' + "9" * 10_000 + "};</script>",  # past int()'s digit limit
        "<script>" + 'JSON.parse("[\\"' * 20_000 + "</script>",
    ]
    html = page(article + "".join(hostile) + "<script>unclosed = {")
    start = time.perf_counter()
    body = item_body(html)
    elapsed = time.perf_counter() - start
    assert body == "\n\n".join(PARAGRAPHS)
    assert elapsed < 2.0, elapsed
    start = time.perf_counter()
    assert script_text("".join(hostile) * 3, TITLE) is None
    assert time.perf_counter() - start < 2.0


def test_hankookilbo_real_page() -> None:
    """Its article is a string property of the React-Query state a script pushes (and, cut
    in pieces, of the server-component stream); the served HTML has no text."""
    directory = FIXTURES / "hankookilbo"
    meta = json.loads((directory / "meta.json").read_text("utf-8"))
    html = decode_html(gzip.decompress((directory / "page.html.gz").read_bytes()))
    item = GenericArticlePage(meta["url"], html).to_item()
    assert item is not None
    (truth,) = meta["ground_truth"].values()
    paragraphs = [clean_text(p) for s in truth["body"]["sections"] for p in s["paragraphs"]]
    assert item.body.startswith(paragraphs[0])
    got = item.body.split("\n\n")
    assert sum(p in got for p in paragraphs) == len(paragraphs)
    assert item.title == clean_text(truth["title"])
