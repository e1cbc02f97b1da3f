"""The search index (``archive/search``) without a crawl: records in, hits out.

What it promises: a record is searchable exactly when its JSON line exists (the sink indexes
what it writes; anything else is caught up from the files), each article is one hit (its
newest version), words match without case or accents, nothing a user types is FTS5 syntax
they did not mean, and a rewritten or damaged records file never yields a wrong record.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.layout import OutputLayout
from archive.records import ArticleRecord, content_hash
from archive.search.index_rows import Filters
from archive.search.query import QueryError, normalise, parse_query
from archive.search.reading import latest_versions, open_archives, search
from archive.search.sink import records_sink
from archive.search.snippet import mark, snippet
from archive.search.text_index import TextIndex

SITE = "news"


def record(key: int, title: str, body: str, **fields: object) -> ArticleRecord:
    values: dict[str, object] = {
        "id": f"{SITE}:{key}",
        "site": SITE,
        "canonical_url": f"https://news.example/a/{key}",
        "url": f"https://news.example/a/{key}",
        "mirror": "news.example",
        "urls": [f"https://news.example/a/{key}"],
        "title": title,
        "published": "2023-02-19T10:00:00+03:30",
        "published_offset_assumed": False,
        "modified": None,
        "section": "World",
        "authors": ["Jane Doe"],
        "description": None,
        "body": body,
        "images": [],
        "tags": [],
        "language": "en",
        "fallbacks": [],
        "fetched_at": "2026-01-01T00:00:00Z",
        "content_hash": content_hash(title, body),
        "previous_hash": None,
        "minor_change": None,
        "duplicate_of": None,
        "warc": None,
    }
    values.update(fields)
    return ArticleRecord.from_dict(values)


def write_run(out: Path, run_id: str, records: list[ArticleRecord]) -> None:
    sink = records_sink(OutputLayout(out), SITE, run_id)
    for item in records:
        sink.write(item)
    sink.close()


def hits_for(out: Path, text: str, **filters: str) -> list[str]:
    opened = open_archives([out], SITE)
    try:
        return [
            h.latest.article
            for h in search(opened.archives, parse_query(text), Filters(**filters), limit=50)
        ]
    finally:
        opened.close()


def test_the_runs_sink_indexes_each_record_it_writes(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "run1",
        [
            record(1, "Oil exports rise", "Tehran said exports rose."),
            record(2, "Talks", "Nothing on oil here."),
        ],
    )
    index_file = OutputLayout(tmp_path).search_index(SITE)
    assert index_file.is_file()
    # read-only, so nothing is caught up: the sink alone put both there
    index = TextIndex(index_file, OutputLayout(tmp_path).records_dir(SITE), read_only=True)
    try:
        assert index.article_count() == 2
        assert [row.article for row, _, _ in index.search('"oil"', Filters(), limit=5)] == [
            "news:1",
            "news:2",
        ]
    finally:
        index.close()


def test_an_article_is_found_by_any_title_its_page_states(tmp_path: Path) -> None:
    stated = [
        {"text": "Why crude shipments climbed", "sources": ["og:title"]},
        "not a title",
        {"text": 7, "sources": []},
    ]
    write_run(
        tmp_path,
        "run1",
        [
            record(1, "Oil exports rise", "Tehran said exports rose.", titles=stated),
            record(2, "Talks", "Nothing on crude here."),
        ],
    )
    assert hits_for(tmp_path, "shipments") == ["news:1"]
    assert hits_for(tmp_path, "title:crude") == ["news:1"]


def test_a_title_word_outranks_the_same_word_in_the_text(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "run1",
        [
            record(1, "Markets", "Sanctions were discussed at length. " * 3),
            record(2, "Sanctions bite", "Markets fell."),
        ],
    )
    assert hits_for(tmp_path, "sanctions") == ["news:2", "news:1"]


def test_each_article_is_one_hit_its_newest_version_even_when_an_old_one_matched(
    tmp_path: Path,
) -> None:
    first = record(1, "Ceasefire agreed", "The ceasefire was agreed in Doha.")
    second = replace(
        first,
        body="The truce was agreed in Doha.",
        version=2,
        content_hash="h2",
        fetched_at="2026-01-02T00:00:00Z",
    )
    write_run(tmp_path, "run1", [first])
    write_run(tmp_path, "run2", [second])
    opened = open_archives([tmp_path], SITE)
    try:
        # both versions hold the words (the title): the newest is the one shown
        [hit] = search(opened.archives, parse_query("ceasefire Doha"), Filters(), limit=10)
        assert (hit.latest.version, hit.matched.version) == (2, 2)
        [old_only] = search(
            opened.archives, parse_query("ceasefire body:ceasefire"), Filters(), limit=10
        )
        assert old_only.matched.version == 1 and "ceasefire" in old_only.snippet.text
        [row] = [r for _, r in latest_versions(opened.archives, Filters(), limit=10)]
        assert row.version == 2
    finally:
        opened.close()


def test_words_match_without_case_or_accents(tmp_path: Path) -> None:
    write_run(tmp_path, "run1", [record(1, "Rohání in Ankara", "Le président a parlé. Éléphant.")])
    assert hits_for(tmp_path, "rohani") == ["news:1"]
    assert hits_for(tmp_path, "PRESIDENT elephant") == ["news:1"]
    assert hits_for(tmp_path, "preside*") == ["news:1"]
    assert hits_for(tmp_path, "president -elephant") == []


def test_filters_narrow_by_date_section_and_author(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        "run1",
        [
            record(1, "Oil one", "oil", published="2023-01-10T08:00:00Z", section="Economy"),
            record(
                2, "Oil two", "oil", published="2023-02-10T23:30:00-05:00", authors=["Ali Reza"]
            ),
            record(3, "Oil three", "oil", published=None, fetched_at="2023-03-01T00:00:00Z"),
        ],
    )
    assert set(hits_for(tmp_path, "oil", since="2023-02-01")) == {"news:2", "news:3"}
    # 23:30 at UTC-5 is the 11th in UTC: the day is compared in UTC
    assert set(hits_for(tmp_path, "oil", until="2023-02-10")) == {"news:1"}
    assert hits_for(tmp_path, "oil", section="economy") == ["news:1"]
    assert hits_for(tmp_path, "oil", author="reza") == ["news:2"]
    assert hits_for(tmp_path, "oil", author="%") == []  # LIKE's wildcard is a character here


def test_a_killed_runs_lines_are_caught_up_and_a_half_line_is_not(tmp_path: Path) -> None:
    write_run(tmp_path, "run1", [record(1, "Indexed by the sink", "alpha")])
    # a run killed after writing its lines but before its index took them
    lines = [
        json.dumps(record(n, f"Written only to the file {n}", "bravo").to_dict()) for n in (2, 3)
    ]
    records_file = OutputLayout(tmp_path).records_file(SITE, "run2")
    records_file.write_text(lines[0] + "\n" + lines[1][:40])  # the last one cut mid-line
    assert hits_for(tmp_path, "bravo") == ["news:2"]
    with records_file.open("a") as stream:
        stream.write(lines[1][40:] + "\n")  # the writer finished it after all
    assert set(hits_for(tmp_path, "bravo")) == {"news:2", "news:3"}


def test_lines_that_are_not_records_are_counted_and_the_rest_indexed(tmp_path: Path) -> None:
    records_file = OutputLayout(tmp_path).records_file(SITE, "run1")
    records_file.parent.mkdir(parents=True)
    good = json.dumps(record(1, "Good", "charlie").to_dict())
    records_file.write_text("{not json\n[1, 2]\n" + '{"id": "news:9"}\n' + good + "\n")
    opened = open_archives([tmp_path], SITE)
    try:
        assert any("3 lines are not records" in note for note in opened.notes)
        assert [
            h.latest.article
            for h in search(opened.archives, parse_query("charlie"), Filters(), limit=5)
        ] == ["news:1"]
    finally:
        opened.close()


def test_a_rewritten_records_file_rebuilds_the_index_and_never_shows_a_stale_record(
    tmp_path: Path,
) -> None:
    write_run(tmp_path, "run1", [record(1, "Delta", "delta"), record(2, "Echo", "echo")])
    records_file = OutputLayout(tmp_path).records_file(SITE, "run1")
    records_file.write_text(json.dumps(record(3, "Foxtrot", "foxtrot").to_dict()) + "\n")  # shorter
    opened = open_archives([tmp_path], SITE)
    try:
        assert any("rebuilt" in note and "shorter" in note for note in opened.notes)
        assert search(opened.archives, parse_query("delta"), Filters(), limit=5) == []
        [hit] = search(opened.archives, parse_query("foxtrot"), Filters(), limit=5)
        assert hit.latest.article == "news:3"
    finally:
        opened.close()


def test_reindex_gives_the_index_the_sink_built(tmp_path: Path) -> None:
    write_run(tmp_path, "run1", [record(n, f"Title {n}", f"golf hotel {n}") for n in range(1, 30)])
    before = hits_for(tmp_path, "golf")
    opened = open_archives([tmp_path], SITE)
    try:
        result = opened.archives[0].index.reindex()
        assert result.indexed == 29 and result.rebuilt
    finally:
        opened.close()
    assert hits_for(tmp_path, "golf") == before and len(before) == 29


def test_a_file_that_is_not_an_index_is_said_not_used(tmp_path: Path) -> None:
    write_run(tmp_path, "run1", [record(1, "India", "india")])
    index_file = OutputLayout(tmp_path).search_index(SITE)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_file}{suffix}").unlink(missing_ok=True)
    index_file.write_bytes(b"this is not sqlite" * 100)
    opened = open_archives([tmp_path], SITE)
    assert opened.archives == [] and "not a search index" in opened.notes[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_whatever_a_user_types_is_a_query_fts5_takes_or_a_clear_error(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE text USING fts5(title, body, description, authors, section, tags, url, mirror, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    try:
        query = parse_query(text)
    except QueryError:
        # refused only for want of a word to look for: one more word makes it a query
        parse_query("zz " + text)
        return
    # a text holding every wanted word, in order, in every field: the query must find it
    wanted = " ".join(" ".join(t.words) for t in query.terms if not t.excluded)
    db.execute(
        "INSERT INTO text (rowid, title, body, description, authors, section, tags, url, mirror) "
        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        (wanted,) * 8,
    )
    found = db.execute("SELECT rowid FROM text WHERE text MATCH ?", (query.expression,)).fetchall()
    if not any(t.excluded for t in query.terms):
        assert found == [(1,)], (text, query.expression)


def test_query_syntax_reaches_fts5_quoted() -> None:
    assert parse_query('"oil exports" -opinion').expression == '"oil exports" NOT "opinion"'
    assert parse_query("sanctions OR embargo").expression == '("sanctions" OR "embargo")'
    assert parse_query("title:Tehran sanction*").expression == 'title : "tehran" AND "sanction"*'
    assert parse_query("NEAR(a b)").expression == '"near a" AND "b"'  # not FTS5's NEAR
    assert parse_query("covid:19").expression == '"covid 19"'  # not a field: words
    with pytest.raises(QueryError):
        parse_query("-opinion")


def test_a_snippet_marks_exactly_the_query_words_where_they_cluster() -> None:
    text = (
        ("Filler words here. " * 30)
        + "The oil minister said oil exports rose. "
        + ("More filler. " * 30)
    )
    marked = snippet(text, parse_query("oil exports"))
    assert marked.text.startswith("…") and marked.text.endswith("…")
    assert [marked.text[a:b] for a, b in marked.spans] == ["oil", "oil", "exports"]
    html = mark("<b>oil</b>", parse_query("oil")).render("<mark>", "</mark>", escape=_escape)
    assert html == "&lt;b&gt;<mark>oil</mark>&lt;/b&gt;"


def _escape(text: str) -> str:
    import html

    return html.escape(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["oil", "Oil", "oily", "soil", "OIL", "exports", "export", "x", " ", ", ", "-"]
        ),
        max_size=30,
    ).map("".join),
    st.sampled_from(["oil", "export*", "oil export*", '"oil exports"', "soil -oil"]),
)
def test_ascii_text_is_marked_as_the_word_by_word_reading_marks_it(text: str, typed: str) -> None:
    query = parse_query(typed)
    whole, prefixes = query.highlight_words()
    by_word = [
        word.span()
        for word in re.finditer(r"\w+", text)
        if normalise(word[0]) in whole or any(normalise(word[0]).startswith(p) for p in prefixes)
    ]
    assert list(mark(text, query).spans) == by_word


def test_past_the_rank_window_only_the_newest_matches_are_ranked_and_the_count_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import archive.search.reading as reading
    import archive.search.text_index as text_index

    monkeypatch.setattr(text_index, "RANK_WINDOW", 3)
    monkeypatch.setattr(reading, "RANK_WINDOW", 3)
    # the oldest article says "kilo" most: ranked over all, it would come first
    write_run(tmp_path, "run1", [record(1, "Kilo kilo kilo", "kilo " * 20)])
    write_run(tmp_path, "run2", [record(n, f"Story {n}", "kilo once") for n in range(2, 7)])
    opened = open_archives([tmp_path], SITE)
    try:
        query = parse_query("kilo")
        found = [h.latest.article for h in search(opened.archives, query, Filters(), limit=10)]
        assert found and set(found) <= {"news:4", "news:5", "news:6"}
        counted = reading.count_hits(opened.archives, query, Filters())
        assert (counted.total, counted.exact, counted.ranked_newest) == (6, False, 3)
        assert str(counted) == "about 6"
        # narrowed, the old one is within reach again
        early = search(opened.archives, parse_query("title:kilo"), Filters(), limit=10)
        assert [h.latest.article for h in early] == ["news:1"]
        exact = reading.count_hits(opened.archives, parse_query("title:kilo"), Filters())
        assert (exact.total, exact.exact, exact.ranked_newest) == (1, True, None)
    finally:
        opened.close()


def test_an_index_that_cannot_be_written_costs_no_record_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state").write_text("a file where the state directory would be\n")
    records = [record(n, f"Lima {n}", "lima") for n in range(1, 4)]
    sink = records_sink(OutputLayout(tmp_path), SITE, "run1")
    with caplog.at_level("WARNING"):
        for item in records:
            sink.write(item)
        sink.close()
    warnings = [r.getMessage() for r in caplog.records if "search index" in r.getMessage()]
    assert len(warnings) == 1 and "--reindex" in warnings[0]
    lines = OutputLayout(tmp_path).records_file(SITE, "run1").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r.id for r in records]


def test_on_a_nearly_full_disk_the_index_is_left_for_later_and_the_records_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import archive.search.sink as sink_module

    usage = sink_module.shutil.disk_usage(tmp_path)
    monkeypatch.setattr(sink_module.shutil, "disk_usage", lambda path: usage._replace(free=1 << 20))
    with caplog.at_level("WARNING"):
        write_run(tmp_path, "run1", [record(n, f"Mike {n}", "mike") for n in range(1, 4)])
    assert not OutputLayout(tmp_path).search_index(SITE).exists()  # it took no room
    assert any(
        "1.0 MiB free" in r.getMessage() or "free on its disk" in r.getMessage()
        for r in caplog.records
    )
    monkeypatch.undo()
    assert len(hits_for(tmp_path, "mike")) == 3  # the next reader caught up
