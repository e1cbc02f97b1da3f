"""The generic body on pages of the kinds that wreck extractors (issue 13): each kind its own
page, built here, every rule general (no host is named)."""

from __future__ import annotations

import pytest

from scraper.sites.body.cleanup import clean_container
from scraper.sites.body.text_stats import TextStats
from scraper.sites.html import make_soup
from tests.conftest import body_length_capped, read_item

ITEM = (
    "The {n}th place is worth it because of its views, its food and its people, and you can "
    "reach it by tram in twenty minutes from the centre of town."
)


def listicle(items: int = 10) -> str:
    """A list article: an introduction, then numbered items, each a heading, a picture and a
    paragraph in a box of its own; related stories beside it."""
    boxes = "".join(
        f'<div class="list-item"><h2>{n}. Item number {n}</h2><figure><img src="/i{n}.jpg">'
        f'</figure><div class="item-text"><p>{ITEM.format(n=n)}</p></div></div>'
        for n in range(1, items + 1)
    )
    return (
        "<html><head><title>Ten things to do in Lisbon | Travel Weekly</title></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/travel">Travel</a></nav></header>'
        "<main><article><h1>Ten things to do in Lisbon</h1>"
        '<div class="intro"><p>Lisbon is a city of hills and trams; here is what to see when '
        "you visit for a weekend, from the castle to the river.</p></div>"
        f"{boxes}</article></main>"
        '<aside class="related"><h3>More stories</h3><ul><li><a href="/a">A story</a></li>'
        '<li><a href="/b">B story</a></li></ul></aside><footer>© Travel Weekly</footer>'
        "</body></html>"
    )


def test_a_list_article_keeps_every_item_not_only_its_introduction() -> None:
    item = read_item("https://travel.example/lisbon", listicle())
    paragraphs = item.body.split("\n\n")
    assert paragraphs[0].startswith("Lisbon is a city of hills")
    for n in range(1, 11):
        assert f"{n}. Item number {n}" in paragraphs
        assert ITEM.format(n=n) in paragraphs
    assert len(paragraphs) == 21
    assert "More stories" not in item.body and "Travel Weekly" not in item.body


STORY = [
    "The city council approved on Tuesday the plan for a new bridge over the river, after two "
    "years of debate, three public hearings and a vote that split the chamber.",
    "Work is to begin in the spring, the mayor said, and the bridge, which will carry trams, "
    "bicycles and pedestrians but no cars, should open to traffic in 2029.",
    "Opponents, who had argued that the money would be better spent on schools, said they "
    "would take the decision to court before the end of the month.",
]
COMMENT = (
    "I have lived here for thirty years, and I can tell you that this bridge, like the last "
    "one, will cost twice what they say, take twice as long, and nobody will use it ({n})."
)


def commented(story_apart: bool, heading: bool, comments: int = 12) -> str:
    """A short story under its headline, then a longer thread of readers' comments in boxes
    with neutral class names, each a nick, a time, the comment and a Reply link: in the
    story's wrapper, or in a container of its own beside it."""
    thread = "".join(
        f'<div class="c2"><div class="c2h"><b>reader{n}</b> <span>{n} hours ago</span></div>'
        f'<p>{COMMENT.format(n=n)}</p><a href="#reply{n}" class="c2r">Reply</a></div>'
        for n in range(comments)
    )
    story = "<div class='x1'>" + "".join(f"<p>{p}</p>" for p in STORY) + "</div>"
    title = f"<h3>Comments ({comments})</h3>" if heading else ""
    thread = f"<div id='c'>{title}{thread}</div>"
    inner = (
        f"<div class='s'><h1>Council approves new bridge</h1>{story}</div>{thread}"
        if story_apart
        else f"<div class='s'><h1>Council approves new bridge</h1>{story}{thread}</div>"
    )
    return (
        "<html><head><title>Council approves new bridge | City Post</title></head><body>"
        f"<div class='top'><a href='/'>City Post</a></div>{inner}"
        "<div class='foot'>© City Post</div></body></html>"
    )


@pytest.mark.parametrize("heading", [True, False])
@pytest.mark.parametrize("story_apart", [False, True])
def test_readers_comments_are_never_the_article(story_apart: bool, heading: bool) -> None:
    page = commented(story_apart, heading)
    item = read_item("https://city.example/bridge", page)
    assert item.body.split("\n\n") == STORY


def test_the_word_reply_linked_in_a_sentence_is_text() -> None:
    sentence = 'The minister sent his <a href="/letter">reply</a> to the council on Friday.'
    page = commented(story_apart=False, heading=True).replace(
        f"<p>{STORY[1]}</p>", f"<p>{STORY[1]}</p><p>{sentence}</p>"
    )
    item = read_item("https://city.example/bridge", page)
    assert "The minister sent his reply to the council on Friday." in item.body.split("\n\n")


REPORT = [
    f"Line {n} of the report says that the plan was made in the spring and that the money "
    "came from the state."
    for n in range(8)
]
LEAD = (
    "The government's budget, published on Monday, cuts spending on roads, raises it on "
    "hospitals and, for the first time in a decade, balances the books, ministers said."
)


def lead_apart() -> str:
    """The standfirst in a box the template marks as the article's, under the headline; the
    text in another container, under a class that hints at a paywall: the box outscores the
    text, which a reading that trusted the scorer would lose."""
    return (
        "<html><head><title>Budget report | Daily</title></head><body><div class='page'>"
        f"<div class='hd'><h1>Budget report</h1><div class='article-lead'><p>{LEAD}</p></div>"
        "</div><div class='x'><div class='paywall'>"
        + "".join(f"<p>{p}</p>" for p in REPORT)
        + "</div></div></div></body></html>"
    )


def test_a_lead_set_apart_is_kept_with_the_text_not_instead_of_it() -> None:
    item = read_item("https://daily.example/budget", lead_apart())
    assert item.body.split("\n\n") == [LEAD, *REPORT]


def teaser_in_front() -> str:
    """Another story's card (its headline and summary in one link) set at the top of the
    text, and the text cut in two by an advertisement slot."""
    card = (
        "<div class='inline-card'><a href='/storm'><h3>Storm closes airport for a day</h3>"
        "<p>Hundreds of flights were cancelled on Sunday as the storm, the worst in a decade, "
        "hit the coast and closed the city's airport.</p></a></div>"
    )
    return (
        "<html><head><title>Budget report | Daily</title></head><body><article>"
        f"<h1>Budget report</h1><div class='article-text'>{card}"
        + "".join(f"<p>{p}</p>" for p in REPORT[:3])
        + "</div><div class='ad-slot'>Advertisement</div><div class='article-text'>"
        + "".join(f"<p>{p}</p>" for p in REPORT[3:])
        + "</div></article></body></html>"
    )


def test_another_storys_teaser_is_not_put_in_front_of_the_text() -> None:
    item = read_item("https://daily.example/budget", teaser_in_front())
    assert item.body.split("\n\n") == REPORT


SUMMARY = [
    "This loaf is tangy, forgiving, and quick to start: no feeding, no kneading, no shaping, "
    "just a bowl, a spoon, a pan, and a long wait, overnight, on the counter, covered.",
    "Its crumb is moist, soft, and springy, its crust thin, crisp, and dark, and it slices, "
    "toasts, and keeps, wrapped, for days, which makes it, for many, the bread of the week.",
    "Bakers who have, until now, kept away from sourdough, fearing starters, schedules, and "
    "sticky dough, find it, they say, the easiest, and the most rewarding, loaf they make.",
    "Serve it, sliced thick, with butter, with soup, or with cheese, and, the next morning, "
    "toasted, with jam, honey, or, as the bakers in the test kitchen like it, olive oil.",
]
STEPS = [
    f"Step {n}: stir the flour and the salt together in a bowl and then add the starter and "
    "the water before you cover the bowl"
    for n in range(1, 17)
]


def summary_above_the_steps() -> str:
    """A recipe: a summary box of some 650 characters, comma-rich, at the top of the page,
    outscores the steps, twice as long, in the page's main region below."""
    return (
        "<html><head><title>Everyday loaf | Bakery</title></head><body><div class='page'>"
        "<section class='page-header'><div class='quick'><h1>Everyday loaf</h1>"
        "<div class='description'>"
        + "".join(f"<p>{p}</p>" for p in SUMMARY)
        + "</div></div></section><section class='page-body'><div class='content'><ol>"
        + "".join(f"<li>{step}.</li>" for step in STEPS)
        + "</ol></div></section></div></body></html>"
    )


def test_a_summary_box_under_800_characters_gives_way_to_the_longer_text() -> None:
    item = read_item("https://bakery.example/loaf", summary_above_the_steps())
    assert len(" ".join(SUMMARY)) > 500  # longer than the choice once trusted
    assert f"{STEPS[-1]}." in item.body
    assert SUMMARY[0] in item.body  # the summary read before it, as a lead


EVENT = (
    "Bring the whole family to the library on Tuesday morning for songs, stories and "
    "games for the little ones, and a craft table for their older brothers and sisters."
)


def event_beside_listing() -> str:
    """An event's page: its one paragraph, and beside it a column listing the library's
    other events, each a box of one class, together far longer than it."""
    others = "".join(
        f"<div class='event'><h3>Workshop {n}</h3><div class='event-description'><p>In "
        f"workshop {n} the children build and race small machines of their own design from "
        "paper and card and string with the help of the library's volunteers who bring the "
        "tools.</p></div></div>"
        for n in range(1, 7)
    )
    return (
        "<html><head><title>Family storytime | City library</title></head><body>"
        "<div class='row'><div class='col-main'><div class='content'><h1>Family storytime</h1>"
        f"<div class='details'><p>{EVENT}</p></div></div></div><div class='col-side'>"
        f"<div class='widget'><div class='widget-body'><div class='event-list'>{others}</div>"
        "</div></div></div></div></body></html>"
    )


def test_a_listing_of_other_items_is_never_the_text_read_again() -> None:
    item = read_item("https://library.example/storytime", event_beside_listing())
    assert item.body == EVENT


def tables_in_figures() -> str:
    """A WordPress post: its ranking in a ``<figure class="wp-block-table">``, a photo in a
    ``<figure>`` of its own."""
    rows = "".join(
        f"<tr><td>{n}. City number {n}</td><td>{90 - n}.5</td></tr>" for n in range(1, 8)
    )
    return (
        "<html><head><title>The hottest markets | Research</title></head><body><article>"
        "<h1>The hottest markets</h1><div class='entry-content'>"
        + "".join(f"<p>{line}</p>" for line in REPORT[:4])
        + "<figure class='wp-block-table'><table><thead><tr><th>Top cities</th><th>Score</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></figure>"
        "<figure class='wp-block-image'><img src='/chart.png'><figcaption>Prices, 2024, "
        "by month, in the ten cities the study ranks highest.</figcaption></figure>"
        + "".join(f"<p>{line}</p>" for line in REPORT[4:])
        + "</div></article></body></html>"
    )


def test_a_table_set_in_a_figure_is_text_a_picture_is_not() -> None:
    item = read_item("https://research.example/markets", tables_in_figures())
    assert "7. City number 7" in item.body
    assert "Top cities" in item.body
    assert REPORT[-1] in item.body
    assert "by month, in the ten cities" not in item.body


_NESTED_FIGURES = """
depth = 20_000
text = "<p>The council met on Monday, and the mayor said the bridge would reopen soon.</p>" * 6
page = (
    "<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1>" + text
    + "<figure><table><tr><td>cell</td></tr></table>" * depth + "</figure>" * depth
    + "</article></body></html>"
)
"""


@pytest.mark.timeout(120)
def test_figures_nested_twenty_thousand_deep_are_each_asked_briefly() -> None:
    # Each figure is asked whether it holds a table: a look at its first few tags, not a
    # walk of all it holds (some two seconds here; a walk of each took a hundred).
    assert body_length_capped(_NESTED_FIGURES, timeout=60) > 0


def letter_and_signatories() -> str:
    """An open letter, then its signatories in a two-column table, a name and a title on
    each line, one ``<br>`` apart: the cells outscore the letter's paragraphs."""
    names = "<br>".join(f"Signer {n}, Somewhere College" for n in range(60))
    return (
        "<html><head><title>A letter on the budget | Review</title></head><body><article>"
        "<h1>A letter on the budget</h1><div class='content'>"
        + "".join(f"<p>{line}</p>" for line in REPORT)
        + f"<table><tr><td>{names}</td><td>{names}</td></tr></table></div></article>"
        "</body></html>"
    )


def test_a_table_of_names_gives_way_to_the_letter_round_it() -> None:
    item = read_item("https://review.example/letter", letter_and_signatories())
    assert REPORT[0] in item.body
    assert REPORT[-1] in item.body


def live_ticker() -> str:
    """A match's live ticker, each entry a reporter's "live-match-comment", and the
    readers' comments under it."""
    entries = "".join(
        f"<div class='live-match-comment'><span>{minute}'</span><div class='live-match-comment-"
        f"body'><p>{line}</p></div></div>"
        for minute, line in zip(range(90, 0, -10), REPORT)
    )
    return (
        "<html><head><title>Lorient v Lyon, live | Sport</title></head><body><main>"
        f"<h1>Lorient v Lyon, live</h1><div class='live-match-comments'>{entries}</div>"
        "<div class='comments'><div class='comment'><p>What a dull match, the worst I have "
        "seen this season, and I have seen every one of them from the stands.</p></div>"
        "</div></main></body></html>"
    )


def test_a_live_tickers_commentary_is_the_text_readers_comments_are_not() -> None:
    item = read_item("https://sport.example/live", live_ticker())
    assert REPORT[0] in item.body
    assert REPORT[-1] in item.body
    assert "What a dull match" not in item.body


def link_roll() -> str:
    """A post that is a list of links to the day's reading, each followed by its source."""
    links = "".join(
        f"<li><p><a href='https://news.example/{n}'>Story number {n} of the day's reading, "
        f"on the budget</a></p><p>via Source {n} <a href='https://s.example/{n}'>"
        f"https://s.example/{n}</a></p></li>"
        for n in range(16)
    )
    return (
        "<html><head><title>Reading, 23 January | A blog</title></head><body><article>"
        f"<h1>Reading, 23 January</h1><div class='entry-content'><ul>{links}</ul>"
        "<p>Posted from my bookmarks.</p></div></article></body></html>"
    )


def test_a_post_made_of_links_keeps_them() -> None:
    item = read_item("https://blog.example/reading", link_roll())
    assert "Story number 0 of the day's reading" in item.body
    assert "Story number 15 of the day's reading" in item.body


@pytest.mark.parametrize("alone", [True, False])
def test_links_are_kept_only_when_they_are_all_the_text_read(alone: bool) -> None:
    # One box among several read (the text, a box of links beside it): its links are cut
    # however much of it they are.
    soup = make_soup(link_roll())
    box = soup.find("div", class_="entry-content")
    assert box is not None
    clean_container(box, TextStats(soup), alone=alone)
    assert ("Story number 15" in box.get_text()) is alone


def guide_beside_cards() -> str:
    """A guide under the page's own ``<h1>``, in no ``<article>``; a carousel of other
    guides on the same subject below it, each card an ``<article>`` with an ``<h1>``."""
    cards = "".join(
        f"<article class='card'><h1>Another guide, number {n}</h1><p>Our guide to the "
        f"budget of a region, number {n}, and what its plans for spending mean.</p></article>"
        for n in range(4)
    )
    guide = "".join(
        f"<p>Part {n} of the guide: the budget's plans for spending, what they mean for the "
        "regions, and how the money is to be raised over the coming year.</p>"
        for n in range(8)
    )
    return (
        "<html><head><title>A guide to the budget | Guides</title></head><body><main>"
        f"<div class='hero'><h1>A guide to the budget</h1></div><div class='richtext'>{guide}"
        f"</div><section class='carousel'>{cards}</section></main></body></html>"
    )


def test_cards_with_headlines_of_their_own_are_not_the_pages_story() -> None:
    # Pages that load the next story as the reader scrolls hold several <article>s with an
    # <h1> each, the page's own first; here the page's <h1> stands outside them all.
    item = read_item("https://guides.example/budget", guide_beside_cards())
    assert "Part 0 of the guide" in item.body
    assert "Part 7 of the guide" in item.body
    assert "Our guide to the budget of a region" not in item.body
