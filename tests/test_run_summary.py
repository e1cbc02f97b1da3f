"""The crawl's closing line says how the run ended and what each number counts (issue 15,
item 6): "failed: 404 articles, 2 failures" read as if 404 articles had failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.run_summary import closing_line

CASES = [
    (
        {"status": "ok", "counts": {"article": 12}, "failure_count": 0},
        "ok: 12 articles archived, no page failed; report r.json",
    ),
    (
        {
            "status": "failed",
            "finish_reason": "finished",
            "counts": {"article": 404, "failed/article": 1, "failed/listing": 1},
            "failure_count": 2,
        },
        "finished with failures: 404 articles archived, 2 pages failed (1 article, 1 listing); "
        "report r.json",
    ),
    (
        {"status": "interrupted", "finish_reason": "shutdown", "counts": {"article": 1}},
        "interrupted: 1 article archived, no page failed; report r.json",
    ),
    (
        {"status": "failed", "finish_reason": "disk_full", "counts": {"article": 3}},
        "stopped (disk full): 3 articles archived, no page failed; report r.json",
    ),
    (
        {"status": "failed", "counts": {}, "failure_count": 0, "all_mirrors_failed": True},
        "failed (all mirrors failed): 0 articles archived, no page failed; report r.json",
    ),
    (  # issue 22, item 4: an alert makes the exit status 1; the line must not say "ok"
        {
            "status": "ok",
            "counts": {},
            "failure_count": 0,
            "alerts": ["no article URL among the 11 links seen on the site: …"],
        },
        "finished with 1 alert: 0 articles archived, no page failed; report r.json",
    ),
]


@pytest.mark.parametrize(("report", "line"), CASES, ids=[c[1].split(":")[0] for c in CASES])
def test_the_closing_line_says_what_its_numbers_count(report: dict, line: str) -> None:
    assert closing_line(report, "r.json") == line


def test_small_archives_are_told_in_kilobytes_and_one_record_is_a_record(tmp_path: Path) -> None:
    """Not "1 records; 0.0 MB of WARC written" for 19 kB (issue 22, item 11)."""
    from archive.run_summary import archived_line, assets_line

    records = tmp_path / "run.jsonl"
    records.write_text(
        '{"id": "s:1", "url": "http://x/1", "fetched_at": "2023-02-20T00:00:00Z", '
        '"published": "2023-02-19T10:00:00Z"}\n',
        encoding="utf-8",
    )
    assert archived_line(records, 19_000) == (
        "archived: 1 record, published 2023-02-19; 19.0 kB of WARC written"
    )
    line = assets_line({"assets/requested": 1, "assets/fetched": 1, "assets/bytes": 19_000})
    assert line == "assets: 1 fetched (19.0 kB)"
