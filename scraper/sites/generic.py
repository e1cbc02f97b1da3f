"""The page object for any news site: structured metadata plus generic main-text detection."""

from __future__ import annotations

import html as html_lib
import re
from datetime import tzinfo

from bs4 import BeautifulSoup, Tag

from scraper.sites.article import ArticleData
from scraper.sites.body.chrome_lines import is_chrome_paragraph, without_trailing_chrome
from scraper.sites.body.extract import extract_body_paragraphs
from scraper.sites.html import block_paragraphs, clean_text, make_soup
from scraper.sites.language import article_language
from scraper.sites.listing import page_hrefs, resolve_links
from scraper.sites.metadata.authors import clean_authors
from scraper.sites.metadata.read import read_metadata_parts
from scraper.sites.page_date import publication_day
from scraper.sites.script_data import ScriptText, script_text

# Where templates print the byline when no markup names the author.
_BYLINE_HINT = re.compile(r"byline|author[-_]*name|article[-_]*author|^authors?$|^by$", re.I)


class GenericArticlePage:
    def __init__(self, url: str, html: str, default_tz: tzinfo | None = None) -> None:
        self.url = url
        self.html = html
        self.default_tz = default_tz
        self._links: list[str] | None = None
        # the page's hrefs and base, taken before the body extractor prunes the tree
        self._hrefs: tuple[list[str], str] | None = None
        self._script_texts: dict[str | None, ScriptText | None] = {}

    def to_item(self) -> ArticleData | None:
        soup = make_soup(self.html)
        if self._links is None and self._hrefs is None:
            self._hrefs = page_hrefs(soup, self.url)  # resolved only if links() is asked for
        item = self._item(soup)
        if item is None:
            # libxml2 ignores an end tag that would have to close an open <div> first, so
            # after "<aside><div>…</aside>" the rest of the page, article included, is nested
            # in the <aside> and pruned with it.  Python's parser closes up to the tag named,
            # as browsers do: a page with no text found gets a second reading with it.
            item = self._item(BeautifulSoup(self.html, "html.parser"))
        return item

    def _item(self, soup: BeautifulSoup) -> ArticleData | None:
        data, ld, organisations = read_metadata_parts(soup, self.url, self.default_tz)
        if not data.title or not data.authors:
            fallback = _Fallbacks(soup)
            data.title = data.title or fallback.title
            if not data.authors:
                data.authors = clean_authors(fallback.bylines, fallback.site_names)
            if not data.authors:
                data.authors = organisations  # no person named anywhere
        notes: list[str] = []
        extracted = extract_body_paragraphs(soup, notes)
        paragraphs = _choose_body(extracted, _jsonld_body(ld))
        if data.title and sum(map(len, paragraphs)) < _SCRIPT_FALLBACK_BELOW:
            # No title, no record to find the article's text in: nothing to search for.
            paragraphs = _choose_script_body(paragraphs, self._script_text(data.title))
        if paragraphs is extracted:
            # Which reading of the page gave the text, when it was not the scorer's choice.
            data.fallbacks.extend(notes)
        paragraphs = without_trailing_chrome(paragraphs)
        if data.title:
            paragraphs = _without_headline_block(paragraphs, data.title)
        if data.authors:
            paragraphs = [p for p in paragraphs if not _is_byline_line(p, data.authors)]
        data.body = "\n\n".join(paragraphs)
        if not data.body:
            return None
        if data.published is None:
            data.published = publication_day(self.html, self.url)
        data.language = article_language(data.language, f"{data.title or ''}\n{data.body}")
        return data

    def _script_text(self, title: str | None) -> ScriptText | None:
        # Both readings of a page (lxml, then html.parser) see the same scripts.
        if title not in self._script_texts:
            self._script_texts[title] = script_text(self.html, title)
        return self._script_texts[title]

    def links(self) -> list[str]:
        if self._links is None:
            if self._hrefs is None:
                self._hrefs = page_hrefs(make_soup(self.html), self.url)
            self._links = resolve_links(*self._hrefs)
        return list(self._links)


def _without_headline_block(paragraphs: list[str], title: str) -> list[str]:
    """The text without the headline repeated atop it, and without the kicker or section
    label printed just above that headline ("Umbau des Weissen Hauses"): the article's
    header, taken in with the body's container."""
    for index, paragraph in enumerate(paragraphs[:_MAX_HEADER_LINES]):
        if _same_text(paragraph, title):
            return paragraphs[index + 1 :]
        if len(paragraph) > _MAX_KICKER or paragraph.rstrip().endswith((".", "!", "?", "…", "。")):
            break  # a sentence: the text has begun
    return paragraphs


_MAX_HEADER_LINES = 3
_MAX_KICKER = 80


def _is_byline_line(paragraph: str, authors: list[str]) -> bool:
    """A line that only names the article's authors ("Von Nina Magoley", "By A and B, AP
    Staff"): the byline printed among the paragraphs.  What is left once the names are cut
    may be a joining word or a desk's name, never a lower-case word of a sentence."""
    if len(paragraph) > _MAX_BYLINE_LINE or paragraph.endswith((".", "!", "?", "…")):
        return False
    rest = paragraph.casefold()
    found = False
    for author in authors:
        name = author.casefold().strip()
        if len(name) >= 2 and name in rest:
            rest = rest.replace(name, " ")
            found = True
    if not found:
        return False
    rest = _EMAIL.sub(" ", rest)  # "신현주 기자 spicy@hankookilbo.com": the author's address
    words = [w for w in _NAME_JOINERS.sub(" ", rest).split() if w not in _BYLINE_WORDS]
    if len(words) > 3 or sum(map(len, words)) > 30:
        return False
    # the leftovers, in the paragraph's own case: an organisation, not a sentence
    original = {w.casefold(): w for w in paragraph.split()}
    return all(not original.get(w, w)[:1].islower() for w in words)


_MAX_BYLINE_LINE = 100
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_NAME_JOINERS = re.compile(r"[,;:/&|·•–—()\[\]-]+")
_BYLINE_WORDS = frozenset(
    "by von par por di door av af de and und et y e og och 기자 記者 记者 특파원".split()
)


def _choose_body(extracted: list[str], structured: list[str]) -> list[str]:
    """JSON-LD articleBody wins only when it is clearly the whole text: it is often a
    teaser, and even when complete it tends to lose paragraph breaks the HTML keeps.  Where
    the HTML holds the same text (within a tenth either way), the structured paragraphs are
    taken; where the structured text is longer still, it is the body's textContent with the
    fact boxes, polls and captions the HTML reading cut."""
    if not structured:
        return extracted
    structured_length = sum(map(len, structured))
    extracted_length = sum(map(len, extracted))
    if structured_length < 200:
        return extracted or structured
    if extracted_length < 0.5 * structured_length:
        return structured  # the HTML holds little of it: a script-rendered page
    if len(structured) > 1 and 0.9 <= structured_length / extracted_length <= 1.1:
        return structured
    return extracted


# Script data is searched only below this much HTML text: a page whose HTML holds a body of
# its own keeps it, and the search (a few ms on a data-heavy page) is not paid for it.
_SCRIPT_FALLBACK_BELOW = 1000


def _choose_script_body(extracted: list[str], found: ScriptText | None) -> list[str]:
    """The text a client-rendered page holds only as script data, when the HTML gave none or
    a fragment of it (a teaser the script would replace).  Only a text held beside the
    page's title counts: elsewhere in a page's data, a long text is as often a consent
    notice, a newsletter's pitch or another story."""
    if found is None or not found.beside_title:
        return extracted
    if not extracted:
        # Not the record's one-paragraph summary, which sits beside the title too.
        whole = len(found.paragraphs) >= 2 and found.prose >= 500 or found.prose >= 1000
        return found.paragraphs if whole else extracted
    if found.prose >= 2 * sum(map(len, extracted)):
        return found.paragraphs
    return extracted


def _jsonld_body(ld: dict | None) -> list[str]:
    value = (ld or {}).get("articleBody")
    if isinstance(value, list):
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str) or not value.strip():
        return []
    if "<" in value and ">" in value:  # some CMSes put the HTML itself in it
        soup = make_soup(value)
        root = soup.body or soup
        return block_paragraphs(root) if isinstance(root, Tag) else []
    # A plain-text articleBody is often the body's textContent: the player's fallback text
    # and the photo captions come with it, which the HTML's <video>/<figure> hid.
    text = _MEDIA_FALLBACK.sub("\n", html_lib.unescape(value))
    return [
        p
        for p in (clean_text(line) for line in text.splitlines())
        if p and not is_chrome_paragraph(p)
    ]


# What a <video>/<audio> element shows where it cannot play (video.js's default fallback,
# which its element holds on countless pages), up to the end of its own sentence, with the
# player's "Up Next" label when it follows at once (a heading of its own elsewhere).
_MEDIA_FALLBACK = re.compile(
    r"to (?:view|watch|play|listen to) this (?:video|audio|content)\s+please enable javascript"
    r"[^.]*?(?:supports\s+html5\s+(?:video|audio)|\.)(?:\s*up next\b)?",
    re.I,
)


class _Fallbacks:
    """What plain HTML says when no markup does: the first <h1> (else <title>) and the texts
    of byline-looking elements, gathered in one walk."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.bylines: list[str] = []
        self.site_names: list[str] = []
        h1: str | None = None
        title: str | None = None
        for node in soup.descendants:
            if not isinstance(node, Tag):
                continue
            name = node.name
            if name == "h1" and h1 is None:
                h1 = clean_text(node.get_text(" ")) or None
            elif name == "title" and title is None:
                title = clean_text(node.get_text(" ")) or None
            elif name == "meta" and node.get("property") == "og:site_name":
                content = node.get("content")
                if isinstance(content, str):
                    self.site_names.append(content)
            if len(self.bylines) < 5 and _is_byline(node):
                text = clean_text(node.get_text(" "))
                if text and len(text) <= 100:
                    self.bylines.append(text)
        self.title = h1 or title


def _is_byline(tag: Tag) -> bool:
    attrs = tag.attrs
    rel = attrs.get("rel")
    if rel and "author" in (rel if isinstance(rel, list) else str(rel).split()):
        return True
    classes = attrs.get("class")
    if not classes:
        return False
    names = classes if isinstance(classes, list) else str(classes).split()
    if not any(_BYLINE_HINT.search(c) for c in names):
        return False
    return tag.find_parent(("nav", "aside", "footer")) is None


def _same_text(a: str, b: str) -> bool:
    def key(text: str) -> str:
        return "".join(c for c in text.casefold() if c.isalnum())

    return key(a) == key(b)
