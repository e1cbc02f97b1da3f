"""Paragraph-level rules for template chrome: lines that are page furniture in any article
("Advertisement", "Share", a photo caption or credit, a timestamp), and the labels,
sign-offs and lists of other stories that end a text.  They read text alone, so they serve
texts read elsewhere than the HTML (JSON-LD articleBody, script data) as well as the body
extractor."""

from __future__ import annotations

from scraper.sites.body.vocabulary import (
    BOILERPLATE_LINE,
    CAPTION_LINE,
    CHROME_LINES,
    CLOCK_TIME,
    COMMENTS_HEADING,
    COPYRIGHT_CREDIT,
    CREDIT_LINE,
    OTHER_STORIES,
    RELATIVE_TIME,
    SENTENCE_ENDS,
    SIGN_OFF,
)


def without_trailing_chrome(paragraphs: list[str]) -> list[str]:
    """Drop the short, unpunctuated lines that end the text ("Related topics", "More from
    us", "記事一覧"): the titles of boxes below the article whose items were cut, which
    label nothing now; an article ends in a sentence, not a label.  And the newsroom's
    sign-off lines ("Got a story?…", "Follow us on…"), and a list of other stories under a
    heading that says so ("You may also be interested in…"), where a plugin printed it as
    text.  Public for texts read elsewhere than the HTML (JSON-LD articleBody, script data),
    which carry the same lines."""
    paragraphs = _without_trailing_list(_without_comment_thread(paragraphs))
    end = len(paragraphs)
    while end > _MIN_KEPT and (_is_label(paragraphs[end - 1]) or _is_sign_off(paragraphs[end - 1])):
        end -= 1
    return paragraphs[:end] if end < len(paragraphs) and end >= _MIN_KEPT else paragraphs


def _without_comment_thread(paragraphs: list[str]) -> list[str]:
    """Cut at the heading of the readers' comments ("Comments (12)", "Leave a reply"): the
    article ended before it."""
    for index, paragraph in enumerate(paragraphs[1:], start=1):
        if len(paragraph) <= _MAX_COMMENTS_HEADING and COMMENTS_HEADING.match(paragraph):
            return paragraphs[:index]
    return paragraphs


_MAX_COMMENTS_HEADING = 40


def _without_trailing_list(paragraphs: list[str]) -> list[str]:
    """Cut at a heading announcing other stories when what follows it, to the end, is a
    short list of short lines, small beside the text: the heading in the text's last third.
    ("Don't miss" is no such heading: tabloids put that box in mid-article.)"""
    count = len(paragraphs)
    for index in range(max(_MIN_KEPT, 2 * count // 3), count):
        if OTHER_STORIES.match(paragraphs[index]):
            rest = paragraphs[index + 1 :]
            if (
                len(rest) <= _MAX_LISTED
                and all(len(line) <= _MAX_LISTED_LINE for line in rest)
                and sum(map(len, rest)) < _MAX_LISTED_SHARE * sum(map(len, paragraphs[:index]))
            ):
                return paragraphs[:index]
            break
    return paragraphs


_MAX_LISTED = 12
_MAX_LISTED_LINE = 200
_MAX_LISTED_SHARE = 0.25  # more is the article going on after an inline box of links


def _is_label(paragraph: str) -> bool:
    # Digits make it a value (a phone number, a price, a date) that ends a listing, not a
    # box title.
    return (
        len(paragraph) < _MAX_LABEL
        and not paragraph.rstrip().endswith(SENTENCE_ENDS)
        and not any(map(str.isdigit, paragraph))
    )


_MAX_LABEL = 30


def _is_sign_off(paragraph: str) -> bool:
    """The newsroom's standing lines under every article: "Got a story? Get in touch…",
    "Follow Metro.co.uk on Twitter…", "For more stories like this, check our news page."
    Only at the end: inside an article such a sentence may be news."""
    return len(paragraph) <= _MAX_SIGN_OFF and bool(SIGN_OFF.match(paragraph))


_MAX_SIGN_OFF = 300
# How many paragraphs must stay for the trailing labels to be judged chrome.
_MIN_KEPT = 3


def is_chrome_paragraph(paragraph: str) -> bool:
    """A paragraph that is page furniture in any article: "Advertisement", "Share", a
    photo caption that escaped its ``<figcaption>`` (it ends in the credit, "… (Picture:
    Getty)"), a line that is only a credit ("Photo: Reuters")."""
    return bool(
        # "/", "•": a template's separator; not AP copy's "___", a section break of the text
        not any(map(str.isalnum, paragraph))
        and "_" not in paragraph
        or BOILERPLATE_LINE.match(paragraph)
        or paragraph.casefold().strip() in CHROME_LINES
        or CAPTION_LINE.search(paragraph)
        or len(paragraph) <= MAX_CAPTION
        and COPYRIGHT_CREDIT.search(paragraph)
        or CREDIT_LINE.match(paragraph)
        or _is_timestamp_line(paragraph)
    )


def _is_timestamp_line(paragraph: str) -> bool:
    """A line that is only when the page was published or updated: "Stand: 22.04.2024,
    06:00 Uhr", "17:41 JST, October 13, 2024", "2025年1月13日 20時01分": short, with a clock
    time, and mostly digits; or said relatively: "|Published 15 hours ago", "vor 2 Stunden"."""
    if len(paragraph) > _MAX_TIMESTAMP_LINE:
        return False
    if RELATIVE_TIME.match(paragraph):
        return True
    if not CLOCK_TIME.search(paragraph):
        return False
    visible = len(paragraph) - sum(map(str.isspace, paragraph))
    return sum(map(str.isdigit, paragraph)) >= 0.4 * visible


_MAX_TIMESTAMP_LINE = 60
# Longer is text, not a caption; ``cleanup`` cuts caption paragraphs by the same measure.
MAX_CAPTION = 300
