"""bench/corpus_halves.py: development corpora split by publisher, the same way every time."""

from __future__ import annotations

import hashlib

from bench.corpus_halves import TUNING, VALIDATION, half_of, publisher_of_url, split


def test_a_publisher_is_its_registered_domain() -> None:
    assert publisher_of_url("https://edition.cnn.com/2024/01/01/x") == "cnn.com"
    assert publisher_of_url("https://www.cnn.com/a") == "cnn.com"
    assert publisher_of_url("https://www.bbc.co.uk/news/1") == "bbc.co.uk"
    assert publisher_of_url("https://www.abc.net.au/news/1") == "abc.net.au"
    assert publisher_of_url("https://www.lemonde.fr/a") == "lemonde.fr"
    assert publisher_of_url("http://Example.COM./a") == "example.com"


def test_the_half_is_a_hash_of_the_name_not_of_the_order() -> None:
    for name in ("BBC", "bbc", " bbc ", "Süddeutsche"):
        first_byte = hashlib.sha256(name.strip().casefold().encode()).digest()[0]
        assert half_of(name) == (TUNING if first_byte % 2 == 0 else VALIDATION)
    assert half_of("BBC") == half_of("bbc")


def test_pages_of_one_publisher_never_straddle_the_halves() -> None:
    pages = [
        f"https://{host}/{n}" for host in ("www.a.com", "b.org", "c.de", "d.fr") for n in range(3)
    ]
    pages.append("https://news.a.com/x")  # the same publisher as www.a.com
    halves = split(pages, publisher_of_url)
    assert sorted(halves[TUNING] + halves[VALIDATION]) == sorted(pages)
    for half, urls in halves.items():
        assert all(half_of(publisher_of_url(url)) == half for url in urls)
    a_com = [half for half, urls in halves.items() for url in urls if "a.com" in url]
    assert len(a_com) == 4 and len(set(a_com)) == 1


def test_many_publishers_split_roughly_in_two() -> None:
    halves = split([f"publisher-{n}" for n in range(400)], str)
    assert 150 < len(halves[TUNING]) < 250
