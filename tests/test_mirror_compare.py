"""Compare mode on the local multi-host site: real crawls, loopback only.

Hosts 127.0.0.1-3 serve the site (primary first); a test makes one of them serve other
copies of some pages. Compare fetches must be archived, must find exactly the tampered
articles, must not count against --max-articles, and must not touch mirror health.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from archive.divergence import normalise_text
from scraper.demo.model import SampleArticle
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, failing_for, generate_articles, serving_instead
from tests.test_mirror_failover import SITE_ADDRESSES, Run, assert_every_article_once
from tests.test_mirror_failover import crawl as failover_crawl

# Every record from the primary, however the first responses race: an unproven primary takes
# this many requests at a time (the trust limit) before any go to the mirrors. Nothing here
# may count against a mirror anyway: the tests check their failures stay empty.
PRIMARY_TAKES_ALL = "MIRROR_BENCH_AFTER=100"


@pytest.fixture
def site() -> LocalSite:
    return LocalSite(generate_articles(20))


@pytest.fixture
def servers(site: LocalSite) -> Iterator[LoopbackServers]:
    with LoopbackServers(site, SITE_ADDRESSES) as running:
        yield running


def crawl(
    site: LocalSite,
    servers: LoopbackServers,
    tmp_path: Path,
    *settings: str,
    options: tuple[str, ...] = (),
) -> Run:
    return failover_crawl(site, servers, tmp_path, PRIMARY_TAKES_ALL, *settings, options=options)


def divergence_lines(run: Run, tmp_path: Path) -> list[dict]:
    [path] = (tmp_path / "out" / "runs").glob("*.mirror_divergence.jsonl")
    assert path.name == f"{run.report['run_id']}.mirror_divergence.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def article_fetches(run: Run) -> Counter[str]:
    """Article page requests per host address."""
    return Counter(
        r.host.rsplit(":", 1)[0] for r in run.requests if r.target.startswith("/Detail/")
    )


def tamper(article: SampleArticle) -> tuple[SampleArticle, str, str, str]:
    """(tampered copy, the new text of paragraph 1, the removed paragraph 3, the added one)."""
    paragraphs = list(article.paragraphs)
    changed = "Officials denied every word of the report on Sunday."
    removed = paragraphs[3]
    added = f"This paragraph was inserted into article {article.id} by the mirror."
    paragraphs[1] = changed
    del paragraphs[3]
    paragraphs.insert(7, added)
    return replace(article, paragraphs=paragraphs), changed, removed, added


def test_a_mirror_serving_tampered_articles(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    victims = {a.id: a for a in (site.articles[2], site.articles[7], site.articles[11])}
    edits = {article_id: tamper(article) for article_id, article in victims.items()}
    site.behaviours[SITE_ADDRESSES[1]] = serving_instead(
        {victims[i].path: site.render(copy) for i, (copy, *_texts) in edits.items()}
    )
    unavailable = site.articles[5]  # the third mirror fails this one: noted, not a divergence
    site.behaviours[SITE_ADDRESSES[2]] = failing_for(
        lambda request: request.target == unavailable.path, 503
    )

    run = crawl(site, servers, tmp_path, options=("--compare-mirrors",))

    assert_every_article_once(run, serving={0})  # records once each, from the primary
    h0, h1, h2 = (run.host(i) for i in range(3))
    lines = divergence_lines(run, tmp_path)
    assert sorted(line["id"] for line in lines) == sorted(f"localnews:{i}" for i in victims)
    for line in lines:
        article_id = int(line["id"].split(":")[1])
        _copy, changed, removed, added = edits[article_id]
        original = victims[article_id]
        assert line["canonical_url"] == run.origins[0] + original.path
        assert line["mirrors"] == [h0, h1, h2]
        copies = {c["mirror"]: c for c in line["copies"]}
        assert copies[h0]["recorded"] and not copies[h1]["recorded"]
        assert (
            copies[h0]["content_hash"] == copies[h2]["content_hash"] != copies[h1]["content_hash"]
        )
        assert all(
            c["url"] == run.origins[i] + original.path and c["warc"]["record_id"]
            for i, c in enumerate(line["copies"])
        )
        by_pair = {tuple(d["mirrors"]): d for d in line["differences"]}
        assert set(by_pair) == {(h0, h1), (h1, h2)}  # h0 and h2 agree
        diff = by_pair[(h0, h1)]
        assert diff["counts"] == {"changed": 1, "removed": 1, "added": 1, "title_changed": 0}
        assert diff["title"] is None
        [change] = diff["changed"]
        assert change["from"] == {"index": 1, "text": normalise_text(original.paragraphs[1])}
        assert change["to"] == {"index": 1, "text": changed}
        assert [r["text"] for r in diff["removed"]] == [normalise_text(removed)]
        assert [r["text"] for r in diff["added"]] == [added]
        # the other direction: what h1 removed, h2 (untouched) has
        assert [r["text"] for r in by_pair[(h1, h2)]["added"]] == [normalise_text(removed)]

    summary = run.report["mirror_divergence"]
    assert summary["articles_compared"] == 20 and summary["articles_divergent"] == 3
    assert sorted(a["id"] for a in summary["articles"]) == sorted(line["id"] for line in lines)
    pairs = {tuple(p["mirrors"]): p for p in summary["pairs"]}
    assert pairs[(h0, h1)] == {
        "mirrors": [h0, h1],
        "articles": 3,
        "changed": 3,
        "removed": 3,
        "added": 3,
        "title_changed": 0,
    }
    assert summary["fetch_failures"] == {h2: {"http 503": 1}}
    assert summary["copies"] == {h1: 20, h2: 19}  # the recorded copies are not counted here
    assert (
        f"mirror divergence: 3 articles of 20 differ ({h0} \u2194 {h1}: 3 articles; 3 changed, "
        f"3 removed, 3 added paragraphs" in run.result.stderr
    )
    assert f"runs/{run.report['run_id']}.mirror_divergence.jsonl" in run.result.stderr

    # neither content differences nor the 503 of a copy bench anybody
    for i in range(3):
        assert run.mirror(i)["failures"] == {} and run.mirror(i)["times_benched"] == 0
    # every copy is evidence: all three hosts' pages of each victim are in the WARC
    for original in victims.values():
        archived = {
            url for url, status, _ in run.warc if url.endswith(original.path) and status == "200"
        }
        assert archived == {origin + original.path for origin in run.origins}
    assert (run.origins[2] + unavailable.path, "503") in {
        (url, status) for url, status, _ in run.warc
    }


def test_identical_text_in_other_templates_is_no_divergence(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    # The seed article's title reads "Café" composed (NFC) on the primary…
    seed = site.articles[0]
    composed = site.articles[0] = replace(seed, title=seed.title + " at the Caf\u00e9")
    site.routes[seed.path] = site.render(composed)
    # …mirror 2 serves every article in the other template (other chrome, markup, lists)…
    site.behaviours[SITE_ADDRESSES[1]] = serving_instead(
        {a.path: site.render(a, other_template=True) for a in site.articles}
    )
    # …and mirror 3 the same words decomposed (NFD), NBSPs and single spaces as runs of spaces
    # (the page object tidies some of that itself; archive.divergence normalises it anyway).
    loose = replace(
        composed,
        title=unicodedata.normalize("NFD", composed.title),
        paragraphs=[p.replace("\u00a0", "   ").replace(". ", ".  ") for p in composed.paragraphs],
    )
    site.behaviours[SITE_ADDRESSES[2]] = serving_instead({seed.path: site.render(loose)})

    run = crawl(site, servers, tmp_path, options=("--compare-mirrors", "--max-articles", "5"))

    assert run.result.returncode == 0, run.result.stderr[-3000:]
    assert len(run.records) == 5 == len({r["id"] for r in run.records})  # copies are no records
    assert f"localnews:{seed.id}" in {r["id"] for r in run.records}  # the feed lists it first
    assert divergence_lines(run, tmp_path) == []
    summary = run.report["mirror_divergence"]
    assert (summary["articles_compared"], summary["articles_divergent"], summary["pairs"]) == (
        5,
        0,
        [],
    )
    assert "mirror divergence: none, 5 articles compared" in run.result.stderr
    # the copies do not count against --max-articles: five articles, each asked of all three
    assert article_fetches(run) == {address: 5 for address in SITE_ADDRESSES}
    assert run.report["counts"].get("article") == 5


def test_without_compare_mode_no_extra_fetches(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    run = crawl(site, servers, tmp_path)
    assert_every_article_once(run, serving={0})
    assert article_fetches(run) == {SITE_ADDRESSES[0]: len(site.articles)}
    assert run.report["mirror_divergence"] is None
    assert not list((tmp_path / "out" / "runs").glob("*.mirror_divergence.jsonl"))
    assert "mirror divergence" not in run.result.stderr


def test_compare_mode_as_a_setting(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """``-s MIRROR_COMPARE=True`` is the same switch (what ``scrapy crawl`` users set)."""
    victim = site.articles[3]
    site.behaviours[SITE_ADDRESSES[2]] = serving_instead(
        {victim.path: site.render(tamper(victim)[0])}
    )
    run = crawl(site, servers, tmp_path, "MIRROR_COMPARE=True")
    assert_every_article_once(run, serving={0})
    assert [line["id"] for line in divergence_lines(run, tmp_path)] == [f"localnews:{victim.id}"]
    assert run.report["mirror_divergence"]["articles_divergent"] == 1
