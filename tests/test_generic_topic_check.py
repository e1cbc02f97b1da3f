"""The topic check (``scraper/sites/body/topic_check.py``): a text that shares hardly a
word with the page's headline gives way to a candidate about it, the nearest one round the
text when the scorer's best is a page wrapper.  Real pages are in
``tests/test_generic_real_wrecks.py``'s cases; these are synthetic pages of the same shapes."""

from __future__ import annotations

import pytest

from scraper.sites.body.scoring import main_containers
from scraper.sites.body.text_stats import TextStats
from scraper.sites.body.topic_check import (
    ABOUT_THE_PAGE_NOTE,
    about_the_page,
    heading_words,
    headline_words,
)
from scraper.sites.html import make_soup
from tests.conftest import body_length_capped, read_item
from tests.test_generic_real_wrecks import _sentences


def _short_story_page(story: str) -> str:
    login = "".join(
        f"<p>{line}, please check the address, the password and the account settings.</p>"
        for line in ("This address has no account", "The password is wrong", "Choose a name")
    )
    return (
        "<html><head><title>Harbour reopens after storm | Daily Example</title>"
        "<meta name='description' content='The harbour reopened on Monday.'></head><body>"
        f"<form class='dialog'>{login}{login}</form>"
        f"<article><h1>Harbour reopens after storm</h1>{story}</article></body></html>"
    )


def test_a_short_story_beats_a_longer_box_that_is_not_about_the_page() -> None:
    story = (
        "<p>The harbour reopened on Monday, a week after the storm closed it to shipping.</p>"
        "<p>Ferries to the islands will run again from Tuesday, the port authority said.</p>"
    )
    item = read_item("https://example.com/harbour", _short_story_page(story))
    assert item.body.startswith("The harbour reopened on Monday")
    assert "password" not in item.body
    assert ABOUT_THE_PAGE_NOTE in item.fallbacks


def test_a_text_that_does_not_repeat_its_headline_stands_when_nothing_else_does() -> None:
    html = (
        "<html><head><title>Harbour reopens after storm</title></head><body><article>"
        f"<h1>Harbour reopens after storm</h1><p>{_sentences('the ferries', 4)}</p></article>"
        "<aside><p>Sign up for the newsletter, delivered every morning, free of charge.</p></aside>"
        "</body></html>"
    )
    item = read_item("https://example.com/harbour", html)
    assert "sentence 3 about the ferries," in item.body
    assert ABOUT_THE_PAGE_NOTE not in item.fallbacks


def test_a_box_cut_from_the_text_read_is_no_candidate_for_the_headline() -> None:
    # The cleanup may cut most of the chosen container, the boxes that mention the headline
    # with it: what is left shares no word with the headline, and the boxes it cut, gone
    # from the tree (decomposed), must not be weighed as the text about it.
    soup = make_soup(
        "<html><head><title>Harbour reopens after storm</title></head><body><article>"
        "<p>Posted in the local news section.</p><div class='box'><p>The harbour reopened "
        "after the storm, and the ferries run again from Tuesday, the port authority said "
        "in a statement, adding that the harbour's storm damage was repaired.</p></div>"
        "</article></body></html>"
    )
    stats = TextStats(soup)
    reading = main_containers(soup, stats)
    cut = soup.find("div", class_="box")
    assert cut is not None
    assert id(cut) in reading.scores  # a candidate, before the cut
    cut.decompose()
    headline = headline_words(soup) | heading_words(stats)
    text = ["Posted in the local news section."]
    assert about_the_page(reading, reading.containers, text, headline, stats) is None


def _page_in_builder_boxes() -> str:
    """A post whose every paragraph sits six boxes deep, the one the scorer likes best about
    the weather, in a page wrapper that also holds excerpts of other posts."""

    def deep(inner: str) -> str:
        return "<div class='section'>" * 6 + inner + "</div>" * 6

    weather = (
        "<p>Looking back at the whole week on the coast, it was a grey and quiet one, with "
        "little to report from the villages and some rain on most days.</p>"
    )
    news = "".join(
        deep(f"<p>The harbour reopened on Monday after the storm, {what}.</p>")
        for what in (
            "the ferries will run again from Tuesday",
            "the port authority said in a statement",
            "the fishermen were back at sea by noon",
        )
    )
    related = "".join(
        f"<div class='excerpt'><p>This is sentence 1 about {topic}, written out at a reader's "
        f"length. This is sentence 2 about {topic}, written out at a reader's length.</p></div>"
        for topic in ("gardens", "trains", "museums")
    )
    return (
        "<html><head><title>Harbour reopens after storm</title><meta name='description' "
        "content='The harbour reopened on Monday after the storm.'></head><body>"
        "<div class='wrap'><p>Posted on Monday, in the news.</p><div class='entry'>"
        f"<h1>Harbour reopens after storm</h1>{deep(weather * 2)}{news}</div>"
        f"<div class='more'>{related}</div></div></body></html>"
    )


def test_the_text_about_the_headline_is_the_nearest_box_round_the_choice() -> None:
    # The best candidate about the headline is the page wrapper round the doubted choice;
    # the post's own box, nearer, is about it too and leaves the other posts out.
    item = read_item("https://example.com/harbour", _page_in_builder_boxes())
    assert ABOUT_THE_PAGE_NOTE in item.fallbacks
    assert "the fishermen were back at sea by noon" in item.body
    assert "grey and quiet" in item.body
    assert "about gardens" not in item.body
    assert "Posted on Monday" not in item.body


_DEEP_DOUBTED_PAGE = """
depth = 20_000
login = "<p>This address has no account, please check the password and the settings.</p>" * 6
story = (
    "<h1>Harbour reopens after storm</h1>"
    + "<p>The harbour reopened on Monday after the storm, the ferries run again.</p>" * 2
)
page = (
    "<html><head><title>Harbour reopens after storm</title></head><body>"
    f"<form>{login}</form>{'<div><span>harbour storm word</span>' * depth}{story}"
    f"{'</div>' * depth}</body></html>"
)
"""


@pytest.mark.timeout(180)
def test_the_topic_check_on_a_page_nested_twenty_thousand_deep_ends() -> None:
    # The candidates' words are read on a doubted page: one walk of each box whatever its
    # depth, never a climb to the root from each of its strings.
    assert body_length_capped(_DEEP_DOUBTED_PAGE, timeout=150) > 0
