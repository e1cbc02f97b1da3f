"""Choosing the article's containers with a readability-style scorer.

Every paragraph-like block gives points (more for long, comma-rich, link-poor text) to its
parent and grandparents (a container's own text, cut into lines by ``<br>``s as old CMSes
write articles, counts as paragraphs that are its children, as readability wraps such runs
in ``<p>``s); the best-scoring container, adjusted for its link density and class/id hints,
is the article, together with those of its siblings that score nearly as well, or with the
chunks of the same class a template cut the text into.

All tree walks are loops over bs4's own iterators (``descendants``, ``parents``): hostile
pages nest thousands deep and must not hit the recursion limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Tag

from scraper.sites.body.hints import has_negative_hint, hint_text, string_attr
from scraper.sites.body.text_stats import MAX_CLIMB, MAX_SUM_LEVELS, TextStats
from scraper.sites.body.vocabulary import (
    ARTICLE_BODY_PROP,
    BODY_HINT,
    POSITIVE_HINT,
    RUN_CONTAINERS,
    TAG_SCORES,
)
from scraper.sites.html import all_tags

_MIN_PARAGRAPH = 25


@dataclass(frozen=True)
class Reading:
    """The elements chosen as the article text, in page order, with every candidate's
    final score: what a second reading turns to when the choice looks weak."""

    containers: list[Tag]
    scores: dict[int, float] = field(default_factory=dict)
    elements: dict[int, Tag] = field(default_factory=dict)

    def runner_up(self) -> Tag | None:
        """The best-scoring candidate outside the chosen containers (and not around them)."""
        best: Tag | None = None
        best_score = 0.0
        for key, score in self.scores.items():
            element = self.elements[key]
            if score > best_score and not any(
                within(element, tag) or within(tag, element) for tag in self.containers
            ):
                best, best_score = element, score
        return best


def main_containers(soup: BeautifulSoup, stats: TextStats) -> Reading:
    """The elements that hold the article text; none on a page without prose."""
    scores, elements = _scores(stats)
    if not scores:
        return Reading([])
    final = {key: _final_score(elements[key], score, stats) for key, score in scores.items()}
    story = _first_story(stats)
    if story is not None:
        inside = {key: score for key, score in final.items() if within(elements[key], story)}
        final = inside or final
    return Reading(_chosen(soup, final, elements, stats, story), final, elements)


def _scores(stats: TextStats) -> tuple[dict[int, float], dict[int, Tag]]:
    """Every container's points from the paragraph blocks below it."""
    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for block, length, link_length, commas, runs in stats.blocks:
        if block.name in RUN_CONTAINERS and (len(runs) > 1 or stats.length(block) > length):
            # Text straight inside a container beside <br>s or child blocks: each run is a
            # paragraph of its own whose parent is this block (readability wraps such runs
            # in <p>s), so an old CMS's <br><br>-separated article scores as paragraphs do.
            for run_length, run_links, run_commas in runs:
                if run_length >= _MIN_PARAGRAPH and not (
                    block.name == "td" and run_links > run_length / 2
                ):
                    _give_points(
                        block, _points(run_length, run_links, run_commas), scores, elements
                    )
            continue
        if length < _MIN_PARAGRAPH or block.name in ("li", "td") and link_length > length / 2:
            continue
        if block.parent is not None:
            _give_points(block.parent, _points(length, link_length, commas), scores, elements)
    return scores, elements


def _chosen(
    soup: BeautifulSoup,
    final: dict[int, float],
    elements: dict[int, Tag],
    stats: TextStats,
    story: Tag | None,
) -> list[Tag]:
    top_key = max(final, key=final.__getitem__)
    top = elements[top_key]
    explicit = _explicit_body(soup, top, stats)
    if explicit is not None:
        return [explicit]
    chunks = _same_class_chunks(soup, _classed_wrapper(top), stats)
    if story is not None and within(top, story):
        chunks = [chunk for chunk in chunks if within(chunk, story)]
    if len(chunks) > 1:
        return chunks
    return _with_siblings(top, final[top_key], final, stats)


def _first_story(stats: TextStats) -> Tag | None:
    """Pages that load the next story as the reader scrolls hold several ``<article>``s,
    each with its own ``<h1>``: the page's own story is the first; the ones after it (often
    longer) are other stories.  None when the page has no more than one such article."""
    stories: list[Tag] = []
    first = True
    for block, *_ in stats.blocks:
        if block.name != "h1":
            continue
        story = None
        for level, parent in enumerate(block.parents):
            if level >= MAX_SUM_LEVELS:
                break
            if parent.name == "article":
                story = parent
                break
        if first and story is None:
            return None  # the page's headline stands outside them: they are cards, teasers
        first = False
        if story is not None and not any(story is known for known in stories):
            stories.append(story)
    if len(stories) < 2 or within(stories[1], stories[0]) or within(stories[0], stories[1]):
        return None
    return stories[0]


def within(tag: Tag, ancestor: Tag) -> bool:
    """``tag`` is ``ancestor`` or below it (looked for ``MAX_CLIMB`` levels up: hostile
    pages nest thousands deep)."""
    if tag is ancestor:
        return True
    for level, parent in enumerate(tag.parents):
        if parent is ancestor:
            return True
        if level >= MAX_CLIMB:
            break
    return False


def _final_score(tag: Tag, score: float, stats: TextStats) -> float:
    """A container's score for its link density; the share of it its tag and class hints
    gave counts in full only once it holds a few paragraphs' worth of text, so a class name
    alone does not make a one-line box ("subscribe to read on") the article.  Schema.org's
    ``itemprop=articleBody`` is markup for exactly this, not a guess from a class name: it
    keeps its weight."""
    initial = _initial_score(tag)
    if initial > 0 and not ARTICLE_BODY_PROP.search(string_attr(tag, "itemprop")):
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


def _initial_score(tag: Tag) -> float:
    score: float = TAG_SCORES.get(tag.name, 0)
    hints = hint_text(tag)
    if hints:
        if BODY_HINT.search(hints) or "articleBody" in hints:
            score += 40
        elif has_negative_hint(hints):
            score -= 25
        elif POSITIVE_HINT.search(hints):
            score += 25
    return score


def _explicit_body(soup: BeautifulSoup, top: Tag, stats: TextStats) -> Tag | None:
    """An ``itemprop=articleBody`` container, when it is the article rather than a teaser."""
    marked = next(
        (
            tag
            for tag in soup.descendants
            if isinstance(tag, Tag) and ARTICLE_BODY_PROP.search(string_attr(tag, "itemprop"))
        ),
        None,
    )
    if marked is None:
        return None
    if marked is top or any(parent is marked for parent in top.parents):
        return marked  # the scorer found a part of it; take all of it
    return marked if stats.length(marked) >= 0.6 * stats.length(top) else None


_PROSE_CHUNK = 200


def _classed_wrapper(top: Tag) -> Tag:
    """A class-less best container that is the only child of a classed wrapper or two
    (``<div class="article-text"><div><p>…``): the wrapper is what the chunks repeat."""
    tag = top
    for _ in range(2):
        if tag.get("class"):
            return tag
        parent = tag.parent
        if (
            parent is None
            or parent.name in ("body", "html", "[document]")
            or any(isinstance(child, Tag) and child is not tag for child in parent.children)
        ):
            return top
        tag = parent
    return tag if tag.get("class") else top


def _same_class_chunks(soup: BeautifulSoup, top: Tag, stats: TextStats) -> list[Tag]:
    """Some templates cut the text into chunks between ads and embeds, each wrapped several
    levels deep (Condé Nast's ``body__inner-container``), so they are cousins, not siblings:
    the chunks are the nearby elements with the same tag and class as the best one."""
    top_class = top.get("class")
    if not top_class:
        return []
    nearby = set()
    for level, ancestor in enumerate(top.parents):
        if level >= _CHUNK_COUSIN_LEVELS or ancestor.name in ("body", "html", "[document]"):
            break
        nearby.add(id(ancestor))
    # A chunk may carry modifier classes the best one lacks ("RichText RichText--last"):
    # leading with the same content-naming class ("RichText", "article-text") will do for
    # one that is clearly prose.
    lead = top_class[0] if POSITIVE_HINT.search(top_class[0]) else None
    chunks: list[Tag] = []
    for tag in all_tags(soup, top.name):
        tag_class = tag.get("class")
        if tag_class != top_class and not (
            lead
            and tag_class
            and tag_class[0] == lead
            and stats.length(tag) >= _PROSE_CHUNK
            and stats.link_density(tag) < 0.2
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


# How far up the chunks' shared ancestor may be: a page builder's grid (HubSpot's rows,
# cells and module wrappers) sets each rich-text module seven levels below the row they
# share; ten levels up reaches other parts of the page.
_CHUNK_COUSIN_LEVELS = 8


def _with_siblings(
    top: Tag, top_score: float, scores: dict[int, float], stats: TextStats
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
        hints = hint_text(sibling)
        if hints and has_negative_hint(hints) and not BODY_HINT.search(hints):
            continue  # the comments or "related" box beside the article
        bonus = top_score * 0.2 if top_class and sibling.get("class") == top_class else 0
        if scores.get(id(sibling), 0) + bonus >= threshold:
            chosen.append(sibling)
        elif (
            sibling.name == "p"
            and stats.length(sibling) > 80
            and stats.link_density(sibling) < 0.25
        ):
            chosen.append(sibling)
    return chosen
