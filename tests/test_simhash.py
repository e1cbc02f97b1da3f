"""The simhash behind "minor change": near-identical texts are a few bits apart, unrelated
news texts far apart, and the same text always gives the same value."""

from __future__ import annotations

import json
from pathlib import Path

from archive.simhash import distance, text_simhash
from scraper.demo.presstv_seed import seed_article

FIXTURES = Path(__file__).parent / "fixtures" / "generic"


def seed_text() -> tuple[str, str]:
    article = seed_article()
    return article.title, "\n\n".join(p.removeprefix("## ") for p in article.paragraphs)


def other_news_text() -> str:
    ground_truth = json.loads((FIXTURES / "fundus" / "voa" / "meta.json").read_text())[
        "ground_truth"
    ]
    return json.dumps(ground_truth, ensure_ascii=False)


def test_same_text_same_value_and_whitespace_does_not_matter() -> None:
    title, body = seed_text()
    assert text_simhash(title, body) == text_simhash(title, body.replace(" ", "  \n "))
    assert 0 <= text_simhash(title, body) < 2**64


def test_a_one_word_edit_is_a_near_duplicate() -> None:
    title, body = seed_text()
    edited = body.replace("Sunday", "Monday", 1)
    assert edited != body
    assert 0 < distance(text_simhash(title, body), text_simhash(title, edited)) <= 3


def test_unrelated_articles_are_far_apart() -> None:
    title, body = seed_text()
    assert distance(text_simhash(title, body), text_simhash(None, other_news_text())) > 10


def test_empty_text_is_zero() -> None:
    assert text_simhash(None, "") == 0
