"""The article's own pictures, with their captions and credits.

A page shows many images that are not the article's: logos, avatars, tracking pixels, the
pictures of teasers for other stories, ads.  What counts is a <figure> holding an image, or
an image outside figures with a caption or credit beside it (templates build figures from
<div>s) or showing the cover the structured data names; never inside the page's chrome (nav,
aside, footer, a header that is not the article's), inside a link to another page, or in a
block named for related stories, recommendations, promotions or ads (or a teaser block that
links elsewhere).  The caption is the <figcaption> (or an element named for it); the credit
an element named or labelled for it ("© …", "Foto: …", <footer>, <cite>, microdata), a
trailing credit of the caption ("(Foto: dpa)", "… Andrew Harnik / AP"), which then leaves
the caption, or the ImageObject a template puts beside the picture.  ``merge_images`` joins
these with the cover, one entry per picture.

Pages are hostile: every walk here is iterative and bounded, and ancestor states are
memoised, so 100,000 levels of nesting cost one pass.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from scraper.sites.article import Image
from scraper.sites.html import BLOCK_TAGS, SKIP_TAGS, clean_text
from scraper.sites.image_credits import (
    ld_image_credit,
    split_credit,
    starts_with_credit_label,
    strip_credit_label,
)
from scraper.sites.listing import absolute_url

# Pages with more figures (images) than this are galleries or hostile; the article's are
# among the first.
_MAX_FIGURES = 200
_MAX_LOOSE = 300
# How far up from an image outside a figure its caption may be, and how big that block may be.
_BESIDE_LEVELS = 4
_BESIDE_TAGS = 120
_MAX_CAPTION = 2000
_MAX_UNNAMED_CAPTION = 400

# --------------------------------------------------------------------------- exclusion

# Containers of everything around an article (a <header> only outside the article).
_CHROME_TAGS = frozenset({"nav", "aside", "footer"})
_ARTICLE_TAGS = frozenset({"article", "main"})
# class/id of blocks that hold other stories or ads.
_FOREIGN_HINT = re.compile(
    r"related|recommend|promo|sponsor|outbrain|taboola|newsletter|(?:^|[-_\s])"
    r"(?:ads?|advert\w*|advertisement|adslot|ad-?(?:slot|unit|container|wrapper))(?:$|[-_\s\d])",
    re.I,
)
_TEASER_HINT = re.compile(r"teaser", re.I)
_TEASER_TAGS = 300
# class/id/alt/src of pictures that are not content.
_NOT_CONTENT = re.compile(r"logo|icon|avatar|emoji|sprite|spinner|badge|gravatar|pixel|tracking",
                          re.I)
# width/height at most this: icons, avatars, tracking pixels.
_TINY = 60
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|heic|tiff?)(?:$|[?#])", re.I)


class _State:
    """Where an element sits: in foreign territory, inside an article/main, inside a figure."""

    __slots__ = ("foreign", "in_article", "in_figure")

    def __init__(self, foreign: bool, in_article: bool, in_figure: bool) -> None:
        self.foreign = foreign
        self.in_article = in_article
        self.in_figure = in_figure


_ROOT_STATE = _State(False, False, False)


class _Context:
    """Each element's ``_State``, computed once per element: an ancestor walk stops at the
    first ancestor already known, so all walks together visit each element once."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url.split("#")[0]
        self._states: dict[int, _State] = {}

    def state(self, tag: Tag) -> _State:
        path: list[Tag] = []
        node: Tag | None = tag
        state = _ROOT_STATE
        while node is not None:
            known = self._states.get(id(node))
            if known is not None:
                state = known
                break
            path.append(node)
            node = node.parent
        for element in reversed(path):
            state = self._step(element, state)
            self._states[id(element)] = state
        return state

    def _step(self, tag: Tag, state: _State) -> _State:
        if state.foreign:
            return state
        name = tag.name
        foreign = (
            name in _CHROME_TAGS
            or (name == "header" and not state.in_article)
            or (name == "a" and self._leaves_page(tag))
            # <html>/<body> classes name the page's type ("pagesubtype-newsletter")
            or (name != "html" and name != "body" and _hinted(tag, _FOREIGN_HINT))
            # A "teaser" is a card for another story, but some templates name the
            # article's own lead so: a teaser block counts when it links elsewhere.
            or (_hinted(tag, _TEASER_HINT) and self._links_away(tag))
        )
        in_article = state.in_article or name in _ARTICLE_TAGS
        in_figure = state.in_figure or name == "figure"
        if foreign == state.foreign and in_article == state.in_article and in_figure == state.in_figure:
            return state  # shared: most elements change nothing
        return _State(foreign, in_article, in_figure)

    def _links_away(self, block: Tag) -> bool:
        """Whether ``block`` holds a link to another page (a big block is taken to)."""
        stack = [c for c in block.contents if type(c) is Tag]
        seen = 0
        while stack:
            tag = stack.pop()
            seen += 1
            if seen > _TEASER_TAGS:
                return True
            if tag.name == "a" and self._leaves_page(tag):
                return True
            stack.extend(c for c in tag.contents if type(c) is Tag)
        return False

    def _leaves_page(self, link: Tag) -> bool:
        """A link to another page (a teaser card), not to the picture itself or an anchor."""
        href = link.get("href")
        if not isinstance(href, str) or not href.strip() or href.strip().startswith(("#", "javascript:")):
            return False
        if _IMAGE_FILE.search(href):
            return False  # a link to the full-size picture
        target = absolute_url(href.strip(), self.page_url)
        return bool(target) and target.split("#")[0] != self.page_url


def _hinted(tag: Tag, pattern: re.Pattern[str]) -> bool:
    """Whether the element's class or id matches ``pattern``."""
    attrs = tag.attrs
    if not attrs:
        return False
    for key in ("class", "id"):
        value = attrs.get(key)
        if not value:
            continue
        text = " ".join(value) if isinstance(value, list) else str(value)
        # Templates repeat a handful of class names hundreds of times.
        cache = _HINTS.get(pattern)
        if cache is None:
            cache = _HINTS[pattern] = {}
        hit = cache.get(text)
        if hit is None:
            if len(cache) > 20_000:
                cache.clear()
            hit = cache[text] = bool(pattern.search(text))
        if hit:
            return True
    return False


_HINTS: dict[re.Pattern[str], dict[str, bool]] = {}


# --------------------------------------------------------------------------- image URLs

# AMP pages (and the AMP-built templates of many news sites) show pictures as <amp-img>.
_IMAGE_TAGS = frozenset({"img", "amp-img"})

# Attributes lazy loaders keep the real address in, before ``src`` (then often a placeholder).
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src",
             "data-full-src")
_SRCSETS = ("data-srcset", "data-lazy-srcset", "srcset")
_PLACEHOLDER = re.compile(
    r"^data:|^about:|(?:^|[/_.-])(?:blank|spacer|placeholder|transparent|pixel|lazy|loading|loader|"
    r"empty|grey|gray|1x1|dummy)[\w-]*\.(?:gif|png|svg|jpe?g|webp)(?:$|\?)",
    re.I,
)


def _real(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith(("data:", "{", "about:")):
        return None
    # Only the file name tells a placeholder ("/img/blank.gif"); a long URL's rest need not
    # be searched.
    if _PLACEHOLDER.search(value[value.rfind("/", 0, len(value) - 1) :]):
        return None
    return value


def _srcset(srcset: Any) -> list[tuple[str, float]]:
    """A srcset's candidates as (URL, width or density; 0 when not stated), parsed as HTML
    does: a URL runs to the next whitespace (it may hold commas: "w_1240,q_52"), a comma
    ends a candidate's descriptors."""
    if not isinstance(srcset, str):
        return []
    candidates: list[tuple[str, float]] = []
    url: str | None = None  # a URL whose descriptors are being read
    for token in srcset.split()[:200]:
        if url is None:
            token = token.lstrip(",")
            if not token:
                continue
            if token.endswith(","):  # a URL without descriptors
                candidates.append((token.rstrip(","), 0.0))
            else:
                url, size = token, 0.0
            continue
        descriptor, comma, rest = token.partition(",")
        number = descriptor[:-1]
        if descriptor[-1:] in ("w", "x") and number.replace(".", "", 1).isdigit() and not size:
            size = float(number)
        if comma:
            candidates.append((url, size))
            url = None
            if rest:  # "800w,next.jpg": the next URL already
                if rest.endswith(","):
                    candidates.append((rest.rstrip(","), 0.0))
                else:
                    url, size = rest, 0.0
    if url is not None:
        candidates.append((url, size))
    return candidates


def _largest(srcset: Any) -> str | None:
    """The widest real candidate of a srcset; the last when none states a width."""
    best: tuple[float, str] | None = None
    for url, size in _srcset(srcset):
        real = _real(url)
        if real and (best is None or size >= best[0]):
            best = (size, real)
    return best[1] if best else None


def _image_url(img: Tag) -> str | None:
    """The address of the best rendition ``img`` offers: the widest of its srcset (a lazy
    loader's data-srcset first), else the lazy loader's data-src, else src; never a
    placeholder."""
    attrs = img.attrs
    for key in _SRCSETS:
        url = _largest(attrs.get(key))
        if url:
            return url
    for key in _LAZY_SRC:
        url = _real(attrs.get(key))
        if url:
            return url
    return _real(attrs.get("src"))


def _is_tiny(img: Tag) -> bool:
    for key in ("width", "height"):
        value = img.attrs.get(key)
        if isinstance(value, str):
            digits = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value)
            if digits and int(digits[1]) <= _TINY:
                return True
    return False


def _not_content(img: Tag, url: str) -> bool:
    if _is_tiny(img):
        return True
    if _hinted(img, _NOT_CONTENT):
        return True
    parent = img.parent
    for _ in range(2):  # <div class="author-image"><picture><img>
        if parent is None:
            break
        if _hinted(parent, _PERSON_HINT):
            return True
        parent = parent.parent
    path = unquote(urlsplit(url).path + "?" + urlsplit(url).query)
    if _PORTRAIT_DIRECTORY.search(path):
        return True
    name = path.split("?")[0].rsplit("/", 1)[-1]
    return bool(_NOT_CONTENT.search(name)) or name.lower().endswith(".svg")


# Pictures of the page's writers: in an author box, or kept in a folder of portraits.
_PERSON_HINT = re.compile(r"author|byline|avatar|profile|autor", re.I)
_PORTRAIT_DIRECTORY = re.compile(r"/(?:[\w-]*-)?(?:authors?|autoren|avatars?|profiles?|logos?|icons?)/",
                                 re.I)


# --------------------------------------------------------------------------- figures

_CREDIT_HINT = re.compile(
    r"credit|copyright|photographer|fotograf|attribution|courtesy|source|quelle|byline|author|"
    r"urheber|rights|autor",
    re.I,
)
_CREDIT_ITEMPROPS = frozenset({"copyrightholder", "author", "creator", "credittext",
                               "copyrightnotice"})
_CAPTION_HINT = re.compile(
    r"caption|legend|subtitle|info-?text|info__text|description|beschreibung|bildunterschrift",
    re.I,
)
_CAPTION_ITEMPROPS = frozenset({"caption", "description"})
_NO_PROPS: frozenset[str] = frozenset()


def _itemprops(tag: Tag) -> frozenset[str]:
    value = tag.attrs.get("itemprop")
    if value is None:
        return _NO_PROPS
    if isinstance(value, list):
        value = " ".join(value)
    return frozenset(value.lower().split()) if isinstance(value, str) else _NO_PROPS


class _FigureParts:
    """The images, caption elements and credit elements of one figure (or of a block around
    an image), nested figures excluded, in one walk; ``widen`` adds the rest of an enclosing
    block without walking the first again."""

    def __init__(self, figure: Tag, limit: int | None = None) -> None:
        self.images: list[Tag] = []  # <img>, and <source> of <picture>s
        self.figcaption: Tag | None = None
        self.captions: list[Tag] = []
        self.credits: list[Tag] = []
        self.scripts: list[Tag] = []  # JSON-LD, where a template describes the picture
        self.root = figure
        self.truncated = False  # more than ``limit`` elements: not one picture's block
        self._limit = limit
        self._seen = 0
        self._walk(figure, None)

    def widen(self, block: Tag) -> None:
        """Take in ``block``, the parent of the current root."""
        previous, self.root = self.root, block
        self._walk(block, previous)

    def _walk(self, root: Tag, skip: Tag | None) -> None:
        stack: list[Tag] = [c for c in reversed(root.contents) if type(c) is Tag and c is not skip]
        while stack:
            tag = stack.pop()
            self._seen += 1
            if self._limit is not None and self._seen > self._limit:
                self.truncated = True
                break
            name = tag.name
            if name == "figure":
                continue  # its own figure
            if name in _IMAGE_TAGS or name == "source":
                self.images.append(tag)
                continue
            if name == "script":
                kind = tag.attrs.get("type")
                if isinstance(kind, str) and "ld+json" in kind.lower():
                    self.scripts.append(tag)
                continue
            if name == "figcaption" and self.figcaption is None:
                self.figcaption = tag
            contents = tag.contents
            # HTML's own places for a credit: a figure's <footer>, a <cite>; or an element
            # that only says "© Jane Doe", "Foto: dpa".
            if name == "footer" or name == "cite" or (len(contents) == 1 and _says_credit(tag)):
                self.credits.append(tag)
            elif tag.attrs:
                props = _itemprops(tag)
                if props & _CREDIT_ITEMPROPS or (name != "picture" and _hinted(tag, _CREDIT_HINT)):
                    self.credits.append(tag)
                elif props & _CAPTION_ITEMPROPS or _hinted(tag, _CAPTION_HINT):
                    self.captions.append(tag)
            if contents:
                stack.extend(c for c in reversed(contents) if type(c) is Tag)

    def credit_elements(self) -> list[Tag]:
        """The credit elements that are credits: not a wrapper of the picture ("image-source"),
        and the outermost of nested ones ("<div class=credit>Foto: <span class=author>…")."""
        root = self.root
        # Bounded: a hostile figure may hold thousands of them, each deep down.
        credits = self.credits[:_MAX_PARTS]
        if credits and self.images:
            wrapping = {id(a) for img in self.images[:_MAX_PARTS] for a in _ancestors_below(img, root)}
            credits = [c for c in credits if id(c) not in wrapping]
        if len(credits) > 1:
            ids = {id(c) for c in credits}
            credits = [c for c in credits if not any(id(a) in ids for a in _ancestors_below(c, root))]
        return credits


_MAX_PARTS = 20


def _says_credit(tag: Tag) -> bool:
    contents = tag.contents
    if len(contents) != 1 or type(contents[0]) is not NavigableString:
        return False
    text = str(contents[0])
    return len(text) <= 200 and starts_with_credit_label(text)


def _ancestors_below(tag: Tag, root: Tag) -> Iterable[Tag]:
    parent = tag.parent
    while parent is not None and parent is not root:
        yield parent
        parent = parent.parent


def _text(root: Tag, skip: Iterable[Tag] = ()) -> str:
    """The visible text of ``root`` without the subtrees in ``skip``; blocks and <br> part
    words that inline markup would run together.  A <meta>'s text is its content."""
    if root.name == "meta":  # microdata that states a value in an attribute, not as text
        content = root.attrs.get("content")
        return clean_text(content) if isinstance(content, str) else ""
    skipped = {id(tag) for tag in skip}
    parts: list[str] = []
    length = 0
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if id(node) in skipped or node.name in SKIP_TAGS:
                continue
            if node.name == "br" or node.name in BLOCK_TAGS:
                parts.append(" ")
                stack.append(" ")  # after its content too
            stack.extend(reversed(node.contents))
        elif isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a comment, CDATA, doctype…
                parts.append(str(node))
                length += len(node)
                if length > 20 * _MAX_CAPTION:
                    break
        else:
            parts.append(node)  # the space after a block
    return clean_text("".join(parts))


def _figure_image(parts: _FigureParts, base: str) -> str | None:
    # The <img> first: a <picture>'s <source>s come before it but are often other crops
    # (for phones) or formats; they stand in when the <img> offers only a placeholder.
    for tag in sorted(parts.images, key=lambda t: t.name not in _IMAGE_TAGS):
        is_img = tag.name in _IMAGE_TAGS
        url = _image_url(tag) if is_img else _largest(tag.get("data-srcset") or tag.get("srcset"))
        if not url:
            continue
        absolute = absolute_url(url, base)
        if absolute and absolute.startswith(("http://", "https://")):
            if is_img and _not_content(tag, absolute):
                return None
            return absolute
    return None


def _caption_and_credit(parts: _FigureParts) -> tuple[str | None, str | None]:
    credits = parts.credit_elements()
    texts: list[str] = []
    for text in (strip_credit_label(_text(t)) for t in credits):
        # templates repeat it (a visible credit and a screen-reader one)
        if text and not any(text.casefold() in seen.casefold() for seen in texts):
            texts = [seen for seen in texts if seen.casefold() not in text.casefold()] + [text]
    credit = " / ".join(texts) or None
    holder = parts.figcaption or (parts.captions[0] if parts.captions else None)
    if holder is not None:
        caption = _text(holder, credits)[:_MAX_CAPTION]
    else:
        # No element is named for it: what the block says besides its credit, when short.
        caption = _text(parts.root, credits)
        caption = caption if len(caption) <= _MAX_UNNAMED_CAPTION else ""
    if credit is None:
        caption, credit = split_credit(caption)
    if credit is None and holder is not None:
        caption, credit = _trailing_element(holder, caption)
    elif credit is not None:
        # the credit element's text may sit in the caption as well: a trailing label then
        rest, trailing = split_credit(caption)
        if trailing and trailing.casefold() == credit.casefold():
            caption = rest or ""
    if (not caption or not credit) and parts.scripts:
        described = _described(parts.scripts)
        caption = caption or described[0] or ""
        credit = credit or described[1]
    return caption or None, credit


_MAX_SCRIPT = 20_000
_MAX_UNMARKED_CREDIT = 80


def _trailing_element(holder: Tag, caption: str) -> tuple[str, str | None]:
    """A caption's sentences, then a short element of its own that is no sentence:
    "<span>Rescue workers at the site.</span><span>Jane Doe (Reuters)</span>" ends in
    its credit, which no class or label marks."""
    last = next((c for c in reversed(holder.contents)
                 if type(c) is Tag or (type(c) is NavigableString and c.strip())), None)
    if type(last) is not Tag or last.name in ("br", "a"):
        return caption, None
    tail = _text(last)
    if not tail or len(tail) > _MAX_UNMARKED_CREDIT or tail.endswith((".", "!", "?", ":")):
        return caption, None
    if not caption.endswith(tail):
        return caption, None
    rest = caption[: len(caption) - len(tail)].rstrip()
    if not rest.endswith((".", "!", "?", "»", "«", "“", "”", '"', ")")):
        return caption, None
    return rest, strip_credit_label(tail)


def _described(scripts: list[Tag]) -> tuple[str | None, str | None]:
    """Caption and credit from a JSON-LD ImageObject that a template puts beside its picture."""
    for script in scripts[:3]:
        text = script.get_text()
        if len(text) > _MAX_SCRIPT:
            continue
        try:
            node = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        if not isinstance(node, dict) or "ImageObject" not in str(node.get("@type")):
            continue
        caption = node.get("caption") or node.get("description")
        caption = clean_text(caption) if isinstance(caption, str) else None
        return caption or None, ld_image_credit(node)
    return None, None


def article_figures(soup: BeautifulSoup, base: str, covers: Iterable[Image] = ()) -> list[Image]:
    """The article's pictures in page order, each with its caption and credit: its figures,
    and the images outside figures that show a cover picture or have a caption beside them
    (templates that build a figure from <div>s)."""
    figures: list[tuple[int, Tag]] = []
    loose: list[tuple[int, Tag]] = []
    # The next_element chain is document order, and following it is several times cheaper
    # than ``descendants``: this walk is over every node of the page.  (It ends at the end of
    # the document, hence a whole BeautifulSoup, never a subtree.)
    node: Any = soup.contents[0] if soup.contents else None
    position = 0
    while node is not None:
        if type(node) is Tag:
            name = node.name
            if name == "figure":
                figures.append((position, node))
            elif name in _IMAGE_TAGS:
                loose.append((position, node))
        position += 1
        node = node.next_element
    context = _Context(base)
    cover_keys = {k for k in (picture_key(c.url) for c in covers) if k}
    found: list[tuple[int, Image]] = []  # (position of its element, image)
    for position, figure in figures[:_MAX_FIGURES]:
        if context.state(figure).foreign:
            continue
        parts = _FigureParts(figure)
        if any(context.state(tag).foreign for tag in parts.images[:1]):
            continue  # the picture links to another story: a teaser
        url = _figure_image(parts, base)
        if url is None:
            continue
        caption, credit = _caption_and_credit(parts)
        found.append((position, Image(url, caption, credit)))
    for position, img in loose[:_MAX_LOOSE]:
        state = context.state(img)
        if state.foreign or state.in_figure:
            continue
        url = _image_url(img)
        if url is None:
            continue
        image = _loose_image(img, url, base, cover_keys)
        if image is not None:
            found.append((position, image))
    found.sort(key=lambda pair: pair[0])
    return [image for _, image in found]


def _loose_image(img: Tag, url: str, base: str, cover_keys: set[str]) -> Image | None:
    absolute = absolute_url(url, base)
    if not absolute or not absolute.startswith(("http://", "https://")):
        return None
    if _not_content(img, absolute):
        return None
    caption, credit = _beside(img, base)
    if caption is None and credit is None and not _shows(img, absolute, base, cover_keys):
        return None
    return Image(absolute, caption, credit)


def _shows(img: Tag, url: str, base: str, cover_keys: set[str]) -> bool:
    """Whether ``img`` shows one of the cover pictures, in any rendition it offers."""
    if not cover_keys:
        return False
    if picture_key(url) in cover_keys:
        return True
    return any(picture_key(absolute_url(c, base) or c) in cover_keys for c in _all_urls(img))


def _all_urls(img: Tag) -> list[str]:
    """Every address ``img`` (and its <picture>'s sources) offers, placeholders aside."""
    urls: list[str] = []
    holders = [img]
    if img.parent is not None and img.parent.name == "picture":
        holders += [s for s in img.parent.contents if isinstance(s, Tag) and s.name == "source"]
    for holder in holders:
        for key, value in holder.attrs.items():
            if not isinstance(value, str):
                continue
            if key in _SRCSETS:
                urls += [url for url, _ in _srcset(value)]
            elif key == "src" or key in _LAZY_SRC:
                urls.append(value)
    return [u for u in (_real(u) for u in urls) if u]


def _beside(img: Tag, base: str) -> tuple[str | None, str | None]:
    """The caption and credit of the smallest block around ``img`` that holds a caption or
    credit and no other picture."""
    block = img.parent
    parts: _FigureParts | None = None
    seen: list[str] = []
    for _ in range(_BESIDE_LEVELS):
        if block is None or block.name in ("body", "html", "article", "main", "[document]"):
            break
        if parts is None:
            parts = _FigureParts(block, limit=_BESIDE_TAGS)
        else:
            parts.widen(block)
        if parts.truncated or _several_pictures(parts, base, seen):
            break
        if parts.figcaption is not None or parts.captions or parts.credit_elements():
            return _caption_and_credit(parts)
        block = block.parent
    return None, None


def _several_pictures(parts: _FigureParts, base: str, seen: list[str]) -> bool:
    """Whether the block shows more than one picture (renditions of one count once);
    ``seen`` holds the keys found so far (a widened block's first images were looked at)."""
    for tag in parts.images[len(seen):]:
        url = (_image_url(tag) if tag.name in _IMAGE_TAGS
               else _largest(tag.get("srcset") or tag.get("data-srcset")))
        absolute = absolute_url(url, base) if url else None
        key = (picture_key(absolute) or absolute) if absolute else ""
        seen.append(key)
        if key and any(other and other != key for other in seen):
            return True
    return False


# --------------------------------------------------------------------------- same picture

# Path tokens that name a rendition, not a picture: sizes, crops, formats, variants.
_RENDITION = re.compile(
    r"^(?:\d+x\d*|\d*x\d+|(?:[a-z]{1,3}_?\d{1,5}(?:\.\d+)?)+|\d+w|"
    r"scaled|thumb(?:nail)?s?|small|medium|large|x*l|xlarge|original|orig|full|retina|default|"
    r"standard|normal|hero|preview|zoom|detail|quality|auto|format|"
    r"desktop|mobile|tablet|wide|square|landscape|portrait|crop(?:ped|s)?|resized?|fill|fit|"
    r"plain|webp|jpe?g|png|gif|avif|master|std|hd|sd|big|mini|[a-z])$",
    re.I,
)
# Folders of every picture: a segment of only these names none ("/public/incoming/").
_FOLDER = re.compile(r"^(?:images?|img|photos?|pictures?|media|public|incoming|uploads?|content|"
                     r"assets?|static|fs|cms|alternates|resizer|v\d)$", re.I)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_EMBEDDED = re.compile(r"https?(?::|%3A)(?://|%2F%2F)", re.I)


def picture_key(url: str) -> str | None:
    """What stays the same across renditions of one picture: the distinctive tokens of the
    last path segment that has any (a size, crop or format token is not distinctive), so
    "…/1080x608_cmsv2_ab12.jpg" and "…/1440x810_cmsv2_ab12.jpg" are one picture.  None when
    no segment is distinctive enough to tell pictures apart."""
    embedded = _EMBEDDED.search(url, 8)
    if embedded:  # an image proxy's address of the original: "…/500x0/https://cdn/x.jpg"
        url = unquote(url[embedded.start():])
        if _EMBEDDED.search(url, 8):
            return None
    path = unquote(urlsplit(url).path)
    for segment in reversed([s for s in path.split("/") if s]):
        stem = re.sub(r"(?:\.(?:jpe?g|png|gif|webp|avif|heic|tiff?|image))+$", "", segment, flags=re.I)
        tokens = [t.lower() for t in _TOKEN.findall(stem) if not _RENDITION.match(t)]
        if all(_FOLDER.match(t) for t in tokens):
            continue  # a rendition's name ("wide__1280x720"): the picture is named further up
        key = "-".join(tokens)
        # Distinctive: long enough, and not a bare small number.  A weak name ("01.jpg")
        # tells nothing, and looking further up would find the gallery's, shared by all.
        if len(key.replace("-", "")) >= 6 and not (key.isdigit() and len(key) < 6):
            return key
        return None
    return None


def merge_images(covers: Iterable[Image], figures: Iterable[Image]) -> list[Image]:
    """The cover images (JSON-LD, OpenGraph), then the article's figures, each picture once.

    A figure showing a cover picture takes the cover's place with its own address (the
    rendition the article shows, where a cover is often a social-media crop) and its own
    caption and credit, the cover's filling in what it lacks; a picture repeated among the
    figures keeps its first place, later copies only filling in."""
    merged: list[Image] = []
    by_url: dict[str, int] = {}
    by_picture: dict[str, int] = {}
    from_cover: set[int] = set()  # entries still holding a cover's address
    cover_list = list(covers)
    for number, image in enumerate([*cover_list, *figures]):
        is_figure = number >= len(cover_list)
        key = picture_key(image.url)
        index = by_url.get(image.url)
        if index is None and key is not None:
            index = by_picture.get(key)
        if index is None and not is_figure:
            # The structured data's crops of one picture (Google asks for 1:1, 4:3, 16:9)
            index = next((by_url[c.url] for c in cover_list[:number]
                          if c.url in by_url and _crops_of_one(c.url, image.url)), None)
        if index is None:
            index = len(merged)
            merged.append(Image(image.url, image.caption, image.credit))
            if not is_figure:
                from_cover.add(index)
        elif is_figure and index in from_cover:
            from_cover.discard(index)
            cover = merged[index]
            merged[index] = Image(image.url, image.caption or cover.caption,
                                  image.credit or cover.credit)
        else:
            kept = merged[index]
            kept.caption = kept.caption or image.caption
            kept.credit = kept.credit or image.credit
        by_url.setdefault(image.url, index)
        if key is not None:
            by_picture.setdefault(key, index)
    return merged


def _crops_of_one(first: str, second: str) -> bool:
    """Two addresses in one folder whose file names differ only in a size or aspect ratio
    after a long common start: crops of one picture ("4711_v4_3_800.jpeg",
    "4711_v1_1_400.jpeg"), where "4711_20.jpg" and "4711_14.jpg" are two pictures."""
    parts_a, parts_b = urlsplit(first), urlsplit(second)
    head_a, _, name_a = parts_a.path.rpartition("/")
    head_b, _, name_b = parts_b.path.rpartition("/")
    if head_a != head_b or parts_a.netloc != parts_b.netloc:
        return False
    common = len(os.path.commonprefix([name_a, name_b]))
    if common < 10:
        return False
    rests = [_EXTENSION.sub("", name[common:]) for name in (name_a, name_b)]
    return all(_SIZE_ONLY.fullmatch(rest) for rest in rests) and any(
        _SIZE_MARK.search(rest) for rest in rests)


_EXTENSION = re.compile(r"(?:\.(?:jpe?g|png|gif|webp|avif))+$", re.I)
# What is left of a crop's name: sizes, ratios, a letter or two ("v4_3_800", "1x1", "w1200")
_SIZE_ONLY = re.compile(r"[a-z]{0,2}[\d_x.-]*", re.I)
_SIZE_MARK = re.compile(r"\d+x\d+|(?:^|\D)(?:1|2|3|4|16|21)[_-](?:1|2|3|9)(?:\D|$)|w\d{3,4}", re.I)
