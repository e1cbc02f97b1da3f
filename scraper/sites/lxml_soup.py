"""BeautifulSoup trees built from lxml's parse, without bs4's per-event Python machinery.

``BeautifulSoup(html, "lxml")`` drives lxml's HTML parser through its Python target
interface: several Python calls and bs4's bookkeeping for every tag and string, about 15 µs a
tag, three quarters of what a page object costs. Here libxml2 (the same parser, same options)
builds its tree in C and the tree is copied into bs4 objects directly, with the whitespace,
string-container and attribute rules bs4's builder applies, so page objects get the same
``BeautifulSoup`` they would otherwise (``tests/test_lxml_soup.py`` compares both, node by
node, on every saved page). Anything this does not handle (an XML encoding declaration in a
str, an empty document, nesting deeper than libxml2's tree allows) returns None and the caller
parses the ordinary way.
"""

from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)
from lxml import etree

PARSER = "lxml"
_PARSERS = threading.local()  # an lxml parser must not be shared between threads
_ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
_TRAILING_PART = re.compile(r"[\x20\x0a\x09\x0c\x0d]+|<!--(?P<comment>.*?)-->", re.DOTALL)
_HTML_START = re.compile(r"<html[\s>]", re.IGNORECASE)
_COMMENT_TEXT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEAD_OR_BODY = re.compile(r"<(?:head|body)[\s>]", re.IGNORECASE)
_DOCTYPE_NAME = re.compile(r"<!DOCTYPE\s+([^\s>\[]+)", re.IGNORECASE)
_COMMENT, _PI, _ENTITY = etree.Comment, etree.PI, etree.Entity
_WALK_EVENTS = ("start", "end", "comment", "pi")
# libxml2's tree fills in these HTML boolean attributes' values (defer="defer" for a bare
# ``defer``), which its SAX events, and so bs4, leave empty; ``defer="defer"`` written out in
# full is read as empty too, which means the same.
_BOOLEAN_ATTRIBUTES = frozenset(
    "checked compact declare defer disabled ismap multiple nohref noresize noshade nowrap readonly selected".split()
)


_ARENA = threading.local()
# tag name -> _Copier._kind(name): every tree here has the same builder (bs4's lxml HTML
# builder), so what a name's tags share is the same on every page
_KINDS: dict[str, tuple[Any, ...]] = {}
_KINDS_KEPT = 2048


@contextmanager
def tree_arena() -> Iterator[None]:
    """Trees built inside are taken apart when it ends, and the cyclic collector is off
    meanwhile. A bs4 tree is thousands of parent/child cycles: the collector scanned each
    page's tree while it was alive, moved it to an older generation, and freed it only in a
    later full scan, a fifth of a page's time. Taken apart (every node's links cleared), a
    page's tree is freed by reference counting as soon as it is done with; nothing built
    inside may be used after the arena ends (values read from it, plain strings, may)."""
    collecting = gc.isenabled()
    gc.disable()
    outer = getattr(_ARENA, "trees", None)
    trees: list[BeautifulSoup] = []
    _ARENA.trees = trees
    try:
        yield
    finally:
        _ARENA.trees = outer
        for soup in trees:
            node = soup.next_element
            while node is not None:
                following = node.next_element
                node.__dict__.clear()
                node = following
            soup.__dict__.clear()
        if collecting:
            gc.enable()


def build_soup(html: str, tags: list[Tag] | None = None) -> BeautifulSoup | None:
    """``tags``: a list the elements are added to, in document order, as they are made."""
    parser = getattr(_PARSERS, "html", None)
    if parser is None:
        # bs4's options for lxml (recover), but no doctype where the page has none
        parser = _PARSERS.html = etree.HTMLParser(recover=True, default_doctype=False)
    try:
        root = etree.fromstring(html, parser)
    except (ValueError, etree.LxmlError):
        return None
    if root is None or any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # Nested past libxml2's tree depth limit: its tree is cut there, its SAX events
        # (bs4's way) are not.
        return None
    soup = BeautifulSoup("", PARSER)
    arena = getattr(_ARENA, "trees", None)
    if arena is not None:
        arena.append(soup)
    # Thousands of parent/child cycles are made here, and nothing is garbage yet: collections
    # triggered by the allocations would only scan them (a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _Copier(soup, html[:4096], tags).document(root, _after_document(html))
    finally:
        if collecting:
            gc.enable()
    return soup


def _after_document(html: str) -> list[tuple[str, str]] | None:
    """What follows ``</html>`` as ("text" | "comment", content) in order, when it is only
    whitespace and comments. libxml2's SAX reports the whitespace there (bs4 keeps it,
    collapsed, beside the comments); its tree drops it. None: something else is there, and the
    tree's own siblings of the root are taken, as they are when the page opens ``<html>``
    more than once outside comments (IE's "downlevel-revealed" conditional comments, as DW's
    pages have): libxml2's SAX drops that whitespace then."""
    opening = _HEAD_OR_BODY.search(html)  # where <html> tags can still open: before these
    start = html[: opening.start() if opening else 4096]
    if (
        len(_HTML_START.findall(start)) > 1
        and len(_HTML_START.findall(_COMMENT_TEXT.sub("", start))) > 1
    ):
        return None
    end = max(html.rfind("</html"), html.rfind("</HTML"))
    close = html.find(">", end) if end >= 0 else -1
    if close < 0:
        return None
    parts: list[tuple[str, str]] = []
    position, size = close + 1, len(html)
    while position < size:
        match = _TRAILING_PART.match(html, position)
        if match is None:
            return None
        # line ends as the parser reports them
        text = (
            (match[0] if match["comment"] is None else match["comment"])
            .replace("\r\n", "\n")
            .replace("\r", "\n")
        )
        parts.append(("text" if match["comment"] is None else "comment", text))
        position = match.end()
    return parts


class _Copier:
    def __init__(self, soup: BeautifulSoup, head: str, tags: list[Tag] | None) -> None:
        builder = soup.builder
        self.tags = tags
        self.head = head  # the start of the page, where its doctype is
        self.soup = soup
        self.builder = builder
        self.attribute_dict = builder.attribute_dict_class
        self.value_list = builder.attribute_value_list_class
        self.list_attributes: dict[str, Any] = builder.cdata_list_attributes or {}
        self.empty_elements: set[str] | frozenset[str] = builder.empty_element_tags or frozenset()
        self.preserve = builder.preserve_whitespace_tags
        self.containers = builder.string_containers
        self.tag_fields = {
            "parser_class": BeautifulSoup,
            "namespace": None,
            "_namespaces": dict(builder.DEFAULT_NSMAPS),  # type: ignore[attr-defined]  # lxml's builder
            "prefix": None,
            "sourceline": None,
            "sourcepos": None,
            "attribute_value_list_class": self.value_list,
            "known_xml": False,
            "hidden": False,
            "cdata_list_attributes": self.list_attributes,
            "preserve_whitespace_tags": self.preserve,
        }
        self.last: PageElement = soup  # the element before the next one, in document order

    def document(self, root: Any, trailing: list[tuple[str, str]] | None) -> None:
        soup = self.soup
        docinfo = root.getroottree().docinfo
        if docinfo.doctype:
            written = _DOCTYPE_NAME.search(self.head)  # the tree lower-cases the name
            name = written[1] if written else docinfo.root_name
            self._string(
                soup,
                Doctype._string_for_name_and_ids(name, docinfo.public_id, docinfo.system_url),
                Doctype,
                False,
            )
        for sibling in reversed(list(root.itersiblings(preceding=True))):
            self._node(soup, sibling, False, None)
        self._tree(soup, root)
        if trailing is None:
            for sibling in root.itersiblings():
                self._node(soup, sibling, False, None)
        else:
            for kind, content in trailing:
                self._string(soup, content, Comment if kind == "comment" else None, False)
        self.last.next_element = None

    def _tree(self, parent: Tag, root: Any) -> None:
        # lxml's own walk (in C, and iterative: documents nest deeper than Python's
        # recursion limit) in document order; a node's tail is due once its subtree is copied.
        # ``open_``: each open element's tag, whether whitespace is kept in it, and its
        # string container.
        open_: list[tuple[Tag, bool, type[NavigableString] | None]] = [(parent, False, None)]
        push, pop, string, start = open_.append, open_.pop, self._string, self._start
        for event, node in etree.iterwalk(root, events=_WALK_EVENTS):
            if event == "start":
                if node.tag.__class__ is str:
                    push(start(node, *open_[-1]))
                else:  # an entity: its text, and its tail at its end
                    tag, preserve, container = open_[-1]
                    string(tag, node.text or "", container, preserve)
                    push(open_[-1])
            elif event == "end":
                pop()
                tail = node.tail
                if tail:
                    tag, preserve, container = open_[-1]
                    string(tag, tail, container, preserve)
            else:  # a comment or processing instruction, with its tail
                tag, preserve, container = open_[-1]
                self._node(tag, node, preserve, container)

    def _start(
        self,
        element: Any,
        parent: Tag,
        preserve: bool,
        container: type[NavigableString] | None,
    ) -> tuple[Tag, bool, type[NavigableString] | None]:
        """``element`` copied as a Tag, with its text; what its children are copied under."""
        name = element.tag
        kind = _KINDS.get(name)
        if kind is None:
            kind = self._kind(name)
            if len(_KINDS) < _KINDS_KEPT:  # pages may invent any number of names
                _KINDS[name] = kind
        multi, own_container, empty, interesting, preserves = kind
        pairs = element.items()
        attrs = self.attribute_dict(
            [
                (
                    key,
                    ""
                    if value == key and key in _BOOLEAN_ATTRIBUTES
                    else self.value_list(value.split())  # bs4 splits on whitespace
                    if key in multi
                    else value,
                )
                for key, value in pairs
            ]
            if pairs
            else ()
        )
        tag = Tag.__new__(Tag)
        # What Tag.__init__ sets, the same for every tag of an HTML document, in one update.
        fields = tag.__dict__
        fields.update(self.tag_fields)
        fields["name"] = name
        fields["attrs"] = attrs
        fields["contents"] = []
        fields["can_be_empty_element"] = empty
        fields["interesting_string_types"] = interesting
        if name == "meta":
            self.builder.set_up_substitutions(tag)
        self._attach(parent, tag)
        if self.tags is not None:
            self.tags.append(tag)
        preserve = preserve or preserves
        if own_container is not None:
            container = own_container
        text = element.text
        if text:
            self._string(tag, text, container, preserve)
        return tag, preserve, container

    def _kind(
        self, name: str
    ) -> tuple[frozenset[str], type[NavigableString] | None, bool, Any, bool]:
        """What every tag of this name shares: the attributes whose values bs4 splits into
        lists, its string container, whether it can be empty, its interesting string types,
        whether whitespace is kept in it."""
        container = self.containers.get(name)
        return (
            frozenset(self.list_attributes.get("*", ()))
            | frozenset(self.list_attributes.get(name.lower(), ())),
            container,
            name in self.empty_elements,
            {container} if container else Tag.MAIN_CONTENT_STRING_TYPES,
            name in self.preserve,
        )

    def _node(
        self,
        parent: Tag,
        node: Any,
        preserve: bool,
        container: type[NavigableString] | None,
    ) -> None:
        """A node beside the elements: a comment, processing instruction, entity, or an
        element outside the root (its whole subtree)."""
        kind = node.tag
        if kind is _COMMENT:
            self._string(parent, node.text or "", Comment, preserve)
        elif kind is _PI:
            self._string(
                parent, f"{node.target} {node.text or ''}", ProcessingInstruction, preserve
            )
        elif kind is _ENTITY:
            self._string(parent, node.text or "", container, preserve)
        else:
            self._tree(parent, node)
        tail = node.tail
        if tail:
            self._string(parent, tail, container, preserve)

    def _string(
        self, parent: Tag, text: str, container: type[NavigableString] | None, preserve: bool
    ) -> None:
        if not preserve and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "  # as bs4's endData: whitespace collapses
        # str.__new__ and no setup(): _attach sets every link NavigableString() would
        string = str.__new__(container or NavigableString, text)
        string.hidden = False
        self._attach(parent, string)

    def _attach(self, parent: Tag, node: PageElement) -> None:
        last = self.last
        last.next_element = node
        contents = parent.contents
        if contents:
            before = contents[-1]
            before.next_sibling = node
        else:
            before = None
        fields = node.__dict__
        fields["parent"] = parent
        fields["previous_element"] = last
        fields["previous_sibling"] = before
        fields["next_sibling"] = None
        contents.append(node)
        self.last = node
