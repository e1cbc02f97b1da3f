"""``newsarchive search``, ``list``, ``show`` and ``history`` on real crawls of the local site,
run as a user runs them: an article edited between two crawls has two versions, and a replay
of the WARCs into a second directory holds the same articles again."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archive.records import ArticleRecord
from scraper.cli.reading_output import print_record
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles
from tests.conftest import crawl_with_an_edit, newsarchive_command, run_newsarchive

CORRECTION = "A correction was added later about Xylophone tariffs."


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(12)
    site = LocalSite(articles, etags=True)
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        work = tmp_path_factory.mktemp("reading")
        edited_from = articles[3]
        edited = replace(
            edited_from,
            title=edited_from.title + " (updated)",
            paragraphs=[*edited_from.paragraphs, CORRECTION],
        )
        out, profile = crawl_with_an_edit(site, servers, work, edited_from, edited)
        replayed = work / "replayed"
        replay = run_newsarchive(
            "replay", str(out / "warc"), "--out", str(replayed), "--site", str(profile), "--quiet"
        )
        assert replay.returncode == 0, replay.stderr[-2000:]
        yield {
            "out": out,
            "replayed": replayed,
            "articles": articles,
            "edited": edited,
            "edited_id": f"localnews:{edited.id}",
            "edited_from": edited_from,
            "profile": profile,
        }


def newsarchive(*args: str) -> Any:
    return run_newsarchive(*args, timeout=60)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_search_finds_the_edited_article_once_at_its_newest_version(
    archive: dict[str, Any],
) -> None:
    result = newsarchive("search", "localnews", "xylophone", "--out", str(archive["out"]), "--json")
    assert result.returncode == 0, result.stderr
    [hit] = json_lines(result.stdout)
    assert hit["id"] == archive["edited_id"] and hit["version"] == 2
    assert hit["title"] == archive["edited"].title
    assert {"id", "version", "title", "url", "published", "snippet"} <= hit.keys()
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "xylophone"


def test_a_word_only_the_old_version_had_finds_the_article_and_says_so(
    archive: dict[str, Any],
) -> None:
    old_title = archive["edited_from"].title
    result = newsarchive(
        "search", "localnews", "--out", str(archive["out"]), "--json", "--",
        f'title:"{old_title}"', "-updated",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [hit] = json_lines(result.stdout)
    assert (hit["id"], hit["version"], hit["matched_version"]) == (archive["edited_id"], 2, 1)


def test_search_on_a_terminal_less_output_marks_words_and_counts(archive: dict[str, Any]) -> None:
    result = newsarchive("search", "localnews", "xylophone", "--out", str(archive["out"]))
    assert result.returncode == 0
    assert "1 article matches 'xylophone'" in result.stdout
    assert "[Xylophone]" in result.stdout and archive["edited"].title in result.stdout


def test_no_hit_is_exit_1_and_an_unknown_site_or_bad_query_exit_2(archive: dict[str, Any]) -> None:
    out = str(archive["out"])
    nothing = newsarchive("search", "localnews", "qwertyuiop", "--out", out)
    assert nothing.returncode == 1 and "no article matches 'qwertyuiop'" in nothing.stderr
    unknown = newsarchive("search", "nosuchsite", "oil", "--out", out)
    assert unknown.returncode == 2 and "no records of nosuchsite" in unknown.stderr
    assert "localnews" in unknown.stderr and "Traceback" not in unknown.stderr
    only_excluded = newsarchive("search", "localnews", "--out", out, "--", "-oil")
    assert only_excluded.returncode == 2 and "no word to look for" in only_excluded.stderr
    assert len(only_excluded.stderr.strip().splitlines()) == 1


def test_list_is_newest_first_each_article_once_and_filters(archive: dict[str, Any]) -> None:
    result = newsarchive(
        "list", "localnews", "--out", str(archive["out"]), "--json", "--limit", "100"
    )
    assert result.returncode == 0, result.stderr
    rows = json_lines(result.stdout)
    assert len(rows) == len({r["id"] for r in rows}) == len(archive["articles"])
    times = [r["published"] for r in rows]
    assert times == sorted(times, reverse=True)
    assert next(r for r in rows if r["id"] == archive["edited_id"])["version"] == 2
    section = rows[0]["section"]
    narrowed = json_lines(
        newsarchive(
            "list",
            "localnews",
            "--out",
            str(archive["out"]),
            "--json",
            "--section",
            section.upper(),
        ).stdout
    )
    assert narrowed and {r["section"] for r in narrowed} == {section}
    future = newsarchive("list", "localnews", "--out", str(archive["out"]), "--since", "2999-01-01")
    assert future.returncode == 1 and "since 2999-01-01" in future.stderr


def test_show_reads_the_article_and_any_version(archive: dict[str, Any]) -> None:
    out = str(archive["out"])
    newest = newsarchive("show", archive["edited_id"], "--out", out)
    assert newest.returncode == 0, newest.stderr
    assert newest.stdout.startswith(archive["edited"].title)
    assert CORRECTION in newest.stdout and "version 2 of 2" in newest.stdout
    first = newsarchive("show", archive["edited_id"], "--out", out, "--version", "1")
    assert (
        first.stdout.startswith(archive["edited_from"].title + "\n")
        and CORRECTION not in first.stdout
    )
    as_json = json.loads(newsarchive("show", archive["edited_id"], "--out", out, "--json").stdout)
    lines = [
        json.loads(line)
        for path in sorted((archive["out"] / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert as_json == next(
        r for r in lines if r["id"] == archive["edited_id"] and r["version"] == 2
    )
    for bad in (["localnews:1"], ["no-colon"], [archive["edited_id"], "--version", "7"]):
        result = newsarchive("show", *bad, "--out", out)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, bad


def test_history_lists_versions_and_diffs_them_word_by_word(archive: dict[str, Any]) -> None:
    out = str(archive["out"])
    result = newsarchive("history", archive["edited_id"], "--out", out, "--diff")
    assert result.returncode == 0, result.stderr
    assert "2 versions" in result.stdout and "v1 → v2" in result.stdout
    assert "{+ (updated)+}" in result.stdout  # the title's inserted word
    assert re.search(r"\{\+\s*" + re.escape(CORRECTION) + r"\+\}", result.stdout)
    data = json.loads(
        newsarchive("history", archive["edited_id"], "--out", out, "--diff", "--json").stdout
    )
    assert [v["version"] for v in data["versions"]] == [1, 2]
    [diff] = data["diffs"]
    inserted = "".join(p["text"] for p in diff["body"] if p["op"] == "inserted")
    assert CORRECTION in inserted and not any(p["op"] == "deleted" for p in diff["body"])
    assert data["versions"][1]["previous_hash"] == data["versions"][0]["content_hash"]


def test_several_out_directories_are_one_archive(archive: dict[str, Any]) -> None:
    both = ["--out", str(archive["out"]), "--out", str(archive["replayed"])]
    hits = json_lines(newsarchive("search", "localnews", "xylophone", *both, "--json").stdout)
    assert [h["id"] for h in hits] == [archive["edited_id"]]  # in both directories, one hit
    rows = json_lines(newsarchive("list", "localnews", *both, "--json", "--limit", "100").stdout)
    assert len(rows) == len(archive["articles"])


def test_a_line_the_index_never_saw_is_found_at_the_next_search(
    archive: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "copy"
    records = out / "json" / "localnews"
    records.mkdir(parents=True)
    source = sorted((archive["out"] / "json" / "localnews").glob("*.jsonl"))[0]
    line = json.loads(source.read_text().splitlines()[0])
    line["body"] += " Zanzibar."
    (records / "killed-run.jsonl").write_text(json.dumps(line) + "\n")  # no index was told
    result = newsarchive("search", "localnews", "zanzibar", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert "1 records added from the JSON Lines" in result.stderr
    assert [h["id"] for h in json_lines(result.stdout)] == [line["id"]]


def test_history_marks_changes_in_colour_where_colour_is_wanted(archive: dict[str, Any]) -> None:
    command = [
        *newsarchive_command(),
        "history",
        archive["edited_id"],
        "--out",
        str(archive["out"]),
        "--diff",
    ]
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    coloured = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**base, "FORCE_COLOR": "1"}
    )
    assert "\x1b[4;32m (updated)\x1b[0m" in coloured.stdout  # inserted: green, underlined
    assert "{+" not in coloured.stdout
    plain = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, "FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert "\x1b[" not in plain.stdout and "{+ (updated)+}" in plain.stdout


def test_show_names_the_other_titles_the_page_stated(capsys: pytest.CaptureFixture[str]) -> None:
    record = ArticleRecord.from_dict(
        {
            "id": "news:1",
            "content_hash": "x",
            "title": "Oil exports rose in May",
            "titles": [
                {"text": "Why oil exports rose", "sources": ["og:title", "twitter:title"]},
                {"text": "Oil exports rose in May", "sources": ["h1"]},
            ],
        }
    )
    print_record(record, versions=1, color=False)
    shown = capsys.readouterr().out
    assert "Also titled:\n  Why oil exports rose  (og:title, twitter:title)\n" in shown
    assert "(h1)" not in shown
