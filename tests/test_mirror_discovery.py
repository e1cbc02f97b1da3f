"""Mirror discovery (issue 16, item 1) on the local multi-host site: a profile naming only a
failing primary, whose pages announce two healthy mirrors and an impostor.

Every article is archived, those the primary fails from the announced mirrors once verified,
none from the impostor (its text of an archived article differs: rejected). What was learnt
is kept for the next run, which starts with the verified mirrors. (A notice naming an
address in a private network: ``test_address_policy.py``, on a network that keeps every
request on loopback.)
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

from archive.mirror_verification import text_agreement
from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command

ARTICLES = 24
PRIMARY, HEALTHY_A, HEALTHY_B, IMPOSTOR = "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"


def impostor_of(site: LocalSite):  # type: ignore[no-untyped-def]
    """At every article's path, another article's text: the site's look, not its words."""
    pages = {}
    for index, article in enumerate(site.articles):
        other = site.articles[(index + 7) % len(site.articles)]
        fake = replace(other, id=article.id, slug=article.slug, published=article.published)
        pages[article.path] = site.render(fake)

    def behaviour(request: Request, reply: Reply) -> Reply:
        return pages.get(request.target, reply)

    return behaviour


def crawl(profile: Path, out: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
    for setting in ("RETRY_TIMES=0", *settings):
        command += ["-s", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def records(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def memory(out: Path) -> dict[str, dict]:
    data = json.loads((out / "state" / "localnews.mirrors.json").read_text())
    return {m["origin"]: m for m in data["mirrors"]}


def test_announced_mirrors_are_verified_and_the_impostor_rejected(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    index = {article.path: n for n, article in enumerate(site.articles)}
    # the primary serves one article in three, and every listing, feed and sitemap
    site.behaviours[PRIMARY] = failing_for(lambda r: index.get(r.target, 0) % 3 != 0)
    site.behaviours[IMPOSTOR] = impostor_of(site)
    with LoopbackServers(site, [PRIMARY, HEALTHY_A, HEALTHY_B, IMPOSTOR]) as servers:
        primary, healthy_a, healthy_b, impostor = servers.origins
        site.announced = (healthy_a, impostor, healthy_b)
        site.rebuild()
        profile = write_profile(tmp_path / "localnews.toml", [primary])  # the primary alone
        out = tmp_path / "out"
        first = crawl(profile, out)
        asked_of_impostor = [r for r in servers.requests if r.host == impostor.split("//")[1]]
        second = crawl(profile, out)
        asked_again = [r for r in servers.requests if r.host == impostor.split("//")[1]]

    assert first.returncode == 0, first.stderr[-4000:]
    got = records(out)
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)) and set(ids) == {f"localnews:{a.id}" for a in site.articles}
    by_mirror = {r["mirror"] for r in got}
    host = {o: o.split("//")[1] for o in servers.origins}
    assert host[impostor] not in by_mirror  # never a record from the impostor
    assert {host[healthy_a], host[healthy_b]} & by_mirror  # the failed ones came from them
    assert all(r["mirror"] in {host[primary], host[healthy_a], host[healthy_b]} for r in got)
    # the impostor was only asked for check pages, never for a record
    assert asked_of_impostor and all(
        r.target in index or r.target == "/robots.txt" for r in asked_of_impostor
    )
    learnt = memory(out)
    for healthy in (healthy_a, healthy_b):  # in failover after one check, trusted after three
        assert learnt[healthy]["status"] in ("verified", "trusted"), learnt[healthy]
        assert learnt[healthy]["checks_passed"] >= 1
    assert learnt[healthy_a]["learnt"] == "notice" and "/Detail/" in learnt[healthy_a]["learnt_at"]
    assert learnt[impostor]["status"] == "rejected"
    assert "differs from the site's" in learnt[impostor]["verification"]
    assert f"mirror candidate {impostor}" in first.stderr and "rejected" in first.stderr
    # a verified mirror is news, not a warning (issue 22, item 12)
    verified = [
        line for line in first.stderr.splitlines() if f"mirror {healthy_a} verified" in line
    ]
    assert verified and all(" INFO: " in line for line in verified), verified
    [report] = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))][:1]
    assert report["status"] == "ok" and report["failure_count"] == 0
    assert report["stats"]["mirror_discovery/verified"] == 2
    assert report["stats"]["mirror_discovery/rejected"] == 1
    # verified while the crawl ran: the articles every mirror had failed were asked of it
    assert report["stats"]["mirror_discovery/first_verified_after"] >= 1  # a check's article
    assert report["stats"]["mirror_discovery/asked_again"] >= 1

    # the next run starts with the verified mirrors; the impostor is not checked again
    assert second.returncode == 0, second.stderr[-4000:]
    reports = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
    assert set(reports[-1]["mirrors"]) == {primary, healthy_a, healthy_b}
    assert len(asked_again) == len(asked_of_impostor)  # rejected: never asked again


def test_text_agreement_tells_a_copy_from_another_text() -> None:
    text = "\n\n".join(f"Paragraph {n} of the article, with its words." for n in range(10))
    assert text_agreement(text, text.replace("\n\n", "\n\n ")) == 1.0
    assert text_agreement(text, "\n\n".join(text.split("\n\n")[:9])) > 0.85  # one paragraph short
    assert text_agreement(text, "Another story altogether.\n\nWith other words.") == 0.0


def test_a_joined_mirror_that_fails_a_later_check_leaves_failover() -> None:
    from archive.mirror_health import MirrorHealth

    health = MirrorHealth(["https://a.example"], order=["https://a.example"])
    assert health.add("https://b.example") and not health.add("https://b.example")
    health.failed("https://a.example", "http_503")
    health.failed("https://a.example", "http_503")
    health.failed("https://a.example", "http_503")  # the primary benched
    assert health.pick() == "https://b.example"  # the joined mirror takes over
    health.retire("https://b.example")
    assert health.pick() is None and health.report()["https://b.example"]["state"] == "retired"
