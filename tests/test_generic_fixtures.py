"""The generic page object on saved real pages, field by field (web-poet style): each
failure names the case and the field.

Each ``tests/fixtures/generic/fundus/<case>/meta.json`` holds the page's URL, fundus's ground
truth for it (MIT, see the LICENSE beside them) and ``expect``: sentences of the article that
must be in the body (``present``), chrome of the page that must not (``absent``), the
language, and the ground-truth fields this extractor is known not to match (``skip``, with
the reason in this file).
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from scraper.sites.article import ArticleData
from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import clean_text, decode_html

FIXTURES = Path(__file__).parent / "fixtures" / "generic" / "fundus"
# Cases chosen for their variety: scripts (Japanese, Korean, Cyrillic, Czech, Turkish), a
# site-name affix on the title, a kicker before the <h1>, "Von"/place bylines, an organisation
# as the only author, a URL-slug twin of the author, a meta "articleauthor", a headline shown
# in an <hgroup>'s <h2> while the one <h1> is the breadcrumb's (waz), an unclosed <div> in a
# sidebar that makes libxml2 nest the whole article inside the <aside> (washingtontimes), a
# client-rendered page whose text is only in a script's dehydrated query state (hankookilbo),
# a page whose og:title and JSON-LD headline disagree and show neither: the <h1> is the
# headline (mdr).
CASES = [
    "mainichi",
    "mbn",
    "pravda",
    "seznamzpravy",
    "ntvtr",
    "spiegel",
    "ntv",
    "mirror",
    "hessenschau",
    "waz",
    "washingtontimes",
    "hankookilbo",
    "mdr",
]
# Known gaps, by case: ntv states its time without an offset (none to borrow on the page);
# mainichi's ground truth names a rendition of its picture the page does not show; ntvtr's
# and waz's second pictures are a gallery's; hankookilbo's are in its script data only;
# mbn's captions end in a full stop its ground truth drops; spiegel's and waz's captions
# are cut differently from the page's (a quote / the gallery's title), and waz's gallery
# picture states no credit where we look;
# hankookilbo's time is in its script data only (htmldate finds the day, not the minute);
# mdr's ground truth names the broadcaster beside its reporter as an author, and its pictures
# are the lazy loader's placeholder.
FIELDS = [
    "title",
    "authors",
    "published_day",
    "published_minute",
    "language",
    "body_present",
    "body_absent",
    "title_clean",
    "images",
    "image_captions",
    "image_credits",
]

_items: dict[str, tuple[ArticleData | None, dict]] = {}


def extract(case: str) -> tuple[ArticleData | None, dict]:
    if case not in _items:
        directory = FIXTURES / case
        meta = json.loads((directory / "meta.json").read_text("utf-8"))
        html = decode_html(gzip.decompress((directory / "page.html.gz").read_bytes()))
        _items[case] = (GenericArticlePage(meta["url"], html).to_item(), meta)
    return _items[case]


def truth_of(meta: dict) -> dict:
    (version,) = meta["ground_truth"].values()
    return version  # type: ignore[no-any-return]


def _names(names: list[str]) -> set[str]:
    return {clean_text(n).casefold() for n in names}


@pytest.mark.parametrize(("case", "field"), [(c, f) for c in CASES for f in FIELDS])
def test_field(case: str, field: str) -> None:
    item, meta = extract(case)
    assert item is not None, f"{case}: no article extracted"
    expect, truth = meta["expect"], truth_of(meta)
    if field in expect.get("skip", []):
        pytest.skip(f"{case}: {field} is a known gap")
    message = f"{case}: {field}"
    published = datetime.fromisoformat(truth["publishing_date"])
    if field == "title":
        assert item.title == clean_text(truth["title"]), message
    elif field == "title_clean":
        title = item.title or ""
        assert unicodedata.is_normalized("NFC", title), message
        assert not any(unicodedata.category(c) in ("Cf", "Cc") for c in title), message
        assert title == " ".join(title.split()), message
    elif field == "authors":
        assert _names(item.authors) == _names(truth["authors"]), message
    elif field == "published_day":
        assert item.published is not None, message
        got = datetime.fromisoformat(item.published)
        if got.tzinfo is not None and published.tzinfo is not None:
            got = got.astimezone(published.tzinfo)
        assert got.date() == published.date(), message
    elif field == "published_minute":
        if published.tzinfo is None:
            pytest.skip(f"{case}: the ground truth has no offset")
        assert item.published is not None, message
        got = datetime.fromisoformat(item.published)
        assert got.tzinfo is not None, f"{message} (no offset)"
        assert abs((got - published).total_seconds()) < 60, message
    elif field.startswith("image"):
        _check_images(field, item, truth, message)
    elif field == "language":
        assert item.language == expect["language"], message
    elif field == "body_present":
        assert expect["present"], f"{case}: no sentences to look for"
        for sentence in expect["present"]:
            assert sentence in item.body, f"{message}: {sentence[:60]!r}"
        assert unicodedata.is_normalized("NFC", item.body), message
    elif field == "body_absent":
        for chrome in expect["absent"]:
            assert chrome not in item.body, f"{message}: {chrome[:60]!r}"


def _image_key(url: str) -> str:
    # scheme, query and fragment name no other picture: http/https, resize parameters
    parts = urlsplit(url.strip())
    return parts.netloc.lower() + unquote(parts.path)


def _check_images(field: str, item: ArticleData, truth: dict, message: str) -> None:
    expected = truth.get("images") or []
    if not expected:
        pytest.skip(f"{message}: the ground truth lists no picture")
    ours = {_image_key(image.url): image for image in item.images}
    matched = [
        (picture, next((ours[k] for k in keys if k in ours), None))
        for picture in expected
        for keys in [{_image_key(v["url"]) for v in picture.get("versions") or []}]
    ]
    if field == "images":
        missed = [p["versions"][0]["url"] for p, ours_ in matched if ours_ is None]
        assert not missed, f"{message}: missed {missed}"
    elif field == "image_captions":
        pairs = [
            (p["caption"], o.caption) for p, o in matched if o is not None and p.get("caption")
        ]
        if not pairs:
            pytest.skip(f"{message}: no matched picture with a caption in the ground truth")
        for caption, got in pairs:
            assert clean_text(got or "") == clean_text(caption), message
    else:
        pairs = [(p["authors"], o.credit) for p, o in matched if o is not None and p.get("authors")]
        if not pairs:
            pytest.skip(f"{message}: no matched picture with a credit in the ground truth")
        for credits, got in pairs:
            assert _credit_names([got]) == _credit_names(credits), f"{message}: {got!r}"


def _credit_names(credits: list[str | None]) -> set[str]:
    # "Andrew Harnik / AP" is ["Andrew Harnik", "AP"] in other ground truths
    return {
        clean_text(name).casefold()
        for credit in credits
        if credit
        for name in re.split(r"\s*[/,;|]\s*", credit)
        if name.strip()
    }
