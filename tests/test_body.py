from __future__ import annotations

import gzip
import time
from pathlib import Path

from scraper.sites.body.extract import extract_body_paragraphs
from scraper.sites.html import decode_html, make_soup

FIXTURES = Path(__file__).parent / "fixtures" / "generic"

ARTICLE = """<!DOCTYPE html><html><head><title>t</title><script>var x = "<p>no</p>";</script></head>
<body>
<header><a href="/">Home</a> <a href="/world">World</a></header>
<nav><ul><li><a href="/a">Politics</a></li><li><a href="/b">Sports</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience on this website, accept them.</div>
<main>
 <article>
  <h1>Russia says talks possible</h1>
  <div class="byline">By Jane Doe</div>
  <figure><img src="/a.jpg"><figcaption>Kremlin spokesman Dmitry Peskov, file photo.</figcaption></figure>
  <div class="article-body">
   <p>Moscow says it is open to talks with Kyiv, the Kremlin spokesman told the state news agency TASS.</p>
   <p>Peskov said, however, that conditions set by Western capitals made any negotiation impossible for now.</p>
   <h2>Sanctions, again</h2>
   <p>The European Union is preparing its tenth package of sanctions, which diplomats say targets technology exports.</p>
   <ul><li>Export bans on electronics used in drones and missiles.</li><li>Asset freezes on dozens of officials and companies.</li></ul>
   <blockquote>We will not accept ultimatums from anybody, and the West knows it, he said.</blockquote>
   <p>First line of an address<br>Second line after a break in the same paragraph, long enough.</p>
   <div class="share-buttons"><a href="https://facebook.com/share">Share on Facebook</a> <a href="#">Tweet</a></div>
   <p>Read more: <a href="/Detail/1">Iran and Russia sign a deal</a></p>
   <div class="newsletter-signup">Sign up for our daily newsletter to get the latest headlines every morning.</div>
  </div>
  <div class="related-articles"><h3>Related</h3><ul>
   <li><a href="/x">Another story about the war in Ukraine and the peace talks in Turkey</a></li>
   <li><a href="/y">Yet another story about sanctions and their effect on energy prices</a></li></ul></div>
 </article>
</main>
<aside><p>Most read: a long sidebar paragraph that should never reach the body of the article.</p></aside>
<footer><p>Copyright Press TV 2023. All rights reserved. Contact us for licensing and syndication.</p></footer>
</body></html>"""

EXPECTED = [
    "Moscow says it is open to talks with Kyiv, the Kremlin spokesman told the state news agency TASS.",
    "Peskov said, however, that conditions set by Western capitals made any negotiation impossible for now.",
    "Sanctions, again",
    "The European Union is preparing its tenth package of sanctions, which diplomats say targets technology exports.",
    "Export bans on electronics used in drones and missiles.",
    "Asset freezes on dozens of officials and companies.",
    "We will not accept ultimatums from anybody, and the West knows it, he said.",
    "First line of an address",
    "Second line after a break in the same paragraph, long enough.",
]


def test_article_paragraphs_without_boilerplate() -> None:
    assert extract_body_paragraphs(make_soup(ARTICLE)) == EXPECTED


def test_sibling_blocks_stay_apart() -> None:
    # The seed text's "TASSPeskov": a lost block break glues two sentences together.
    html = (
        "<html><body><article><div><span>The news was reported by the agency TASS</span></div>"
        "<div><span>Peskov said the Kremlin had no comment on the report, for now.</span></div>"
        "<p>" + "A long paragraph, with commas, to make this container the article. " * 4 + "</p>"
        "</article></body></html>"
    )
    text = "\n".join(extract_body_paragraphs(make_soup(html)))
    assert "TASSPeskov" not in text
    assert "The news was reported by the agency TASS\nPeskov said" in text


def test_itemprop_article_body_is_preferred_over_a_wordier_block() -> None:
    filler = (
        "<p>"
        + "Comment text, from a reader, with many words and commas, again and again. " * 3
        + "</p>"
    )
    html = (
        "<html><body><div id='comments'>" + filler * 5 + "</div>"
        "<div itemprop='articleBody'><p>The real article starts here, and it is long enough to count.</p>"
        "<p>It goes on for a second paragraph, also long enough, with a comma or two.</p></div>"
        "</body></html>"
    )
    paragraphs = extract_body_paragraphs(make_soup(html))
    assert paragraphs[0] == "The real article starts here, and it is long enough to count."
    assert not any("Comment text" in p for p in paragraphs)


def test_hidden_and_script_content_is_dropped() -> None:
    html = (
        "<html><body><article><p>Visible paragraph, with enough words to be scored as text.</p>"
        "<p style='display: none'>Hidden paragraph, with enough words to be scored as text.</p>"
        "<p hidden>Also hidden, with enough words to be scored as text here.</p>"
        "<script>document.write('Scripted paragraph with enough words.')</script>"
        "</article></body></html>"
    )
    assert extract_body_paragraphs(make_soup(html)) == [
        "Visible paragraph, with enough words to be scored as text."
    ]


def test_empty_and_hostile_pages_give_nothing() -> None:
    for html in [
        "",
        "<html></html>",
        "<script>x</script>",
        "\x00\x01\x02",
        "<p>short</p>",
        "<<<>>>",
    ]:
        assert extract_body_paragraphs(make_soup(html)) == []


def test_deep_nesting_does_not_recurse() -> None:
    for tag in ("div", "b"):
        html = "<html><body>" + f"<{tag}>" * 20000 + "<p>" + "Deep text, with commas, " * 5 + "</p>"
        soup = make_soup(html + "</body></html>")
        started = time.perf_counter()
        paragraphs = extract_body_paragraphs(soup)
        assert time.perf_counter() - started < 5
        assert paragraphs == [("Deep text, with commas, " * 5).strip()]


def _real_page(path: str):  # type: ignore[no-untyped-def]
    return make_soup(decode_html(gzip.decompress((FIXTURES / path).read_bytes())))


def test_real_page_keeps_text_drops_chrome() -> None:
    text = "\n".join(extract_body_paragraphs(_real_page("fundus/voa/page.html.gz")))
    assert "After a series of lower-paying jobs, Nicole Slemp finally landed one she loved." in text
    assert '"Our country is doing nothing to try to help fill that gap," Slemp said.' in text
    for chrome in [
        "Skip to main content",
        "Link has been copied to clipboard",
        "Adriane Burnett reads to her son Karter Robinson",  # an image caption
        "Supreme Court considers Trump's claim of criminal immunity",
    ]:  # related
        assert chrome not in text


def test_real_page_speed() -> None:
    soups = [_real_page("fundus/voa/page.html.gz") for _ in range(3)]
    started = time.perf_counter()
    for soup in soups:
        extract_body_paragraphs(soup)
    # a few ms a page on this machine; the bound only catches accidental quadratic work
    assert (time.perf_counter() - started) / len(soups) < 0.1


# An old CMS's article: no <p>, the text straight in a div in lines cut by <br><br>, its
# paragraphs comma-free (so each is worth little on its own), beside a "related" list of
# <p> teasers that a scorer counting only <p>s takes for the article.
_LINES = [
    "The council met on Sunday to discuss the new budget and the plans for the coming year",
    "Officials said the talks would go on next week after a delay caused by the storm",
    "Residents who spoke to reporters said they hoped the new plan would bring more jobs",
    "The mayor told reporters that the city would publish the full budget later this month",
]
BR_ARTICLE = f"""<html><head><title>Council talks</title></head><body>
<div class="wrap"><div class="col-8">
 <div class="panel">
  <h2>Council meets on the budget</h2>
  <div class="when">12 May 2019</div>
  <div class="txt">
   <figure><img src="/a.jpg"><figcaption>The council building in the city centre, file photo.</figcaption></figure>
   {_LINES[0]}.<br /><br />
   {_LINES[1]}.<br /><br />
   <strong>Budget to be published</strong><br /><br />
   {_LINES[2]}.<br /><br />
   <a href="/news/1">Read: Mayor announces new plans for the city and its residents</a><br /><br />
   {_LINES[3]}.<br /><br />
   <br />Our website can also be reached at the following alternate addresses:<br /><br />
   <a href="http://mirror.example">mirror.example</a><br />
  </div>
 </div>
 <div class="panel-list">
  <h3><a href="/2">Storm damage in the north is worse than first thought</a></h3>
  <p>Crews are still working to restore power to thousands of homes in the region.</p>
  <h3><a href="/3">Schools reopen after the summer break in the capital</a></h3>
  <p>Teachers say the new timetable will give pupils more time for reading and sport.</p>
  <h3><a href="/4">Local team wins the cup for the third year running</a></h3>
  <p>Fans celebrated late into the night in the main square after the final whistle.</p>
 </div>
</div></div>
</body></html>"""


def test_br_separated_text_is_the_article() -> None:
    assert extract_body_paragraphs(make_soup(BR_ARTICLE)) == [
        f"{_LINES[0]}.",
        f"{_LINES[1]}.",
        "Budget to be published",
        f"{_LINES[2]}.",
        f"{_LINES[3]}.",
    ]


def test_lead_written_straight_into_the_container_is_kept() -> None:
    # Its own text run beside child <p>s scores as one of its paragraphs.
    lead = "The lead of the story, written straight into the div without a paragraph tag"
    html = (
        "<html><body><div class='story'>"
        + lead
        + "<p>"
        + "</p><p>".join(_LINES)
        + "</p></div></body></html>"
    )
    assert extract_body_paragraphs(make_soup(html)) == [lead, *_LINES]


def test_lead_in_to_a_cut_link_list_goes_with_it() -> None:
    html = (
        "<html><body><article><p>" + "</p><p>".join(_LINES) + "</p>"
        "<p>Related coverage:</p><ul><li><a href='/1'>One story</a></li>"
        "<li><a href='/2'>Another story</a></li></ul>"
        "<p>Our website can also be reached at the following alternate addresses:</p>"
        "<p><a href='http://mirror.example'>mirror.example</a></p></article></body></html>"
    )
    assert extract_body_paragraphs(make_soup(html)) == _LINES


def test_colon_before_kept_content_stays() -> None:
    html = (
        "<html><body><article><p>" + "</p><p>".join(_LINES) + "</p>"
        "<p>The mayor said:</p><blockquote>We will publish the budget in full, and soon.</blockquote>"
        "</article></body></html>"
    )
    paragraphs = extract_body_paragraphs(make_soup(html))
    assert paragraphs[-2:] == ["The mayor said:", "We will publish the budget in full, and soon."]


def test_many_br_lines_and_links_stay_fast() -> None:
    line = "A line of text long enough to count as a paragraph of its own here<br>"
    link = "<a href='/x'>a link alone on its line</a><br>"
    for body in (line * 20000, (link + "<br>" * 50) * 2000, "<br>" * 20000 + link * 2000):
        soup = make_soup(f"<html><body><div>{body}</div></body></html>")
        started = time.perf_counter()
        extract_body_paragraphs(soup)
        assert time.perf_counter() - started < 5


def test_react_streamed_part_is_not_hidden() -> None:
    # React's streaming SSR ships finished parts in <div hidden id="S:…"> for a script to
    # move into place: the article is there, while other hidden elements stay dropped.
    html = (
        "<html><body><div id='B:1'></div><nav hidden><p>Menu text that is hidden from the "
        "reader, long enough to count here.</p></nav>"
        "<div hidden id='S:1a'><article>"
        "<p>The streamed article text, with enough words, commas, and length to score.</p>"
        "<p>A second streamed paragraph, also long enough, to be taken as body text.</p>"
        "</article></div></body></html>"
    )
    assert extract_body_paragraphs(make_soup(html)) == [
        "The streamed article text, with enough words, commas, and length to score.",
        "A second streamed paragraph, also long enough, to be taken as body text.",
    ]


def test_class_hint_alone_does_not_make_a_short_box_the_article() -> None:
    # A one-line paywall box with an "article content" class must not beat the unhinted
    # container that holds the article's several paragraphs.
    paragraphs = "".join(
        f"<p>Paragraph {n} of the story tells what happened next in the town hall.</p>"
        for n in range(6)
    )
    html = (
        "<html><body><div class='main_content'><p>Subscribe to our newsletter to read on "
        "for free today.</p></div>"
        f"<div class='x1'>{paragraphs}</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert got[0].startswith("Paragraph 0") and len(got) == 6


def test_next_story_loaded_below_is_not_the_article() -> None:
    # Infinite-scroll pages append the next (here longer) story as another <article> with
    # its own <h1>: the page's story is the first one.
    first = "".join(
        f"<p>First story paragraph {n}, about the harbour, with some words.</p>" for n in range(3)
    )
    second = "".join(
        f"<p>Second story paragraph {n}, about football, with more words, "
        f"and commas, to outscore the first one easily.</p>"
        for n in range(8)
    )
    html = (
        f"<html><body><main><article><h1>Harbour</h1><div class='bodytext'>{first}</div>"
        f"</article><div class='under'><article><h1>Football</h1>"
        f"<div class='bodytext'>{second}</div></article></div></main></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 3 and all(p.startswith("First story") for p in got)


def test_a_single_article_with_a_nested_teaser_article_is_unaffected() -> None:
    body = "".join(
        f"<p>Story paragraph {n}, long enough, with commas, to be counted.</p>" for n in range(4)
    )
    html = f"<html><body><article><h1>Title</h1><div>{body}</div></article></body></html>"
    assert len(extract_body_paragraphs(make_soup(html))) == 4


def _story(prefix: str, count: int) -> str:
    return "".join(
        f"<p>{prefix} paragraph {n}, long enough, with commas, to count as text.</p>"
        for n in range(count)
    )


def test_chunks_sharing_a_leading_content_class_are_all_kept() -> None:
    # Text cut into cousin chunks whose classes differ only in modifiers after a shared
    # content-naming first class: every chunk is the article.
    html = (
        "<html><body><article><div class='grid'>"
        f"<div><div><div class='RichText RichText--wide'>{_story('Early', 5)}</div></div></div>"
        "<div class='ad-slot'><span>Ad</span></div>"
        f"<div><div><div class='RichText RichText--last'>{_story('Late', 6)}</div></div></div>"
        "</div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert [p.split()[0] for p in got] == ["Early"] * 5 + ["Late"] * 6


def test_chunks_sharing_only_a_layout_class_are_not_joined() -> None:
    # A shared first class that does not name content ("cell") joins nothing.
    html = (
        "<html><body><div class='row'>"
        f"<div><div class='cell wide'>{_story('Story', 6)}</div></div>"
        "<div><div class='cell narrow'><p>Other headline, a teaser for another story here "
        "with enough words to count as a paragraph of text.</p></div></div>"
        "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and all(p.startswith("Story") for p in got)


def test_classless_chunks_in_repeated_classed_wrappers_are_all_kept() -> None:
    # The best container has no class of its own; its only-child wrapper has one, and the
    # other chunks of the text sit in wrappers of the same class.
    chunk = "<div class='inline-wrap'><div class='c-copy'><div>{}</div></div></div>"
    html = (
        "<html><body><article class='x'>"
        + chunk.format(_story("First", 2))
        + "<div class='embed'><span>Video</span></div>"
        + chunk.format(_story("Second", 7))
        + "</article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert [p.split()[0] for p in got] == ["First"] * 2 + ["Second"] * 7


def test_caption_and_credit_lines_outside_figcaption_are_dropped() -> None:
    html = (
        "<html><body><div class='story'>"
        + _story("Story", 4)
        + "<p>The King arrives at the Palace of Westminster (Picture: Getty)</p>"
        + "<p>Photo: Reuters</p>"
        + _story("More", 2)
        + "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and not any("Getty" in p or "Reuters" in p for p in got)


def test_timestamp_only_lines_are_dropped_but_prices_are_not() -> None:
    html = (
        "<html><body><div class='story'><p>Stand: 22.04.2024, 06:00 Uhr</p>"
        "<p>2025年1月13日 20時01分</p>" + _story("Story", 4) + "<p>$139.00</p>"
        "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert got[0].startswith("Story") and got[-1] == "$139.00" and len(got) == 5


def test_paywall_box_inside_the_article_is_cut() -> None:
    html = (
        "<html><body><article><div class='text'>"
        + _story("Story", 5)
        + "<div class='paywall_x1'><p>Get unlimited access to every article free for two "
        "months, cancel any time.</p></div></div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 5 and not any("unlimited" in p for p in got)


def _generic_body(html: str) -> str:
    from scraper.sites.generic import GenericArticlePage

    item = GenericArticlePage("https://example.com/a", html).to_item()
    assert item is not None
    return item.body


def test_plain_text_jsonld_body_loses_player_fallback_and_captions() -> None:
    # A plain-text articleBody that is the page's textContent: video.js's fallback text
    # with the player's "Up Next" label, and captions ending in their credit.
    import json

    story = [
        f"Story paragraph {n}, long enough, with commas, to count as text here." for n in range(5)
    ]
    text = (
        "To view this video please enable JavaScript, and consider upgrading to a web\n"
        "\t\tbrowser that\n\t\tsupports HTML5\n\t\tvideo\n\n\t\tUp Next\n\n"
        + "\n\n".join(story[:2])
        + "\n\nCrowds gather near the palace (Picture: PA)\n\n"
        + "\n\n".join(story[2:])
    )
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Title",
            "articleBody": text,
            "author": {"@type": "Person", "name": "Jane Doe"},
        }
    )
    html = (
        f"<html><head><script type='application/ld+json'>{ld}</script></head><body>"
        f"<h1>Title</h1><div>{''.join(f'<p>{p}</p>' for p in story)}</div></body></html>"
    )
    assert _generic_body(html).split("\n\n") == story


def test_a_line_naming_only_the_authors_is_dropped() -> None:
    import json

    story = [
        f"Story paragraph {n}, long enough, with commas, to count as text here." for n in range(5)
    ]
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Title",
            "author": [{"@type": "Person", "name": "Nina Magoley"}],
        }
    )
    html = (
        f"<html><head><script type='application/ld+json'>{ld}</script></head><body>"
        "<h1>Title</h1><div class='story'><p>Von Nina Magoley, WDR</p>"
        f"{''.join(f'<p>{p}</p>' for p in story)}"
        "<p>Nina Magoley said the rest will follow tomorrow</p></div></body></html>"
    )
    body = _generic_body(html).split("\n\n")
    assert body[:5] == story and body[5].startswith("Nina Magoley said")


def test_chrome_lines_starting_a_line_of_the_list_are_dropped_too() -> None:
    # "Реклама:" and "Share on Twitter" open continuation lines of the chrome-line list.
    html = (
        "<html><body><div class='story'>"
        + _story("Story", 4)
        + "<p>Реклама:</p><p>Share on Twitter</p><p>Next page</p>"
        + _story("More", 2)
        + "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and got[-1].startswith("More")


def test_call_to_action_and_rail_boxes_inside_the_article_are_cut() -> None:
    # A newsletter call-to-action ("cta") and a "most read" rail placed among the paragraphs.
    html = (
        "<html><body><article><div class='text'>"
        + _story("Story", 3)
        + "<div class='cta float-l'><p>The Weekly. Fridays, a digest of the best of our "
        "coverage, straight to you.</p></div>"
        + "<div class='rail--classic'><h2>Most read in Football</h2><p>Club sacks its manager "
        "just days before the play-offs, sources say.</p></div>"
        + _story("More", 2)
        + "</div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 5 and not any("Weekly" in p or "Football" in p or "sacks" in p for p in got)


def test_fact_and_info_boxes_beside_the_text_are_cut() -> None:
    html = (
        "<html><body><article><div class='text'>"
        + _story("Story", 4)
        + "<div class='infobox border'><p>Infos: 17,000 of them work, 18,600 are registered "
        "as unemployed.</p></div>"
        + "<div class='metro-factbox'><h2>What else is in it?</h2><p>A state-owned energy "
        "company, a national wealth fund, and more.</p></div>"
        + _story("More", 2)
        + "</div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and not any(
        "17,000" in p or "What else" in p or "wealth" in p for p in got
    )


def test_trailing_box_titles_are_dropped_but_not_values_or_sentences() -> None:
    # Titles of boxes whose links were cut end the text; a closing phone number, and what
    # comes before it, is kept.
    story = "<div class='story'>" + _story("Story", 4)
    labels = "<p>Related topics</p><div><p>More from us</p></div><p>記事一覧</p>"
    got = extract_body_paragraphs(make_soup(f"<html><body>{story}{labels}</div></body></html>"))
    assert len(got) == 4 and got[-1].startswith("Story paragraph 3")
    got = extract_body_paragraphs(
        make_soup(f"<html><body>{story}<p>Inquiry</p><p>02-751-1500</p></div></body></html>")
    )
    assert got[-2:] == ["Inquiry", "02-751-1500"]


def test_a_lead_named_teaser_that_opens_the_article_is_kept() -> None:
    # "teaser_text" is the article's own lead when it opens the text and links nowhere;
    # link-free teasers further down are other stories' and still go.
    html = (
        "<html><body><div class='article-text'><div class='teaser_text'>The lead: a cheap "
        "tariff, ten gigabytes, for only six euros a month.</div>"
        + _story("Story", 4)
        + "<div class='teaser'><p>Another story, about the singer and her critics, here.</p>"
        "</div></div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert got[0].startswith("The lead") and len(got) == 5
    assert not any("singer" in p for p in got)


def test_a_labelled_link_line_is_cut_in_any_language() -> None:
    # "Read another story here | <headline>": a short label ending in a separator, then a
    # link to the end.  A sentence with a link inside it stays.
    html = (
        "<html><body><div class='entry-content'>"
        + _story("Story", 3)
        + "<p><strong>FUNDA OLUNYE UDABA LAPHA |</strong> <a href='/1'>Kuboshwe abahlanu "
        "besolwa ngokugwaza</a></p>"
        + "<p>The minister said: <a href='/2'>the report</a> shows costs rose, again.</p>"
        + _story("More", 2)
        + "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and not any("FUNDA" in p for p in got)
    assert any(p.startswith("The minister said") for p in got)


def test_italic_line_under_a_picture_in_the_same_paragraph_is_a_caption() -> None:
    # <p><img><br><em>caption</em></p>: cut.  Italic text beside a floated picture on the
    # same line is a quote of the text: kept.
    html = (
        "<html><body><div class='entry-content'>"
        + _story("Story", 3)
        + "<p><img src='/a.jpg'><br><em>Bethany Funke, right, leaves the court</em></p>"
        + "<p><em><a href='/pin'><img src='/b.jpg'></a>“Pamela, why are we talking about "
        "leadership?”</em></p>" + _story("More", 2) + "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert not any("Funke" in p for p in got)
    assert any("Pamela" in p for p in got) and len(got) == 6


def test_camel_case_class_names_and_polls_are_read_as_words() -> None:
    # CSS-module classes run words together: "Article_elementPoll" is a poll box,
    # "relatedArticles" a related-stories box.
    html = (
        "<html><body><article><section class='Article_body'>"
        + _story("Story", 4)
        + "<div class='Article_elementPoll'><p>Should platforms be regulated more strictly, "
        "to stop foreign meddling?</p><p>Yes, absolutely. No, that would be censorship.</p></div>"
        + "<div class='relatedArticles'><p>Another story, with a summary long enough to count "
        "as a paragraph.</p></div>" + _story("More", 2) + "</section></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and not any("platforms" in p or "Another" in p for p in got)


def test_a_classed_link_inside_a_sentence_keeps_its_words() -> None:
    # A topic link styled "textTag" mid-sentence is words of the sentence; an "author"
    # link in a short line of chrome is still cut.
    html = (
        "<html><body><div class='story'>"
        + _story("Story", 4)
        + "<p>Radiation is a key hazard of deep <a class='textTag' href='/tags/space'>space "
        "travel</a>, but the crew will sleep in shielded pods for most of the trip.</p>"
        + "<div>11:48 <a class='author' href='/jon'>Jon King</a></div></div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert "deep space travel, but" in got[4]
    assert not any("Jon King" in p for p in got)


def test_a_meta_line_inside_the_article_is_cut() -> None:
    # "entry-meta"/"article-meta": the date, section and comment count under the text.
    html = (
        "<html><body><article><div class='entry-content'>"
        + _story("Story", 4)
        + "<div class='entry-meta'><p>Filed on 21/02/2021 under Israel, Politics and World "
        "News by the newsroom.</p></div>" + _story("More", 2) + "</div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert len(got) == 6 and not any("Filed" in p for p in got)


def test_form_labels_such_as_poll_answers_are_not_text() -> None:
    html = (
        "<html><body><article><div>"
        + _story("Story", 4)
        + "<div><p>Which remedy do you like best when you feel a cold coming?</p>"
        "<label><input type='radio'><div>A warming soup, with garlic and ginger in it.</div></label>"
        "<label><input type='radio'><div>Plenty of sleep and rest, and nothing else at all.</div>"
        "</label></div>" + _story("More", 2) + "</div></article></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert not any("soup" in p or "sleep" in p for p in got) and len(got) == 7


def test_a_caption_ending_in_its_copyright_holder_is_dropped() -> None:
    html = (
        "<html><body><div class='story'>"
        + _story("Story", 4)
        + "<p>The head teacher welcomed only 14 of 75 children on Monday © VS Tristach</p>"
        + "<p>The © sign marks a copyright, the court noted in its ruling on Monday.</p>"
        + "</div></body></html>"
    )
    got = extract_body_paragraphs(make_soup(html))
    assert not any("Tristach" in p for p in got) and got[-1].startswith("The © sign")


def test_the_newsrooms_sign_off_lines_ending_the_text_are_dropped() -> None:
    text = [
        "The King read out the government's programme in the House of Lords on Wednesday.",
        "Follow the minister on X, his spokesman told reporters, and you will see the plan.",
        "Every policy will be fully costed, he said, and the first bills come next week.",
    ]
    sign_off = [
        "Got a story? Get in touch with our news team by emailing us at webnews@example.co.uk.",
        "For more stories like this, check our news page.",
        "Follow Example.co.uk on Twitter and Facebook for the latest news updates.",
        "Do you have a story to tell? Email: emma@example.com",
        '"Hier ist Bayern": Der BR24 Newsletter informiert Sie immer montags bis freitags.',
        "Mehr Themen auf VOGUE.de:",
    ]
    html = (
        "<html><body><article>"
        + "".join(f"<p>{p}</p>" for p in text + sign_off)
        + "</article></body></html>"
    )
    assert extract_body_paragraphs(make_soup(html)) == text


def test_relative_publication_times_are_chrome_but_sentences_with_ago_are_text() -> None:
    from scraper.sites.body.chrome_lines import is_chrome_paragraph

    for line in (
        "|Published 15 hours ago",
        "Updated 3 min ago",
        "an hour ago",
        "vor 2 Stunden",
        "Aktualisiert: vor einer Stunde",
        "il y a 3 heures",
        "hace 5 minutos",
    ):
        assert is_chrome_paragraph(line), line
    for line in ("15 hours ago the army moved into the city.", "Two years ago, she left."):
        assert not is_chrome_paragraph(line), line


def test_separator_and_sign_in_lines_are_chrome() -> None:
    from scraper.sites.body.chrome_lines import is_chrome_paragraph

    for line in ("/", "•", "* * *", "Sign In or Create an Account", "Log in to comment"):
        assert is_chrome_paragraph(line), line
    assert not is_chrome_paragraph("___")  # AP copy's section break: part of the text


def test_a_list_of_other_stories_under_its_heading_ending_the_text_is_cut() -> None:
    from scraper.sites.body.chrome_lines import without_trailing_chrome

    text = [
        f"Paragraph {n} of the article, a whole sentence with enough words in it to be prose, "
        "and then some more words so that it is long."
        for n in range(8)
    ]
    listed = [
        "You may also be interested in...",
        "Milan Design Week 2018 | FLOS pays tribute",
        "Milano Design Week 2018 | The Flow of Time at the Triennale",
    ]
    assert without_trailing_chrome(text + listed) == text
    # the article going on after a box of links in mid-text is not a list to cut
    going_on = [
        "More from the scene:",
        *[
            f"Sentence {n} of the article, which goes on and on after the "
            "box, a long way, as articles do."
            for n in range(4)
        ],
    ]
    assert without_trailing_chrome(text + going_on) == text + going_on


def test_a_data_table_keeps_one_line_per_row_with_its_cells_apart() -> None:
    from scraper.sites.html import block_paragraphs

    rows = "".join(
        f"<tr>\n<td>DL</td>\n<td><a href='/p/{n}'>Player</a> {n}</td>\n<td>63</td>\n<td>85%</td>\n</tr>\n"
        for n in (1, 2)
    )
    table = (
        "<table>\n<thead><tr><th>Pos</th><th>Player</th><th>Plays</th><th>%</th></tr></thead>\n"
        f"<tbody>{rows}</tbody>\n"
        "<tfoot><tr><th>Pos</th><th>Player</th><th>Plays</th><th>%</th></tr></tfoot></table>"
    )
    soup = make_soup(f"<html><body>{table}</body></html>")
    assert block_paragraphs(soup.body) == [
        "Pos | Player | Plays | %",
        "DL | Player 1 | 63 | 85%",
        "DL | Player 2 | 63 | 85%",
        "Pos | Player | Plays | %",
    ]
    # in an article, the repeated header stays once and the rows' repeated values stay
    text = (
        "<p>"
        + "The snap counts of the game, with every player's plays and share, below. " * 3
        + "</p>"
    )
    body = extract_body_paragraphs(
        make_soup(f"<html><body><article>{text}{table}</article></body></html>")
    )
    assert body[1:] == [
        "Pos | Player | Plays | %",
        "DL | Player 1 | 63 | 85%",
        "DL | Player 2 | 63 | 85%",
    ]


def test_text_in_a_layout_tables_cell_keeps_its_own_blocks() -> None:
    from scraper.sites.html import block_paragraphs

    soup = make_soup(
        "<html><body><table><tr><td><p>First paragraph.</p><p>Second one.</p></td>"
        "<td><p>Beside it.</p></td></tr></table></body></html>"
    )
    assert block_paragraphs(soup.body) == ["First paragraph.", "Second one.", "Beside it."]
