"""An archived page made fit to show: archived HTML is hostile.

Scripts, event handlers, frames, plugins, ``<base>`` and refresh redirects are taken out (the
page is also served with a Content-Security-Policy forbidding scripts and shown in a sandboxed
frame: this is the second lock, not the only one). Links to a page the archive captured lead
to that capture; pictures and style sheets the archive holds are served from it; anything
else that would load from the network is dropped, so showing a page makes no request outside
the app.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

from scraper.sites.html import decode_html

DROPPED_ELEMENTS = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed",
                    "applet", "base", "portal"}  # fmt: skip
LOADED_ATTRIBUTES = {"src", "poster", "data", "background", "lowsrc", "dynsrc"}
LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-url")
LINK_ATTRIBUTES = {"href", "action", "formaction", "xlink:href"}


def safe_page(
    payload: bytes,
    content_type: str | None,
    page_url: str,
    captured: set[str],
    link: Callable[[str], str],
    asset: Callable[[str], str],
) -> bytes:
    """The page's HTML with its links and pictures pointed into the archive: ``link(url)``
    and ``asset(url)`` give the app's URL of a captured page or file."""
    text = decode_html(payload, content_type)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError):
        root = lxml.html.document_fromstring("<html><body></body></html>")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            if isinstance(element, etree._Comment | etree._ProcessingInstruction):
                _drop(element)
            continue
        tag = element.tag.lower()
        if tag in DROPPED_ELEMENTS or _refresh(element):
            _drop(element)
            continue
        if tag in ("img", "source"):
            _lazy_picture(element, page_url, captured)
        for name in list(element.attrib):
            value = element.attrib[name]
            key = name.lower()
            if key.startswith("on") or key in ("srcdoc", "ping", "integrity", "nonce"):
                del element.attrib[name]
            elif key in LINK_ATTRIBUTES:
                _point_link(element, name, value, page_url, captured, link, asset)
            elif key in LOADED_ATTRIBUTES:
                _point_asset(element, name, value, page_url, captured, asset)
            elif key in ("srcset", "imagesrcset"):
                _point_srcset(element, name, value, page_url, captured, asset)
            elif key == "style" and "url(" in value.lower():
                del element.attrib[name]
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="utf-8")


def _lazy_picture(element: etree._Element, page_url: str, captured: set[str]) -> None:
    """A picture a script would have loaded (``data-src``: lazy loading) shown without it,
    when the archive has it."""
    for name in LAZY_ATTRIBUTES:
        value = element.get(name)
        url = _absolute(page_url, value) if value else None
        if url is not None and urldefrag(url)[0] in captured:
            element.set("src", url)
            return


def _drop(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if hasattr(element, "drop_tree"):
        element.drop_tree()  # its tail text stays
    else:
        parent.remove(element)


def _refresh(element: etree._Element) -> bool:
    return (
        str(element.tag).lower() == "meta"
        and (element.get("http-equiv") or "").strip().lower() == "refresh"
    )


def _absolute(page_url: str, value: str) -> str | None:
    value = value.strip()
    if not value or value.lower().startswith(("javascript:", "data:", "vbscript:")):
        return None
    try:
        url = urljoin(page_url, value)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def _point_link(
    element: etree._Element,
    name: str,
    value: str,
    page_url: str,
    captured: set[str],
    link: Callable[[str], str],
    asset: Callable[[str], str],
) -> None:
    if value.strip().startswith("#"):
        return
    url = _absolute(page_url, value)
    if url is None:
        del element.attrib[name]
        return
    bare, fragment = urldefrag(url)
    if str(element.tag).lower() == "link":
        # style sheets, icons, preloads: loaded, not followed
        if bare in captured and "stylesheet" in (element.get("rel") or "").lower():
            element.set(name, asset(bare))
        else:
            del element.attrib[name]
        return
    if bare in captured:
        element.set(name, link(bare) + (f"#{fragment}" if fragment else ""))
    else:
        element.set(name, url)  # not archived: the live address, shown as it was
        element.set("rel", "noopener noreferrer")
        element.set("class", ((element.get("class") or "") + " not-archived").strip())


def _point_asset(
    element: etree._Element,
    name: str,
    value: str,
    page_url: str,
    captured: set[str],
    asset: Callable[[str], str],
) -> None:
    url = _absolute(page_url, value)
    bare = urldefrag(url)[0] if url else None
    if bare is not None and bare in captured:
        element.set(name, asset(bare))
    else:
        del element.attrib[name]


def _point_srcset(
    element: etree._Element,
    name: str,
    value: str,
    page_url: str,
    captured: set[str],
    asset: Callable[[str], str],
) -> None:
    kept = []
    for candidate in value.split(","):
        parts = candidate.strip().split()
        if not parts:
            continue
        url = _absolute(page_url, parts[0])
        if url is not None and urldefrag(url)[0] in captured:
            kept.append(" ".join([asset(urldefrag(url)[0]), *parts[1:]]))
    if kept:
        element.set(name, ", ".join(kept))
    else:
        del element.attrib[name]
