"""The generic page object on real pages it once wrecked (body F1 under 0.5 in
``bench/extraction.py``'s corpora section, issue 26), each beside a synthetic page of the
same shape: the real page shows the rule holds on markup nobody invented, the synthetic one
what the rule is.

Each ``tests/fixtures/generic/<corpus>/<case>/meta.json`` holds the page's URL and
``expect``: sentences of the page's ground truth the body must hold (``present``) and
chrome it must not (``absent``); the licence and the source are in the LICENSE.md beside them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scraper.sites.body.confidence import ENCLOSING_STORY_NOTE
from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import decode_html
from tests.conftest import read_body

FIXTURES = Path(__file__).parent / "fixtures" / "generic"
# case: the rule it guards
CASES = {
    # the text cut into boxes that each hold little of it, all classed "skip-item"
    "wcxb-articles/mesh-wifi-guide": "boxes sharing a boilerplate-sounding class",
    # a list of agencies, one box each: the best box won, the other agencies were lost
    "wcxb-articles/social-media-agencies-list": "the container around the chosen section",
    # the whole article inside a <header class="section_blog-post-content">
    "wcxb-articles/article-in-header": "a landmark that holds the text is not cut",
    # a <nav> libxml2 leaves open round the rest of the page, article included
    "wcxb-articles/article-in-unclosed-nav": "a landmark that holds the text is not cut",
    # Elementor: each part of the text in a box of its own many levels below entry-content,
    # the page itself wrapped in the same "elementor-widget-wrap" boxes, a box's hex id
    # holding "ad"
    "wcxb-articles/elementor-post": "the text box around the choice; builder boxes shared",
    # a guide's sections, each a box nested deep inside the one <article>
    "wcxb-articles/sections-in-article": "the text box around the choice",
    # a blog whose every section heading is an <h1>, like its title
    "wcxb-articles/headings-all-h1": "only the first <h1> is the title",
    # HubSpot: rich-text modules, each seven levels below the grid row they share
    "wcxb-articles/rich-text-modules-in-grid": "chunks of one class further apart",
    # a recipe's 570-character summary box above the recipe, in another region of the page
    "wcxb-articles/recipe-below-its-summary-box": "a choice under 800 characters is doubted",
    # an event's page beside a column listing the library's other events, longer than it
    "wcxb-articles/event-beside-an-event-listing": "a listing is no runner-up",
    # a study's rankings, each a table in WordPress's <figure class="wp-block-table">
    "wcxb-articles/tables-in-wordpress-figures": "a <figure> round a table is text",
    # a guide in no <article>, under a carousel of other guides, each card an <article>
    # with an <h1> of its own
    "wcxb-articles/guide-beside-cards-with-headlines": "cards are not the page's story",
    # the lead in a <div class="leader"> beside the text's container, a level up
    "trafilatura-eval/leader-box": "the lead the markup names, before the text",
    # subheadings anchored for the page's table of contents ("nav_nur_die_folie__1")
    "trafilatura-eval/subheading-anchors": "an id that anchors its heading",
    # the lead in a <div class="field field-perex">, a sibling of the body's field
    "trafilatura-eval/perex-lead": "the lead the markup names, before the text",
    # an unnamed standfirst right under the <h1>, a level above the text's box
    "trafilatura-eval/lead-under-headline": "the sentences right under the headline",
    # the lead as the last block of the box that holds the headline
    "trafilatura-eval/lead-closing-headline-box": "the lead closing the headline's box",
    # the lead in a <p class="DefaultEinleitung"> above the text's frame
    "trafilatura-eval/einleitung-lead": "the lead the markup names, before the text",
    # a short story beside a longer cookie notice that shares no word with its headline
    "trafilatura-eval/story-beside-cookie-notice": "the text about the headline",
    # a blog post in page-builder boxes, the best of them not about the headline, in a
    # page wrapper that also holds excerpts of related posts
    "trafilatura-eval/post-in-builder-boxes-beside-related": "the nearest box about it",
    # an open letter, and below it, in a table, its signatories one <br> apart
    "trafilatura-eval/letter-above-its-signatories": "lines of names are no prose",
    # a football match's live ticker, each entry a "live-match-comment"
    "trafilatura-eval/live-match-commentary": "a live ticker's comments are its text",
    # a blog post that is a list of links to the day's reading, each "via" its source
    "trafilatura-eval/link-roll-post": "links that are all the text are kept",
    # a Blogger post rendered from a script, and shipped again in a <noscript>
    "trafilatura-eval/post-in-noscript": "a <noscript> that holds the post is read",
    # post_class(): "tag-canon-powershot-s110" beside "hentry"
    "trafilatura-eval/wordpress-post-classes": "hentry names the post",
    # every section "TestReport__Section--Ads"
    "trafilatura-eval/sections-with-ad-modifier": "an advert word in a BEM modifier",
    # a news agency's story, 600 characters, in an <aside>
    "trafilatura-eval/story-in-aside": "a landmark holding most of the page is read",
    # the <header role="banner"> left open round the whole page
    "trafilatura-eval/page-in-unclosed-header": "a landmark holding most of the page is read",
    # a journal article's reference list, longer and richer in commas than its abstract
    "trafilatura-eval/references-list": "a reference list is no article text",
    # a city's page whose mega-menu, under <h1>s of its own, holds long teasers
    "trafilatura-eval/teasers-in-mega-menu": "a <nav> holds the text only round <main>",
    # documentation sections anchored by their headings' slugs ("sharing-with-…")
    "readability/section-anchors-named-like-chrome": "an id that anchors its heading",
    # a table whose column is headed "Comment", two thirds of the way through the text
    "readability/table-comment-column": "a lone 'Comment' is no comment thread's heading",
}


def _body(case: str) -> tuple[str, dict]:
    directory = FIXTURES / case
    meta = json.loads((directory / "meta.json").read_text("utf-8"))
    html = decode_html(gzip.decompress((directory / "page.html.gz").read_bytes()))
    item = GenericArticlePage(meta["url"], html).to_item()
    return (item.body if item is not None else ""), meta


@pytest.mark.parametrize("case", sorted(CASES))
def test_real_page_keeps_its_text(case: str) -> None:
    body, meta = _body(case)
    body = " ".join(body.split())  # as the corpora are scored: a line break is a space
    for sentence in meta["expect"]["present"]:
        assert " ".join(sentence.split()) in body, f"{case}: missing {sentence!r}"
    for chrome in meta["expect"]["absent"]:
        assert " ".join(chrome.split()) not in body, f"{case}: kept {chrome!r}"


def _sentences(word: str, count: int = 3) -> str:
    return " ".join(
        f"This is sentence {n} about {word}, which goes on for a while, as prose does, "
        "with commas and a full stop at its end."
        for n in range(count)
    )


def _entry_body(inner: str) -> str:
    """The body read from a post whose ``<article class="entry-content">`` holds ``inner``."""
    html = (
        "<html><head><title>Post</title></head><body><article class='entry-content'>"
        f"<h1>Post</h1>{inner}</article></body></html>"
    )
    return read_body("https://example.com/post", html)


@pytest.mark.parametrize(
    ("box", "parts", "chrome", "chrome_text"),
    [
        # A page builder calls every box a "widget": each holds a small share of the text,
        # so each alone looks like a box of chrome inside the article.
        (
            '<div class="section-widget"><h2>Part {n}</h2><p>{text}</p></div>',
            5,
            '<div class="share-widget"><a href="/x">Share on X</a> <a href="/f">Facebook</a></div>',
            "Share on X",
        ),
        # "elementor-element-5f18ad9": "ad" between two digits is part of a hash
        (
            "<div class='box box-{n}f18ad9'><p>{text}</p></div>",
            3,
            "<div class='ad-slot'><p>Buy our gadget now, the best gadget money can buy, "
            "really.</p></div>",
            "Buy our gadget",
        ),
        # BEM: every section of a test report may carry an ad ("Section--Ads"); an ad card
        # ("card--ad") holds little of the text
        (
            "<section class='Report__Section Report__Section--Ads'><p>{text}</p></section>",
            4,
            "<div class='card card--ad'><p>Buy our gadget now, the best gadget money can "
            "buy, really.</p></div>",
            "Buy our gadget",
        ),
    ],
    ids=[
        "boxes sharing a boilerplate class",
        "an advert word inside a hex id",
        "an advert word in a BEM modifier",
    ],
)
def test_boxes_of_the_text_named_like_chrome_are_kept_the_chrome_beside_them_cut(
    box: str, parts: int, chrome: str, chrome_text: str
) -> None:
    text = "".join(box.format(n=n, text=_sentences(f"part {n}")) for n in range(parts))
    body = _entry_body(f"<p>{_sentences('the start')}</p>{text}{chrome}")
    for n in range(parts):
        assert f"sentence 2 about part {n}," in body
    assert chrome_text not in body


def test_comment_boxes_sharing_a_class_are_cut_however_much_text_they_hold() -> None:
    # A thread of readers' comments is many prose boxes of one class too: what the boxes
    # are named for, not their share of the text, decides.
    comments = "".join(
        f'<div class="user-comment"><p>{_sentences(f"reader {n}")}</p></div>' for n in range(6)
    )
    body = _entry_body(
        f"<p>{_sentences('the story', 4)}</p><p>{_sentences('the end', 4)}</p>{comments}"
    )
    assert "sentence 3 about the end," in body
    assert "about reader" not in body


def list_article_html() -> str:
    """Each item of the list in a box of its own, its text a level deeper; the longest,
    comma-richest item outscores the list around it, which holds several times its prose."""

    def entry(n: int, count: int) -> str:
        return f"<div><h2>Agency {n}</h2><div><p>{_sentences(f'agency {n}', count)}</p></div></div>"

    return (
        "<html><head><title>Top agencies</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<h1>Top agencies</h1><div>{entry(0, 6)}{''.join(entry(n, 3) for n in range(1, 7))}"
        "</div><footer>Contact us</footer></body></html>"
    )


def test_text_modules_seven_levels_below_their_row_are_read_together() -> None:
    # A page builder's grid: row > cell > row-wrapper > row > cell > module > rich text.
    def module(n: int) -> str:
        return _deep(
            f"<span class='rich-text'><p>{_sentences(f'module {n}', 3)}</p></span>", depth=6
        )

    html = (
        "<html><head><title>Tips</title></head><body><main><h1>Tips</h1><div class='row'>"
        f"{module(0)}<div><a href='/a'>Apply now</a></div>{module(1)}{module(2)}"
        "</div></main></body></html>"
    )
    body = read_body("https://example.com/tips", html)
    for n in range(3):
        assert f"sentence 2 about module {n}," in body


def test_a_list_article_is_read_whole_not_its_best_section() -> None:
    item = GenericArticlePage("https://example.com/agencies", list_article_html()).to_item()
    assert item is not None
    for n in range(7):
        assert f"sentence 1 about agency {n}," in item.body
    assert any("second reading" in note for note in item.fallbacks)


def test_a_header_that_holds_the_article_is_read() -> None:
    # A template that wraps the whole article in its <header>: the tag says chrome, the
    # paragraphs inside say otherwise.
    paragraphs = "".join(f"<p>{_sentences(f'part {n}', 2)}</p>" for n in range(6))
    html = (
        "<html><head><title>Post</title></head><body><header><a href='/'>Home</a></header>"
        f"<header class='post'><h1>Post</h1>{paragraphs}</header>"
        "<footer><p>Copyright</p></footer></body></html>"
    )
    body = read_body("https://example.com/post", html)
    for n in range(6):
        assert f"sentence 1 about part {n}," in body
    assert "Home" not in body


def test_only_the_first_h1_is_the_title_the_others_head_sections() -> None:
    body = _entry_body(
        f"<p>{_sentences('the start', 2)}</p><h1>The second part</h1>"
        f"<p>{_sentences('the second part', 2)}</p>"
    )
    assert body.startswith("This is sentence 0 about the start,")
    assert "\n\nThe second part\n\n" in body


def test_a_header_left_open_round_the_page_is_read() -> None:
    # Broken markup leaves the site's <header role="banner"> open round everything: few
    # paragraphs, no <p> at all, but most of what the page says.
    lines = "".join(f"<div>{_sentences(f'part {n}', 2)}</div>" for n in range(3))
    html = (
        "<html><head><title>Post</title></head><body><header role='banner'>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<div class='story'><h1>Post</h1>{lines}</div>"
        "<footer><p>Copyright</p></footer></body></html>"
    )
    body = read_body("https://example.com/post", html)
    assert "sentence 1 about part 2," in body
    assert "Home" not in body


def test_a_short_story_in_an_aside_is_read_a_sidebar_never() -> None:
    story = (
        f"<aside class='direct-content'><h1>Story</h1><p>{_sentences('the story', 6)}</p></aside>"
    )
    html = (
        "<html><head><title>Story</title></head><body><nav><a href='/'>Home</a></nav>"
        f"{story}<footer><p>Contact us</p></footer></body></html>"
    )
    body = read_body("https://example.com/story", html)
    assert "sentence 3 about the story," in body
    # the same text in a box the page calls its sidebar is a widget, not the story
    sidebar = html.replace("direct-content", "widget-sidebar")
    assert GenericArticlePage("https://example.com/story", sidebar).to_item() is None


def test_a_wordpress_post_is_not_cut_for_its_tag_classes() -> None:
    # post_class() names every tag and category of the post ("tag-canon"); "hentry" says
    # the box is the post, whatever else its classes say.
    html = (
        "<html><head><title>Post</title></head><body><div class='content'>"
        "<div class='post hentry tag-canon category-photos'><h1>Post</h1>"
        f"<p>{_sentences('the post', 3)}</p></div>"
        f"<div class='respond'><p>{_sentences('the form', 5)}</p></div></div></body></html>"
    )
    body = read_body("https://example.com/post", html)
    assert "sentence 2 about the post," in body


def test_a_post_shipped_in_noscript_is_read_a_javascript_notice_is_not() -> None:
    # Blogger: the post in a <script type="text/template"> for the browser to render, and
    # again in a <noscript> for everyone else.
    post = "".join(f"<p>{_sentences(f'part {n}', 2)}</p>" for n in range(5))
    html = (
        "<html><head><title>Post</title></head><body><h1>Post</h1>"
        f"<div class='post-body'><script type='text/template'>{post}</script>"
        f"<noscript>{post}</noscript></div>"
        "<noscript><p>Please enable JavaScript to see the comments.</p></noscript>"
        "</body></html>"
    )
    body = read_body("https://example.com/post", html)
    assert "sentence 1 about part 4," in body
    assert body.count("sentence 1 about part 4,") == 1
    assert "JavaScript" not in body


def test_a_reference_list_is_not_read_as_the_text() -> None:
    citations = "".join(
        f"<li class='references__item'>Author {n}, A. B., Other, C. D., Third, E. ({n}). "
        "Sleep survey findings, "
        f"vol. {n}, pp. {n}-{n + 9}, doi, retrieved, archived.</li>"
        for n in range(40)
    )
    # The list outscores the abstract and shares the headline's words; its items, named
    # references, are cut from it, and the second reading finds the text about the headline.
    html = (
        "<html><head><title>Survey findings on sleep</title></head><body><article>"
        "<h1>Survey findings on sleep</h1>"
        f"<section><p>{_sentences('the survey findings on sleep', 4)}</p></section>"
        f"<div class='article__references'><h2>References</h2><ol>{citations}</ol></div>"
        "</article></body></html>"
    )
    body = read_body("https://example.com/doi", html)
    assert "sentence 3 about the survey findings on sleep," in body
    assert "Author 7" not in body


def test_a_mega_menu_of_teasers_is_not_the_text() -> None:
    # Each menu section under an <h1> of its own, with long teasers: long paragraphs that
    # are chrome, in a <nav> that holds no <main> or <article>.
    teasers = "".join(
        f"<li><h1>Section {n}</h1><p>{_sentences(f'teaser {n}', 2)}</p></li>" for n in range(6)
    )
    html = (
        f"<html><head><title>Old town</title></head><body><aside><nav><ul>{teasers}</ul>"
        f"</nav></aside><div id='content'><h2>Old town</h2><p>{_sentences('old town', 4)}"
        "</p></div></body></html>"
    )
    body = read_body("https://example.com/town", html)
    assert "sentence 3 about old town," in body
    assert "teaser" not in body


def test_a_section_anchored_by_its_heading_is_not_chrome_for_its_words() -> None:
    # "sharing-with-a-team" is the heading's slug, not a box of sharing buttons; a box
    # named for sharing is still cut.
    sections = "".join(
        f"<div class='section' id='sharing-with-team-{n}'><h2>Sharing with team {n}</h2>"
        f"<p>{_sentences(f'team {n}', 2)}</p></div>"
        for n in range(3)
    )
    toc_heading = "<h3 id='nav_what_the_results_show__1'>What the results show</h3>"
    body = _entry_body(
        f"<p>{_sentences('the start', 2)}</p>{sections}{toc_heading}"
        f"<p>{_sentences('the results', 2)}</p>"
        "<div id='sharing-buttons-box'><h3>Share this</h3><p>Share on X, Facebook, email, "
        "and more ways than we can count.</p></div>"
    )
    for n in range(3):
        assert f"sentence 1 about team {n}," in body
    assert "What the results show" in body  # a table of contents' anchor
    assert "Share on X" not in body


def _deep(content: str, depth: int = 7) -> str:
    return "<div class='box'>" * depth + content + "</div>" * depth


def sections_in_article_html(wrapper: str = "article") -> str:
    """A guide whose sections each sit in boxes ten deep inside its ``wrapper``: the
    scorer's points reach two levels up, and chunks of one class are looked for only eight
    levels up, so the best section wins alone."""
    sections = _deep(f"<h2>Step 0</h2><p>{_sentences('step 0', 6)}</p>", 10) + "".join(
        _deep(f"<h2>Step {n}</h2><p>{_sentences(f'step {n}', 2)}</p>", 10) for n in range(1, 8)
    )
    return (
        "<html><head><title>Guide</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<{wrapper}><h1>Guide</h1>{sections}</{wrapper.split()[0]}>"
        "<footer><p>Contact us</p></footer></body></html>"
    )


def test_the_article_around_a_deep_section_is_read_whole() -> None:
    item = GenericArticlePage("https://example.com/guide", sections_in_article_html()).to_item()
    assert item is not None
    for n in range(8):
        assert f"sentence 1 about step {n}," in item.body
    assert "Contact us" not in item.body
    assert ENCLOSING_STORY_NOTE in item.fallbacks


def test_a_page_column_around_the_choice_is_no_text_box() -> None:
    # "main-content" names a page's middle column (lists, teasers), not the text's box
    html = sections_in_article_html("div class='main-content'")
    item = GenericArticlePage("https://example.com/guide", html).to_item()
    assert item is not None
    assert ENCLOSING_STORY_NOTE not in item.fallbacks


def test_builder_boxes_around_the_container_do_not_hide_the_ones_inside() -> None:
    # The page builder wraps the whole page in the kind of box it wraps each part of the
    # text in: the boxes inside the text's container still count together.
    parts = "".join(
        f"<div class='builder-widget'><p>{_sentences(f'part {n}')}</p></div>" for n in range(5)
    )
    html = (
        "<html><head><title>Post</title></head><body><div class='builder-widget'>"
        f"<div class='entry-content'><h1>Post</h1>{parts}</div></div></body></html>"
    )
    body = read_body("https://example.com/post", html)
    for n in range(5):
        assert f"sentence 2 about part {n}," in body


def _lead_page(lead: str) -> str:
    paragraphs = "".join(f"<p>{_sentences(f'part {n}', 2)}</p>" for n in range(4))
    return (
        "<html><head><title>Story</title></head><body><div class='page'><h1>Story</h1>"
        f"{lead}<div class='row'><div class='body-text'>{paragraphs}</div></div>"
        "</div><footer><p>Contact us</p></footer></body></html>"
    )


@pytest.mark.parametrize(
    "lead",
    [
        "<p class='intro'>{}</p>",
        "<div class='ce_articleIntro'><p>{}</p></div>",  # camelCase
        "<div><div class='dig-vorspann'><p>{}</p></div></div>",  # a wrapper round it
        "<p class='DefaultEinleitung'>{}</p>",  # the German word, after a style's name
        "<div class='field field-perex'><p>{}</p></div>",  # the Czech publishing term
    ],
)
def test_the_lead_the_markup_names_is_read_before_the_text(lead: str) -> None:
    html = _lead_page(lead.format("The city has launched a five-year project, its mayor said."))
    body = read_body("https://example.com/story", html)
    assert body.startswith("The city has launched a five-year project")
    assert "sentence 1 about part 3," in body


def test_the_sentences_right_under_the_headline_are_the_lead() -> None:
    lead = (
        "<div class='row'><p>The city has launched a five-year project to plant trees in "
        "every street, its mayor said on Monday.</p></div>"
    )
    body = read_body("https://example.com/story", _lead_page(lead))
    assert body.startswith("The city has launched a five-year project")
    # a line that is no sentence, one with a link, or one far from the headline is not
    for other in (
        "<div class='row'><p>Photographs of the harbour at dawn, taken from the lighthouse "
        "pier by our photographer in the summer</p></div>",
        "<div class='row'><p>The harbour at dawn, seen from the lighthouse pier, where the "
        "new trees will stand next year. (AP Photo, File)</p></div>",  # a photo's caption
        "<div class='row'><p>The city has launched a <a href='/p'>five-year project</a> to "
        "plant trees in every street, its mayor said on Monday.</p></div>",
        "<div class='row'>"
        + " ".join(f"<a href='/t{n}'>Topic number {n}</a>" for n in range(12))
        + f"</div>{lead}",
    ):
        body = read_body("https://example.com/story", _lead_page(other))
        assert body.startswith("This is sentence 0 about part 0,"), other


def _headline_box_page(last_block: str) -> str:
    paragraphs = "".join(f"<p>{_sentences(f'part {n}', 2)}</p>" for n in range(4))
    return (
        "<html><head><title>Story</title></head><body><article>"
        f"<section class='article__header'><p>Politics</p><h1>Story</h1>{last_block}</section>"
        f"<div class='row'><div class='body-text'>{paragraphs}</div></div>"
        "</article></body></html>"
    )


def test_the_lead_closing_the_headlines_box_is_read_before_the_text() -> None:
    lead = (
        "<div class='article__abstract'><p>The city has launched a five-year project to plant "
        "trees.</p></div>"
    )
    body = read_body("https://example.com/s", _headline_box_page(lead))
    assert body.startswith("The city has launched a five-year project to plant trees.")
    # a box of links ending the headline's box is no lead
    teaser = "<div class='teaser'><a href='/other'>Another story to read today</a></div>"
    body = read_body("https://example.com/s", _headline_box_page(teaser))
    assert body.startswith("This is sentence 0 about part 0,")


def test_a_teaser_of_links_or_an_unnamed_box_before_the_text_is_no_lead() -> None:
    links = "".join(f"<a href='/s{n}'>Another story number {n} to read</a> " for n in range(3))
    for lead in (
        f"<div class='teaser'>{links}</div>",
        "<p class='note'>Photo: the harbour at dawn, taken from the lighthouse pier.</p>",
    ):
        body = read_body("https://example.com/story", _lead_page(lead))
        assert body.startswith("This is sentence 0 about part 0,"), lead


def test_a_column_headed_comment_does_not_end_the_text() -> None:
    rows = "".join(f"<tr><td>state {n}</td><td>what state {n} means</td></tr>" for n in range(3))
    html = (
        "<html><head><title>Design</title></head><body><article><h1>Design</h1>"
        f"<p>{_sentences('the design', 3)}</p>"
        f"<table><tr><th>Status</th></tr><tr><th>Comment</th></tr>{rows}</table>"
        f"<p>{_sentences('the states', 3)}</p><p>{_sentences('the end', 3)}</p>"
        "<h3>3 Comments</h3><p>Reader one wrote a reply that goes on for a while, saying things.</p>"
        "</article></body></html>"
    )
    body = read_body("https://example.com/design", html)
    assert "sentence 2 about the end," in body
    assert "Reader one" not in body
