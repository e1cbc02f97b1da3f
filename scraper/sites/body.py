"""Generic main-text detection for pages no site selector covers.

A readability-style scorer: every paragraph-like block gives points (more for long,
comma-rich, link-poor text) to its parent and grandparents (a container's own text, cut into
lines by ``<br>``s as old CMSes write articles, counts as paragraphs that are its children,
as readability wraps such runs in ``<p>``s); the best-scoring container,
adjusted for its link density and class/id hints, is the article, together with those of its
siblings that score nearly as well.  Boilerplate inside it is then cut before its text is
split into paragraphs with ``block_paragraphs``.

All tree walks are loops over bs4's own iterators (``descendants``, ``parents``): hostile
pages nest thousands deep and must not hit the recursion limit.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from scraper.sites.html import (
    BLOCK_TAGS,
    SKIP_TAGS,
    TABLE_CELL_SEPARATOR,
    all_tags,
    block_paragraphs,
)

# Never article text, wherever they are (a <label> names a form control: a poll's answers,
# a newsletter box's e-mail field).
_STRIP_TAGS = SKIP_TAGS | {"nav", "aside", "footer", "header", "figure", "figcaption", "dialog",
                           "menu", "label"}
# Containers we never remove for a class hint: the page itself and explicit article markup.
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})

_NEGATIVE_HINT = re.compile(
    r"(?<![a-z])(?:comment|share|sharing|social|related|newsletter|subscri|cookie|consent|gdpr|"
    r"promo|advert|sponsor|banner|sidebar|side-bar|byline|author|caption|credit|breadcrumb|"
    r"tags?(?![a-z])|taglist|widget|popup|modal|outbrain|taboola|recommend|read-?more|"
    r"more-?stories|most-?read|popular|trending|footer|masthead|menu|navbar|nav(?![a-z])|"
    r"toolbar|signup|disclaimer|copyright|skip|teaser|rating|ads?(?![a-z])|dfp|"
    r"print|follow|donate|playlist|gallery-?nav|pagination|pager|jump|tooltip|"
    r"prev(?:ious)?(?![a-z])|next(?![a-z])|reading-?time|read-?time|paywall(?![a-z])|"
    r"cta(?![a-z])|rail(?![a-z])|fact-?box|info-?box|poll|survey|quiz|meta(?![a-z]))",
    re.I,
)
_POSITIVE_HINT = re.compile(
    r"(?<![a-z])(?:article|body|content|entry|main|post|story|text|blog|hentry|prose|detail|"
    r"news|paragraph|richtext|rich-text)",
    re.I,
)
# These say "the article text" so plainly that a negative word beside them does not count.
_BODY_HINT = re.compile(
    r"(?:article|story|entry|post|news|body|main)[-_]*(?:body|content|text)|articlebody",
    re.I,
)
_BOILERPLATE_LINE = re.compile(
    r"^(?:advertisement|anzeige|werbung|sponsored|read more|read also|also read|see also|"
    r"related(?: articles| stories| news)?|more on this|share this( article)?|share|tweet|"
    r"click here|subscribe|sign up|sign in|log ?in|follow us|loading|image|photo|video)\b.{0,80}$"
    r"|^\d+\s?(?:min|mins|minutes?)(?: read)?$",
    re.I,
)
# Whole paragraphs that are template chrome in any article (compared case-folded).
_CHROME_LINES = frozenset(
    line.strip()
    for line in """article content|email address|table of contents|advertisement|anzeige|werbung|
    реклама|реклама:|next|previous|التالي|السابق|بعدی|قبلی|اشتراک گذاری|شارك|share on facebook|
    share on twitter|share on whatsapp|print|comments|loading...|next page|
    previous page""".casefold().split("|")
)
_MIN_PARAGRAPH = 25
_COMMAS = re.compile(r"[,،，、]")


def extract_body_paragraphs(soup: BeautifulSoup) -> list[str]:
    """The article's paragraphs, boilerplate removed. May modify ``soup``: call it last."""
    try:
        return _extract(soup)
    except RecursionError:
        return []


def _extract(soup: BeautifulSoup) -> list[str]:
    _strip_boilerplate_tags(soup)
    stats = _TextStats(soup)
    containers = _main_containers(soup, stats)
    paragraphs: list[str] = []
    for container in containers:
        _clean_container(container, stats)
        paragraphs.extend(block_paragraphs(container))
    kept = [p for p in _dedupe(paragraphs) if not is_chrome_paragraph(p)]
    return without_trailing_chrome(kept)


def without_trailing_chrome(paragraphs: list[str]) -> list[str]:
    """Drop the short, unpunctuated lines that end the text ("Related topics", "More from
    us", "記事一覧"): the titles of boxes below the article whose items were cut, which
    label nothing now; an article ends in a sentence, not a label.  And the newsroom's
    sign-off lines ("Got a story?…", "Follow us on…"), and a list of other stories under a
    heading that says so ("You may also be interested in…"), where a plugin printed it as
    text.  Public for texts read elsewhere than the HTML (JSON-LD articleBody, script data),
    which carry the same lines."""
    paragraphs = _without_trailing_list(paragraphs)
    end = len(paragraphs)
    while end > _MIN_KEPT and (_is_label(paragraphs[end - 1]) or _is_sign_off(paragraphs[end - 1])):
        end -= 1
    return paragraphs[:end] if end < len(paragraphs) and end >= _MIN_KEPT else paragraphs


def _without_trailing_list(paragraphs: list[str]) -> list[str]:
    """Cut at a heading announcing other stories when what follows it, to the end, is a
    short list of short lines, small beside the text: the heading in the text's last third.
    ("Don't miss" is no such heading: tabloids put that box in mid-article.)"""
    count = len(paragraphs)
    for index in range(max(_MIN_KEPT, 2 * count // 3), count):
        if _OTHER_STORIES.match(paragraphs[index]):
            rest = paragraphs[index + 1:]
            if (len(rest) <= _MAX_LISTED and all(len(line) <= _MAX_LISTED_LINE for line in rest)
                    and sum(map(len, rest)) < _MAX_LISTED_SHARE * sum(map(len, paragraphs[:index]))):
                return paragraphs[:index]
            break
    return paragraphs


_MAX_LISTED = 12
_MAX_LISTED_LINE = 200
_MAX_LISTED_SHARE = 0.25  # more is the article going on after an inline box of links
_OTHER_STORIES = re.compile(
    r"^(?:you (?:may|might) also (?:like|enjoy|be interested in)|related (?:posts|articles|stories|"
    r"news|content|coverage|reading)|more (?:from|stories|news|articles)\b|recommended(?: for you|"
    r" stories| articles| reading)?|read next|what to read next|most (?:read|popular)|"
    r"weitere artikel|mehr zum thema|das könnte sie auch interessieren|lire aussi|à lire aussi|"
    r"sur le même sujet|te puede interesar|leia também|veja também|читайте также|самые популярные|"
    r"похожие (?:статьи|новости|материалы))\W{0,5}(?:\w+\W{0,3}){0,4}$",
    re.I,
)


def _is_label(paragraph: str) -> bool:
    # Digits make it a value (a phone number, a price, a date) that ends a listing, not a
    # box title.
    return (len(paragraph) < _MAX_LABEL and not paragraph.rstrip().endswith(_SENTENCE_ENDS)
            and not any(map(str.isdigit, paragraph)))


_MAX_LABEL = 30


def _is_sign_off(paragraph: str) -> bool:
    """The newsroom's standing lines under every article: "Got a story? Get in touch…",
    "Follow Metro.co.uk on Twitter…", "For more stories like this, check our news page."
    Only at the end: inside an article such a sentence may be news."""
    return len(paragraph) <= _MAX_SIGN_OFF and bool(_SIGN_OFF.match(paragraph))


_MAX_SIGN_OFF = 300
_SIGN_OFF = re.compile(
    r"(?:got a (?:story|news tip|tip)\b|(?:have|do) you (?:got|have) a story\b"
    r"|follow (?:us|[\w.-]+(?: [\w.-]+){0,2}) on (?:twitter|facebook|instagram|x|threads|"
    r"whatsapp|telegram|linkedin|tiktok|youtube|bluesky|google news)\b"
    r"|for (?:more|the latest) (?:stories|news|updates|articles) like this\b"
    r"|get in touch with (?:our|the) (?:news ?)?(?:team|desk|newsroom)\b"
    r"|(?:sign up|subscribe) (?:to|for) (?:our|the) [\w -]{0,30}newsletter"
    r"|download (?:the|our) [\w .-]{0,30}app\b"
    # a newsletter's pitch, in the many languages that borrowed the word
    r"|.{0,120}\bnewsletter\b)",
    re.I,
)
# How many paragraphs must stay for the trailing labels to be judged chrome.
_MIN_KEPT = 3
_SENTENCE_ENDS = tuple(".!?。！？…)）\"'”’»」』")


def is_chrome_paragraph(paragraph: str) -> bool:
    """A paragraph that is page furniture in any article: "Advertisement", "Share", a
    photo caption that escaped its ``<figcaption>`` (it ends in the credit, "… (Picture:
    Getty)"), a line that is only a credit ("Photo: Reuters")."""
    return bool(
        # "/", "•": a template's separator; not AP copy's "___", a section break of the text
        not any(map(str.isalnum, paragraph)) and "_" not in paragraph
        or _BOILERPLATE_LINE.match(paragraph)
        or paragraph.casefold().strip() in _CHROME_LINES
        or _CAPTION_LINE.search(paragraph)
        or len(paragraph) <= _MAX_CAPTION and _COPYRIGHT_CREDIT.search(paragraph)
        or _CREDIT_LINE.match(paragraph)
        or _is_timestamp_line(paragraph)
    )


def _is_timestamp_line(paragraph: str) -> bool:
    """A line that is only when the page was published or updated: "Stand: 22.04.2024,
    06:00 Uhr", "17:41 JST, October 13, 2024", "2025年1月13日 20時01分": short, with a clock
    time, and mostly digits; or said relatively: "|Published 15 hours ago", "vor 2 Stunden"."""
    if len(paragraph) > _MAX_TIMESTAMP_LINE:
        return False
    if _RELATIVE_TIME.match(paragraph):
        return True
    if not _CLOCK_TIME.search(paragraph):
        return False
    visible = len(paragraph) - sum(map(str.isspace, paragraph))
    return sum(map(str.isdigit, paragraph)) >= 0.4 * visible


_MAX_TIMESTAMP_LINE = 60
_RELATIVE_TIME = re.compile(
    r"^\W*(?:(?:published|updated|posted|last updated|veröffentlicht|aktualisiert|publié|"
    r"mis à jour|publicado|actualizado)\W*)?"
    r"(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\W*$"
    r"|^\W*(?:(?:veröffentlicht|aktualisiert)\W*)?vor\s+(?:\d+|einer?|einem)\s+"
    r"(?:sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?)\W*$"
    r"|^\W*il y a\s+\d+\s+(?:secondes?|minutes?|heures?|jours?|semaines?|mois)\W*$"
    r"|^\W*hace\s+\d+\s+(?:segundos?|minutos?|horas?|días?|semanas?|meses)\W*$",
    re.I,
)
# hh:mm, 20時01分, 18.16 Uhr; not a price ("$12.99") or a decimal.
_CLOCK_TIME = re.compile(
    r"(?<![\d.,$€£¥])\d{1,2}(?::\d{2}(?!\d)|\s?時\s?\d{1,2}|\.\d{2}\s?Uhr\b)"
)


_CREDIT_WORD = r"(?:pictures?|photos?|photograph|images?|credits?|fotos?|bild(?:er)?)"
_CAPTION_LINE = re.compile(r"\(" + _CREDIT_WORD + r"\s*:\s*[^()]{1,60}\)\s*$", re.I)
# "… empfing am Montag nur 14 Kinder © VS Tristach": a caption that ends in its picture's
# copyright holder.  Article sentences do not end in a © notice.
_COPYRIGHT_CREDIT = re.compile(r"©\s*[^©.!?]{1,60}$")
_CREDIT_LINE = re.compile(r"^\(?" + _CREDIT_WORD + r"\s*:\s*[^()]{1,60}\)?$", re.I)


# --------------------------------------------------------------------------- removal


def _strip_boilerplate_tags(soup: BeautifulSoup) -> None:
    for tag in all_tags(soup):
        if _gone(tag):
            continue
        if tag.name in _STRIP_TAGS or _is_hidden(tag):
            tag.decompose()


def _gone(tag: Tag) -> bool:
    # Not ``tag.decomposed``: on a live Tag that getattr falls through to a subtree search.
    return bool(tag.__dict__.get("_decomposed"))


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if "hidden" in attrs:
        # React's streaming server rendering sends each finished part of the page in a
        # ``<div hidden id="S:…">`` that a script then moves into place: shown content.
        ident = attrs.get("id")
        return not (isinstance(ident, str) and _STREAMED_PART.match(ident))
    if attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if isinstance(style, str) and "none" in style:
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


_STREAMED_PART = re.compile(r"S:[0-9a-z]+\Z")


def _has_negative_hint(hints: str) -> bool:
    return bool(_NEGATIVE_HINT.search(_split_camel_case(hints)))


def _split_camel_case(hints: str) -> str:
    """CSS-module class names run words together in camelCase ("Article_elementPoll",
    "relatedArticles"): a word starting in capitals after a lower-case letter is a word."""
    return _CAMEL_BOUNDARY.sub("-", hints)


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _hint_text(tag: Tag) -> str:
    values = []
    for attr in ("class", "id", "itemprop", "role"):
        value = tag.attrs.get(attr)
        if isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
        elif isinstance(value, str):
            values.append(value)
    return " ".join(values)


def _clean_container(container: Tag, stats: _TextStats) -> None:
    """Cut what is inside the article container but not article text."""
    total = max(stats.length(container), 1)
    for tag in all_tags(container):
        if _gone(tag):
            continue
        name = tag.name
        if name == "h1":  # the title: a field of its own, not body text
            tag.decompose()
            continue
        hints = _hint_text(tag)
        if (
            hints
            and name not in _PROTECTED_TAGS
            and not (name == "a" and _is_inline_link(tag, stats))
            and _has_negative_hint(hints)
            and not _BODY_HINT.search(hints)
            and not _is_lead_teaser(tag, container, hints, stats)
            # a wrapper holding most of the text is not boilerplate whatever its class says
            and stats.length(tag) < 0.4 * total
        ):
            tag.decompose()
        elif name in _LINK_LIST_TAGS and _is_link_list(tag, stats) or (
            name == "a" and _is_link_line(tag)
        ) or (name == "p" and (_is_labelled_link(tag, stats) or _is_image_caption(tag, stats))):
            _cut_lead_in(tag)
            tag.decompose()


def _is_inline_link(link: Tag, stats: _TextStats) -> bool:
    """A link inside a sentence: its class names what it points to ("textTag" for a topic
    page), not a box of chrome, and cutting it would cut words out of the sentence."""
    for level, parent in enumerate(link.parents):
        if level >= _MAX_CLIMB:
            return False
        block_length = stats.length(parent)
        if block_length:
            return block_length >= _MIN_PROSE_BLOCK and _text_length(link) < 0.5 * block_length
    return False


_MIN_PROSE_BLOCK = 80


def _text_length(tag: Tag) -> float:
    """Visible characters of a short element; infinite for one too big to count."""
    length = 0
    for node in _bounded_nodes(tag):
        if node is None:
            return float("inf")
        if type(node) is NavigableString:
            length += len(node) - sum(map(str.isspace, node))
    return length


def _is_lead_teaser(tag: Tag, container: Tag, hints: str, stats: _TextStats) -> bool:
    """German CMSes call the article's own lead its "teaser" (``teaser_text``): the
    container's first text, with no link.  A teaser for another story links to it, and
    sits among or after the paragraphs."""
    words = {match.group().lower()
             for match in _NEGATIVE_HINT.finditer(_split_camel_case(hints))}
    return (words == {"teaser"} and stats.length(tag) > 0 and not stats.links.get(id(tag))
            and _opens(tag, container))


def _opens(tag: Tag, container: Tag) -> bool:
    """No text comes before ``tag`` in ``container`` (looked for over a bounded stretch)."""
    for count, element in enumerate(tag.previous_elements):
        if element is container:
            return True
        if count == _MAX_LEAD_LOOKBACK:
            return False
        if type(element) is NavigableString and not element.isspace():
            return False
    return False


_MAX_LEAD_LOOKBACK = 200


_LINK_LIST_TAGS = frozenset({"ul", "ol", "p", "div", "li", "section", "table", "dl"})


def _is_link_list(tag: Tag, stats: _TextStats) -> bool:
    """"Read more" / "Related" blocks: mostly link text."""
    length = stats.length(tag)
    if not length:
        return False
    ratio = stats.links.get(id(tag), 0) / length
    if tag.name in ("ul", "ol", "dl"):
        return ratio > 0.5
    return ratio > 0.7 and length < 300


def _is_labelled_link(paragraph: Tag, stats: _TextStats) -> bool:
    """A paragraph that is a short label ending in a separator, then one link to the end:
    "Read also | <a>headline</a>", "LIRE AUSSI : <a>…</a>", in whatever language — the
    label's own words need not be known, its shape says it is one."""
    links = stats.links.get(id(paragraph), 0)
    if not links or stats.length(paragraph) > _MAX_LABELLED_LINK:
        return False
    label: list[str] = []
    seen_link = False
    for node in _bounded_nodes(paragraph):
        if node is None:
            return False
        if type(node) is not NavigableString or node.isspace():
            continue
        in_link = any(parent.name == "a" for parent in _parents_within(node, paragraph))
        if in_link:
            seen_link = True
        elif seen_link:
            return False  # text after the link: a sentence that contains one
        else:
            label.append(str(node))
    text = "".join(label).strip()
    return (seen_link and 0 < len(text) <= _MAX_LINK_LABEL
            and text.endswith(_LABEL_SEPARATORS))


def _is_image_caption(paragraph: Tag, stats: _TextStats) -> bool:
    """A picture, a line break, then a line in italics, all in one paragraph: the caption
    an editor typed under a picture where the CMS has no ``<figcaption>``.  (Italic text
    beside a floated picture, on the same line, is text.)"""
    length = stats.length(paragraph)
    if not length or length > _MAX_CAPTION:
        return False
    stage = 0  # 1: a picture seen, 2: then a line break
    for node in _bounded_nodes(paragraph):
        if node is None:
            return False
        if type(node) is Tag:
            if node.name == "img" and stage == 0:
                stage = 1
            elif node.name == "br" and stage == 1:
                stage = 2
            continue
        if type(node) is not NavigableString or node.isspace():
            continue
        if stage < 2 or not any(
            parent.name in _ITALIC_TAGS for parent in _parents_within(node, paragraph)
        ):
            return False
    return stage == 2


_MAX_CAPTION = 300
_ITALIC_TAGS = frozenset({"em", "i"})


def _parents_within(node: PageElement, ancestor: Tag) -> Iterator[Tag]:
    """``node``'s ancestors below ``ancestor``, the nearest ``_MAX_CLIMB`` of them."""
    for level, parent in enumerate(node.parents):
        if parent is ancestor or level >= _MAX_CLIMB:
            return
        yield parent


def _bounded_nodes(tag: Tag) -> Iterator[PageElement | None]:
    """``tag``'s descendants, or None for the rest once there are too many to be the
    one short paragraph these tests look for: a hostile page's deep nest of tags costs
    no more than a short walk."""
    for count, node in enumerate(tag.descendants):
        if count == _MAX_PARAGRAPH_NODES:
            yield None
            return
        yield node


_MAX_PARAGRAPH_NODES = 300


_MAX_LABELLED_LINK = 300
_MAX_LINK_LABEL = 40
_LABEL_SEPARATORS = (":", "|", "\uff1a", "»", "›", ">", "–", "—")


def _is_link_line(link: Tag) -> bool:
    """A link alone on its line of a container's ``<br>``-separated text: the "Read: …"
    line or mirror address an old CMS puts among the paragraphs, where a newer one would
    give it a ``<p>`` of its own (which ``_is_link_list`` cuts)."""
    parent = link.parent
    if parent is None or parent.name not in _RUN_CONTAINERS:
        return False
    before = _line_edge(link.previous_siblings)
    if before is None:
        return False
    after = _line_edge(link.next_siblings)
    return after is not None and "br" in (before, after)


def _line_edge(siblings: Iterator[PageElement]) -> str | None:
    """What ends the line on one side of an element: "br", "block" (a block element or the
    container's edge), or None when more text or inline content shares the line."""
    for count, sibling in enumerate(siblings):
        if count == _MAX_SIBLINGS:
            return None
        if type(sibling) is Tag:
            name = sibling.name
            return "br" if name == "br" else "block" if name in BLOCK_TAGS else None
        if isinstance(sibling, NavigableString) and (
            type(sibling) is not NavigableString or sibling.isspace()
        ):
            continue  # whitespace, a comment
        return None
    return "block"


# How many siblings a line's edge is looked for among: bounds the work on hostile pages.
_MAX_SIBLINGS = 20


def _cut_lead_in(links: Tag) -> None:
    """Cut the short line ending in a colon just before a link list being cut ("Related:",
    "… can also be accessed at the following addresses:"): it introduces nothing now."""
    for count, sibling in enumerate(links.previous_siblings):
        if count == _MAX_SIBLINGS:
            return
        if type(sibling) is Tag:
            name = sibling.name
            if name == "br":
                continue
            if name not in _LEAD_IN_TAGS or (
                name not in BLOCK_TAGS and _line_edge(sibling.previous_siblings) is None
            ):
                return  # not a line of its own
            text = sibling.get_text().strip()
            if text.endswith(_COLONS) and len(text) < _MAX_LEAD_IN:
                sibling.decompose()
            return
        if type(sibling) is not NavigableString:
            continue  # a comment
        text = sibling.strip()
        if not text:
            continue
        if (text.endswith(_COLONS) and len(text) < _MAX_LEAD_IN
                and _line_edge(sibling.previous_siblings) is not None):
            sibling.replace_with("")
        return


_COLONS = (":", "\uff1a")
_MAX_LEAD_IN = 150
# Elements that can be a line of text of their own (not a table, a list, a wrapper…).
_LEAD_IN_TAGS = frozenset("p div h2 h3 h4 h5 h6 strong b em span".split())


# --------------------------------------------------------------------------- scoring


# How far up a text node looks for its block, and how far up a block's length is summed:
# bounds the work on hostile nesting (lxml keeps 20,000-deep trees).
_MAX_CLIMB = 100
_MAX_SUM_LEVELS = 40


class _TextStats:
    """Text and link-text lengths per element, summed from the paragraph blocks below it."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.blocks = _paragraph_blocks(soup)
        self.text: dict[int, int] = {}
        self.links: dict[int, int] = {}
        for block, length, link_length, _commas, _runs in self.blocks:
            level = 0
            element: Tag | None = block
            while element is not None and level < _MAX_SUM_LEVELS:
                key = id(element)
                self.text[key] = self.text.get(key, 0) + length
                self.links[key] = self.links.get(key, 0) + link_length
                element = element.parent
                level += 1

    def length(self, tag: Tag) -> int:
        return self.text.get(id(tag), 0)

    def link_density(self, tag: Tag) -> float:
        length = self.text.get(id(tag), 0)
        return min(self.links.get(id(tag), 0) / length, 1.0) if length else 1.0


def _main_containers(soup: BeautifulSoup, stats: _TextStats) -> list[Tag]:
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for block, length, link_length, commas, runs in stats.blocks:
        if block.name in _RUN_CONTAINERS and (
            len(runs) > 1 or stats.length(block) > length
        ):
            # Text straight inside a container beside <br>s or child blocks: each run is a
            # paragraph of its own whose parent is this block (readability wraps such runs
            # in <p>s), so an old CMS's <br><br>-separated article scores as paragraphs do.
            for run_length, run_links, run_commas in runs:
                if run_length >= _MIN_PARAGRAPH and not (
                    block.name == "td" and run_links > run_length / 2
                ):
                    _give_points(block, _points(run_length, run_links, run_commas),
                                 scores, elements)
            continue
        if length < _MIN_PARAGRAPH or block.name in ("li", "td") and link_length > length / 2:
            continue
        if block.parent is not None:
            _give_points(block.parent, _points(length, link_length, commas), scores, elements)
    if not scores:
        return []

    final = {key: _final_score(elements[key], score, stats) for key, score in scores.items()}
    story = _first_story(stats)
    if story is not None:
        inside = {key: score for key, score in final.items() if _within(elements[key], story)}
        final = inside or final
    top_key = max(final, key=final.__getitem__)
    top = elements[top_key]
    explicit = _explicit_body(soup, top, stats)
    if explicit is not None:
        return [explicit]
    chunks = _same_class_chunks(soup, _classed_wrapper(top), stats)
    if story is not None and _within(top, story):
        chunks = [chunk for chunk in chunks if _within(chunk, story)]
    if len(chunks) > 1:
        return chunks
    return _with_siblings(top, final[top_key], final, stats)


def _first_story(stats: _TextStats) -> Tag | None:
    """Pages that load the next story as the reader scrolls hold several ``<article>``s,
    each with its own ``<h1>``: the page's own story is the first; the ones after it (often
    longer) are other stories.  None when the page has no more than one such article."""
    stories: list[Tag] = []
    for block, *_ in stats.blocks:
        if block.name != "h1":
            continue
        for level, parent in enumerate(block.parents):
            if level >= _MAX_SUM_LEVELS:
                break
            if parent.name == "article":
                if not any(parent is story for story in stories):
                    stories.append(parent)
                break
    if len(stories) < 2 or _within(stories[1], stories[0]) or _within(stories[0], stories[1]):
        return None
    return stories[0]


def _within(tag: Tag, ancestor: Tag) -> bool:
    if tag is ancestor:
        return True
    for level, parent in enumerate(tag.parents):
        if parent is ancestor:
            return True
        if level >= _MAX_CLIMB:
            break
    return False


def _final_score(tag: Tag, score: float, stats: _TextStats) -> float:
    """A container's score for its link density; the share of it its tag and class hints
    gave counts in full only once it holds a few paragraphs' worth of text, so a class name
    alone does not make a one-line box ("subscribe to read on") the article.  Schema.org's
    ``itemprop=articleBody`` is markup for exactly this, not a guess from a class name: it
    keeps its weight."""
    initial = _initial_score(tag)
    if initial > 0 and not _ARTICLE_BODY_PROP.search(_string_attr(tag, "itemprop")):
        score -= initial * (1 - min(stats.length(tag) / _HINTED_LENGTH, 1.0))
    return score * (1 - stats.link_density(tag))


_HINTED_LENGTH = 500


def _points(length: int, link_length: int, commas: int) -> float:
    return (1 + commas + min(length / 100, 3)) * (1 - link_length / length)


def _give_points(
    parent: Tag, points: float, scores: dict[int, float], elements: dict[int, Tag]
) -> None:
    """A paragraph's points: full to its parent, half to the grandparent, then a sixth and
    a ninth."""
    level = 0
    ancestor: Tag | None = parent
    while ancestor is not None and level < 4:
        if ancestor.name in ("[document]", "html"):
            break
        key = id(ancestor)
        if key not in scores:
            elements[key] = ancestor
            scores[key] = _initial_score(ancestor)
        scores[key] += points / (1 if level == 0 else 2 if level == 1 else level * 3)
        level += 1
        ancestor = ancestor.parent


# Containers whose own text, when cut by <br>s or child blocks, is several paragraphs;
# a <p>, <li> or heading cut by a <br> is still one.
_RUN_CONTAINERS = frozenset(
    "div section article main td center blockquote body form dd".split()
)

_Block = tuple[Tag, int, int, int, list[list[int]]]


def _paragraph_blocks(soup: BeautifulSoup) -> list[_Block]:
    """Per nearest block ancestor of prose text: (text length, link text length, commas,
    runs), where runs are the same three figures for each stretch of that text that no
    ``<br>`` or other block interrupts: what ``block_paragraphs`` makes paragraphs of."""
    totals: dict[int, list] = {}
    owners: dict[int, Tag] = {}
    breaks = 0  # <br>s seen so far
    last_key = 0
    last_breaks = -1
    for node in soup.descendants:
        if type(node) is not NavigableString:
            if node.name == "br":
                breaks += 1
            continue
        length = len(node) - sum(map(str.isspace, node)) if len(node) < 64 else len("".join(node.split()))
        if not length:
            continue
        block = None
        in_link = False
        climbed = 0
        for parent in node.parents:
            name = parent.name
            if name in SKIP_TAGS:
                block = None
                break
            if name == "a":
                in_link = True
            if name in BLOCK_TAGS or name == "[document]":
                block = parent
                break
            climbed += 1
            if climbed > _MAX_CLIMB:
                break
        if block is None:
            continue
        key = id(block)
        commas = len(_COMMAS.findall(node))
        entry = totals.get(key)
        if entry is None:
            run = [length, length if in_link else 0, commas]
            entry = totals[key] = [0, 0, 0, [run]]
            owners[key] = block
        else:
            runs = entry[3]
            if key == last_key and breaks == last_breaks:
                run = runs[-1]
            else:
                run = [0, 0, 0]
                runs.append(run)
            run[0] += length
            if in_link:
                run[1] += length
            run[2] += commas
        last_key, last_breaks = key, breaks
        entry[0] += length
        if in_link:
            entry[1] += length
        entry[2] += commas
    return [(owners[key], v[0], v[1], v[2], v[3]) for key, v in totals.items()]


_TAG_SCORES = {
    "div": 5, "article": 10, "main": 5, "section": 2, "pre": 3, "td": 3, "blockquote": 3,
    "address": -3, "ol": -3, "ul": -3, "li": -3, "dl": -3, "dd": -3, "dt": -3, "form": -3,
    "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5, "th": -5, "body": -5,
}


def _initial_score(tag: Tag) -> float:
    score: float = _TAG_SCORES.get(tag.name, 0)
    hints = _hint_text(tag)
    if hints:
        if _BODY_HINT.search(hints) or "articleBody" in hints:
            score += 40
        elif _has_negative_hint(hints):
            score -= 25
        elif _POSITIVE_HINT.search(hints):
            score += 25
    return score


def _explicit_body(soup: BeautifulSoup, top: Tag, stats: _TextStats) -> Tag | None:
    """An ``itemprop=articleBody`` container, when it is the article rather than a teaser."""
    marked = next((tag for tag in soup.descendants if isinstance(tag, Tag)
                   and _ARTICLE_BODY_PROP.search(_string_attr(tag, "itemprop"))), None)
    if marked is None:
        return None
    if marked is top or any(parent is marked for parent in top.parents):
        return marked  # the scorer found a part of it; take all of it
    return marked if stats.length(marked) >= 0.6 * stats.length(top) else None


_ARTICLE_BODY_PROP = re.compile(r"\barticleBody\b")


def _string_attr(tag: Tag, name: str) -> str:
    """An attribute as ``find(attrs={name: pattern})`` searches it: missing is no match."""
    value = tag.attrs.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value if isinstance(value, str) else ""


_PROSE_CHUNK = 200


def _classed_wrapper(top: Tag) -> Tag:
    """A class-less best container that is the only child of a classed wrapper or two
    (``<div class="article-text"><div><p>…``): the wrapper is what the chunks repeat."""
    tag = top
    for _ in range(2):
        if tag.get("class"):
            return tag
        parent = tag.parent
        if parent is None or parent.name in ("body", "html", "[document]") or any(
            isinstance(child, Tag) and child is not tag for child in parent.children
        ):
            return top
        tag = parent
    return tag if tag.get("class") else top


def _same_class_chunks(soup: BeautifulSoup, top: Tag, stats: _TextStats) -> list[Tag]:
    """Some templates cut the text into chunks between ads and embeds, each wrapped several
    levels deep (Condé Nast's ``body__inner-container``), so they are cousins, not siblings:
    the chunks are the nearby elements with the same tag and class as the best one."""
    top_class = top.get("class")
    if not top_class:
        return []
    nearby = set()
    for level, ancestor in enumerate(top.parents):
        if level >= 6 or ancestor.name in ("body", "html", "[document]"):
            break
        nearby.add(id(ancestor))
    # A chunk may carry modifier classes the best one lacks ("RichText RichText--last"):
    # leading with the same content-naming class ("RichText", "article-text") will do for
    # one that is clearly prose.
    lead = top_class[0] if _POSITIVE_HINT.search(top_class[0]) else None
    chunks = []
    for tag in all_tags(soup, top.name):
        tag_class = tag.get("class")
        if tag_class != top_class and not (
            lead and tag_class and tag_class[0] == lead
            and stats.length(tag) >= _PROSE_CHUNK and stats.link_density(tag) < 0.2
        ):
            continue
        if tag is not top and (
            stats.length(tag) < 100
            or stats.link_density(tag) > 0.3
            or not any(id(p) in nearby for _, p in zip(range(8), tag.parents))
        ):
            continue
        if chunks and any(p is chunks[-1] for p in tag.parents):
            continue  # nested inside the previous chunk
        chunks.append(tag)
    return chunks


def _with_siblings(
    top: Tag, top_score: float, scores: dict[int, float], stats: _TextStats
) -> list[Tag]:
    """Templates split one article over sibling <div>s (text, ad slot, more text)."""
    parent = top.parent
    if parent is None:
        return [top]
    threshold = max(10.0, top_score * 0.2)
    top_class = top.get("class")
    chosen: list[Tag] = []
    for sibling in parent.children:
        if not isinstance(sibling, Tag):
            continue
        if sibling is top:
            chosen.append(sibling)
            continue
        hints = _hint_text(sibling)
        if hints and _has_negative_hint(hints) and not _BODY_HINT.search(hints):
            continue  # the comments or "related" box beside the article
        bonus = top_score * 0.2 if top_class and sibling.get("class") == top_class else 0
        if scores.get(id(sibling), 0) + bonus >= threshold:
            chosen.append(sibling)
        elif sibling.name == "p" and stats.length(sibling) > 80 and stats.link_density(sibling) < 0.25:
            chosen.append(sibling)
    return chosen


def _dedupe(paragraphs: list[str]) -> list[str]:
    """Mobile/desktop twins repeat a paragraph verbatim: keep the first.  A short line that
    recurs ("Article content" between every paragraph) is template chrome: drop it all; but
    a table's header row, repeated in its footer or by the next table, is kept once."""
    counts: dict[str, int] = {}
    for paragraph in paragraphs:
        counts[paragraph] = counts.get(paragraph, 0) + 1
    seen: set[str] = set()
    unique = []
    for paragraph in paragraphs:
        if paragraph in seen or (counts[paragraph] > 1 and len(paragraph) < 40
                                 and TABLE_CELL_SEPARATOR not in paragraph):
            continue
        seen.add(paragraph)
        unique.append(paragraph)
    return unique
