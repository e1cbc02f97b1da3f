"""The address of a picture, read as browsers and lazy loaders mean it, and whether two
addresses show one picture.

An <img> may offer many renditions (srcset, a lazy loader's data-srcset / data-src, a
<picture>'s <source>s) and a placeholder in ``src``: ``best_image_url`` takes the widest real
one.  ``is_not_content`` tells logos, icons, avatars, tracking pixels and author portraits by
their size, class and address.  ``picture_key`` names what stays the same across renditions
and crops of one picture, so a cover and the figure showing it count once.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote

from bs4 import Tag

from scraper.sites.figures.class_hints import hinted
from scraper.sites.url_syntax import split_url, url_path

# --------------------------------------------------------------------------- which address

# AMP pages (and the AMP-built templates of many news sites) show pictures as <amp-img>.
IMAGE_TAGS = frozenset({"img", "amp-img"})

# Attributes lazy loaders keep the real address in, before ``src`` (then often a placeholder).
_LAZY_SRC = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
)
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


def widest_in_srcset(srcset: Any) -> str | None:
    """The widest real candidate of a srcset; the last when none states a width."""
    best: tuple[float, str] | None = None
    for url, size in _srcset(srcset):
        real = _real(url)
        if real and (best is None or size >= best[0]):
            best = (size, real)
    return best[1] if best else None


def best_image_url(img: Tag) -> str | None:
    """The address of the best rendition ``img`` offers: the widest of its srcset (a lazy
    loader's data-srcset first), else the lazy loader's data-src, else src; never a
    placeholder."""
    attrs = img.attrs
    for key in _SRCSETS:
        url = widest_in_srcset(attrs.get(key))
        if url:
            return url
    for key in _LAZY_SRC:
        url = _real(attrs.get(key))
        if url:
            return url
    return _real(attrs.get("src"))


def offered_urls(img: Tag) -> list[str]:
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


# --------------------------------------------------------------------------- not content

# class/id/alt/src of pictures that are not content.
_NOT_CONTENT = re.compile(
    r"logo|icon|avatar|emoji|sprite|spinner|badge|gravatar|pixel|tracking", re.I
)
# width/height at most this: icons, avatars, tracking pixels.
_TINY = 60


def _is_tiny(img: Tag) -> bool:
    for key in ("width", "height"):
        value = img.attrs.get(key)
        if isinstance(value, str):
            digits = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value)
            if digits and int(digits[1]) <= _TINY:
                return True
    return False


def is_not_content(img: Tag, url: str) -> bool:
    """Whether ``img``, showing ``url``, is page furniture (a logo, icon, avatar, tracking pixel,
    author portrait, vector graphic) rather than a picture of the article."""
    if _is_tiny(img):
        return True
    if hinted(img, _NOT_CONTENT):
        return True
    parent = img.parent
    for _ in range(2):  # <div class="author-image"><picture><img>
        if parent is None:
            break
        if hinted(parent, _PERSON_HINT):
            return True
        parent = parent.parent
    parts = split_url(url)
    path = unquote(f"{parts.path}?{parts.query}" if parts else "")
    if _PORTRAIT_DIRECTORY.search(path):
        return True
    name = path.split("?")[0].rsplit("/", 1)[-1]
    return bool(_NOT_CONTENT.search(name)) or name.lower().endswith(".svg")


# Pictures of the page's writers: in an author box, or kept in a folder of portraits.
_PERSON_HINT = re.compile(r"author|byline|avatar|profile|autor", re.I)
_PORTRAIT_DIRECTORY = re.compile(
    r"/(?:[\w-]*-)?(?:authors?|autoren|avatars?|profiles?|logos?|icons?)/", re.I
)


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
_FOLDER = re.compile(
    r"^(?:images?|img|photos?|pictures?|media|public|incoming|uploads?|content|"
    r"assets?|static|fs|cms|alternates|resizer|v\d)$",
    re.I,
)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_EMBEDDED = re.compile(r"https?(?::|%3A)(?://|%2F%2F)", re.I)


def picture_key(url: str) -> str | None:
    """What stays the same across renditions of one picture: the distinctive tokens of the
    last path segment that has any (a size, crop or format token is not distinctive), so
    "…/1080x608_cmsv2_ab12.jpg" and "…/1440x810_cmsv2_ab12.jpg" are one picture.  None when
    no segment is distinctive enough to tell pictures apart."""
    embedded = _EMBEDDED.search(url, 8)
    if embedded:  # an image proxy's address of the original: "…/500x0/https://cdn/x.jpg"
        url = unquote(url[embedded.start() :])
        if _EMBEDDED.search(url, 8):
            return None
    path = unquote(url_path(url))  # "" for an embedded address that does not parse
    for segment in reversed([s for s in path.split("/") if s]):
        stem = re.sub(
            r"(?:\.(?:jpe?g|png|gif|webp|avif|heic|tiff?|image))+$", "", segment, flags=re.I
        )
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


def crops_of_one_picture(first: str, second: str) -> bool:
    """Two addresses in one folder whose file names differ only in a size or aspect ratio
    after a long common start: crops of one picture ("4711_v4_3_800.jpeg",
    "4711_v1_1_400.jpeg"), where "4711_20.jpg" and "4711_14.jpg" are two pictures."""
    parts_a, parts_b = split_url(first), split_url(second)
    if parts_a is None or parts_b is None:
        return False
    head_a, _, name_a = parts_a.path.rpartition("/")
    head_b, _, name_b = parts_b.path.rpartition("/")
    if head_a != head_b or parts_a.netloc != parts_b.netloc:
        return False
    common = len(os.path.commonprefix([name_a, name_b]))
    if common < 10:
        return False
    rests = [_EXTENSION.sub("", name[common:]) for name in (name_a, name_b)]
    return all(_SIZE_ONLY.fullmatch(rest) for rest in rests) and any(
        _SIZE_MARK.search(rest) for rest in rests
    )


_EXTENSION = re.compile(r"(?:\.(?:jpe?g|png|gif|webp|avif))+$", re.I)
# What is left of a crop's name: sizes, ratios, a letter or two ("v4_3_800", "1x1", "w1200")
_SIZE_ONLY = re.compile(r"[a-z]{0,2}[\d_x.-]*", re.I)
_SIZE_MARK = re.compile(r"\d+x\d+|(?:^|\D)(?:1|2|3|4|16|21)[_-](?:1|2|3|9)(?:\D|$)|w\d{3,4}", re.I)
