"""The BeautifulSoup tree built from lxml's own parse is the tree ``BeautifulSoup(html, "lxml")``
builds: node for node (type, name, attributes, text, string containers) and link for link, on
every saved page; what it cannot build the same way falls back to bs4 itself."""

from __future__ import annotations

import gc
import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from bs4.element import Comment, Doctype, PageElement, Script, Stylesheet, Tag
from lxml import etree

from archive.extraction import extract_article
from scraper.sites.html import TreeIndex, decode_html, indexed_soup, make_soup
from scraper.sites.lxml_soup import _Copier, build_soup, tree_arena

FIXTURES = Path(__file__).parent / "fixtures"


def saved_pages() -> Iterator[tuple[str, str]]:
    for path in sorted(FIXTURES.rglob("*.html*")):
        data = path.read_bytes()
        yield (
            str(path.relative_to(FIXTURES)),
            decode_html(gzip.decompress(data) if path.suffix == ".gz" else data),
        )


def shape(soup: BeautifulSoup) -> list[tuple[Any, ...]]:
    nodes: list[tuple[Any, ...]] = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            attrs = {
                key: (list(value) if isinstance(value, list) else value)
                for key, value in node.attrs.items()
            }
            nodes.append(
                (
                    "tag",
                    node.name,
                    attrs,
                    node.can_be_empty_element,
                    sorted(t.__name__ for t in node.interesting_string_types),
                    node.parent.name,
                )
            )
        else:
            nodes.append((type(node).__name__, str(node), node.parent.name))
    return nodes


def same_but_booleans(ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> bool:
    """libxml2's tree writes ``defer="defer"`` for a bare ``defer`` where its SAX events (bs4)
    give ``""``; the two spellings cannot be told apart, so both read as ``""``."""
    if len(ours) != len(theirs):
        return False
    for mine, bs4 in zip(ours, theirs):
        if mine == bs4:
            continue
        if (
            mine[0] != "tag"
            or mine[:2] != bs4[:2]
            or mine[3:] != bs4[3:]
            or mine[2].keys() != bs4[2].keys()
        ):
            return False
        if any(
            mine[2][k] != bs4[2][k] and not (mine[2][k] == "" and bs4[2][k] == k) for k in bs4[2]
        ):
            return False
    return True


def assert_linked(soup: BeautifulSoup) -> None:
    """next_element runs through the document in order; siblings and parents agree."""
    chain: list[PageElement] = []
    node = soup.next_element
    while node is not None:
        chain.append(node)
        node = node.next_element
    descendants = list(soup.descendants)
    assert len(chain) == len(descendants) and all(a is b for a, b in zip(chain, descendants))
    for node in descendants:
        siblings = node.parent.contents
        position = next(i for i, other in enumerate(siblings) if other is node)
        assert node.previous_sibling is (siblings[position - 1] if position else None)
        assert node.next_sibling is (
            siblings[position + 1] if position + 1 < len(siblings) else None
        )
        if position:
            assert node.previous_element is not None


@pytest.mark.parametrize(
    "name,html", list(saved_pages()), ids=lambda value: value if "/" in str(value) else ""
)
def test_the_same_tree_as_bs4_on_saved_pages(name: str, html: str) -> None:
    ours = build_soup(html)
    assert ours is not None, f"{name}: fell back to bs4"
    theirs = BeautifulSoup(html, "lxml")
    assert same_but_booleans(shape(ours), shape(theirs)), name
    assert_linked(ours)
    assert ours.get_text() == theirs.get_text()


def test_every_real_page_of_the_corpora(shared_corpus: Path) -> None:
    pages = sorted((shared_corpus / "extraction-benchmark" / "html").glob("*.html.gz"))
    assert len(pages) > 100
    differing = []
    for path in pages:
        html = decode_html(gzip.decompress(path.read_bytes()))
        ours = build_soup(html)
        if ours is None or not same_but_booleans(shape(ours), shape(BeautifulSoup(html, "lxml"))):
            differing.append(path.name)
    # whitespace-only strings around a comment after </html> on a few pages; nothing else
    assert len(differing) <= 5, differing


def test_tags_and_strings_carry_what_bs4_gives_them() -> None:
    html = (
        "<!DOCTYPE html><html><head><style>p{}</style><script>var a;</script>"
        '<meta charset="utf-8"></head><body><p class="lead big" id=x>One <b>two</b> three</p>'
        "<!-- a note --><pre>  kept  </pre><br></body></html>\n"
    )
    ours, theirs = build_soup(html), BeautifulSoup(html, "lxml")
    assert ours is not None
    for name in ("p", "b", "br", "pre", "style", "script", "meta"):
        mine, bs4 = ours.find(name), theirs.find(name)
        assert set(vars(mine)) == set(vars(bs4)), name
        assert mine.attrs == bs4.attrs and type(mine.attrs) is type(bs4.attrs), name
    assert ours.p["class"] == ["lead", "big"]
    assert isinstance(ours.style.string, Stylesheet) and isinstance(ours.script.string, Script)
    assert isinstance(ours.contents[0], Doctype) and ours.contents[0] == "html"
    assert [c for c in ours.body.contents if isinstance(c, Comment)] == [" a note "]
    assert ours.pre.string == "  kept  "
    assert ours.decode() == theirs.decode()


def test_an_entity_node_is_copied_with_its_text_and_then_its_tail() -> None:
    # libxml2's HTML parser resolves entities; a tree may hold one all the same
    root = etree.fromstring("<html><body><p>a<b>x</b></p></body></html>", etree.HTMLParser())
    entity = etree.Entity("foo")
    entity.tail = " after "
    root.find(".//b").addprevious(entity)
    soup = BeautifulSoup("", "lxml")
    _Copier(soup, "", None).document(root, None)
    assert [str(node) for node in soup.p.contents[:3]] == ["a", "&foo;", " after "]
    assert soup.p.b.string == "x"
    assert_linked(soup)


@pytest.mark.parametrize(
    "html",
    [
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',  # lxml refuses it as str
        "",
        "<html><body>" + "<div>" * 3000 + "<p>deep</p></body></html>",  # past libxml2's tree depth
    ],
)
def test_what_lxml_cannot_build_alike_falls_back_to_bs4(html: str) -> None:
    assert build_soup(html) is None
    soup = make_soup(html)
    assert shape(soup) == shape(BeautifulSoup(html, "lxml"))


def test_make_soup_builds_text_this_way_and_bytes_the_bs4_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(
        "scraper.sites.html.build_soup", lambda html: calls.append(html)
    )  # None: bs4
    assert make_soup("<p>a <i>b</i></p>").p.get_text() == "a b"
    assert make_soup(b"<p>c</p>").p.get_text() == "c"
    assert calls == ["<p>a <i>b</i></p>"]


def test_a_page_read_in_an_arena_leaves_nothing_for_the_collector() -> None:
    """The arena takes each tree apart, so a page's thousands of cycles are freed by
    reference counting; without it, the collector finds them all (and used to scan every
    live tree on the way: a fifth of a page's time)."""

    name, html = next(p for p in saved_pages() if p[0].startswith("presstv"))
    body = html.encode("utf-8")
    url = "https://www.presstv.ir/Detail/2024/01/02/719001/example"
    gc.collect()
    extract_article("presstv", url, body, "text/html; charset=utf-8")
    assert gc.isenabled()
    assert gc.collect() < 50, f"{name}: the tree's cycles were left to the collector"

    gc.disable()  # an arena inside code that turned the collector off leaves it off
    try:
        with tree_arena():
            soup = make_soup(html)
            assert not gc.isenabled()
        assert not gc.isenabled()
        assert soup.__dict__ == {}  # taken apart
    finally:
        gc.enable()


@pytest.mark.parametrize("name,html", list(saved_pages()), ids=lambda v: v if "/" in v else "")
def test_the_index_taken_from_the_build_is_the_index_a_walk_makes(name: str, html: str) -> None:
    built, walked = indexed_soup(html), TreeIndex(make_soup(html))

    def described(index: TreeIndex) -> list[tuple[str, list[tuple[str, int]]]]:
        return [
            (f"{kind}:{key}", [(tag.name, index.position[id(tag)]) for tag in tags])
            for kind, table in (
                ("name", index.by_name),
                ("class", index.by_class),
                ("id", index.by_id),
            )
            for key, tags in sorted(table.items())
        ]

    assert described(built) == described(walked)
