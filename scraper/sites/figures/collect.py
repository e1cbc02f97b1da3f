"""The article's own pictures, with their captions and credits.

A page shows many images that are not the article's: logos, avatars, tracking pixels, the
pictures of teasers for other stories, ads.  What counts is a <figure> holding an image, or
an image outside figures with a caption or credit beside it (templates build figures from
<div>s) or showing the cover the structured data names; never inside the page's chrome (nav,
aside, footer, a header that is not the article's), inside a link to another page, or in a
block named for related stories, recommendations, promotions or ads (or a teaser block that
links elsewhere).  ``article_figures`` walks the page for them (reading each figure's caption
and credit is ``scraper.sites.figures.parts``'s); ``merge_images`` joins them with the cover,
one entry per picture.

Pages are hostile: every walk here is iterative and bounded, and ancestor states are
memoised, so 100,000 levels of nesting cost one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bs4 import BeautifulSoup, Tag

from scraper.sites.article import Image
from scraper.sites.figures.class_hints import hinted
from scraper.sites.figures.parts import FigureParts, caption_and_credit, figure_image
from scraper.sites.figures.urls import (
    IMAGE_TAGS,
    best_image_url,
    crops_of_one_picture,
    is_not_content,
    offered_urls,
    picture_key,
    widest_in_srcset,
)
from scraper.sites.listing import absolute_url

# Pages with more figures (images) than this are galleries or hostile; the article's are
# among the first.
_MAX_FIGURES = 200
_MAX_LOOSE = 300
# How far up from an image outside a figure its caption may be, and how big that block may be.
_BESIDE_LEVELS = 4
_BESIDE_TAGS = 120

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
            or (name != "html" and name != "body" and hinted(tag, _FOREIGN_HINT))
            # A "teaser" is a card for another story, but some templates name the
            # article's own lead so: a teaser block counts when it links elsewhere.
            or (hinted(tag, _TEASER_HINT) and self._links_away(tag))
        )
        in_article = state.in_article or name in _ARTICLE_TAGS
        in_figure = state.in_figure or name == "figure"
        if (
            foreign == state.foreign
            and in_article == state.in_article
            and in_figure == state.in_figure
        ):
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
        if (
            not isinstance(href, str)
            or not href.strip()
            or href.strip().startswith(("#", "javascript:"))
        ):
            return False
        if _IMAGE_FILE.search(href):
            return False  # a link to the full-size picture
        target = absolute_url(href.strip(), self.page_url)
        if not target:
            return False
        return target.split("#")[0] != self.page_url


# --------------------------------------------------------------------------- the walk


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
            elif name in IMAGE_TAGS:
                loose.append((position, node))
        position += 1
        node = node.next_element
    context = _Context(base)
    cover_keys = {k for k in (picture_key(c.url) for c in covers) if k}
    found: list[tuple[int, Image]] = []  # (position of its element, image)
    for position, figure in figures[:_MAX_FIGURES]:
        if context.state(figure).foreign:
            continue
        parts = FigureParts(figure)
        if any(context.state(tag).foreign for tag in parts.images[:1]):
            continue  # the picture links to another story: a teaser
        url = figure_image(parts, base)
        if url is None:
            continue
        caption, credit = caption_and_credit(parts)
        found.append((position, Image(url, caption, credit)))
    for position, img in loose[:_MAX_LOOSE]:
        state = context.state(img)
        if state.foreign or state.in_figure:
            continue
        url = best_image_url(img)
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
    if is_not_content(img, absolute):
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
    return any(picture_key(absolute_url(c, base) or c) in cover_keys for c in offered_urls(img))


def _beside(img: Tag, base: str) -> tuple[str | None, str | None]:
    """The caption and credit of the smallest block around ``img`` that holds a caption or
    credit and no other picture."""
    block = img.parent
    parts: FigureParts | None = None
    seen: list[str] = []
    for _ in range(_BESIDE_LEVELS):
        if block is None or block.name in ("body", "html", "article", "main", "[document]"):
            break
        if parts is None:
            parts = FigureParts(block, limit=_BESIDE_TAGS)
        else:
            parts.widen(block)
        if parts.truncated or _several_pictures(parts, base, seen):
            break
        if parts.figcaption is not None or parts.captions or parts.credit_elements():
            return caption_and_credit(parts)
        block = block.parent
    return None, None


def _several_pictures(parts: FigureParts, base: str, seen: list[str]) -> bool:
    """Whether the block shows more than one picture (renditions of one count once);
    ``seen`` holds the keys found so far (a widened block's first images were looked at)."""
    for tag in parts.images[len(seen) :]:
        url = (
            best_image_url(tag)
            if tag.name in IMAGE_TAGS
            else widest_in_srcset(tag.get("srcset") or tag.get("data-srcset"))
        )
        absolute = absolute_url(url, base) if url else None
        key = (picture_key(absolute) or absolute) if absolute else ""
        seen.append(key)
        if key and any(other and other != key for other in seen):
            return True
    return False


# --------------------------------------------------------------------------- with the covers


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
            index = next(
                (
                    by_url[c.url]
                    for c in cover_list[:number]
                    if c.url in by_url and crops_of_one_picture(c.url, image.url)
                ),
                None,
            )
        if index is None:
            index = len(merged)
            merged.append(Image(image.url, image.caption, image.credit))
            if not is_figure:
                from_cover.add(index)
        elif is_figure and index in from_cover:
            from_cover.discard(index)
            cover = merged[index]
            merged[index] = Image(
                image.url, image.caption or cover.caption, image.credit or cover.credit
            )
        else:
            kept = merged[index]
            kept.caption = kept.caption or image.caption
            kept.credit = kept.credit or image.credit
        by_url.setdefault(image.url, index)
        if key is not None:
            by_picture.setdefault(key, index)
    return merged
