"""archive/layout.py: every path under --out, as the crawl writes it and the tools read it."""

from __future__ import annotations

from pathlib import Path

from archive.layout import DEFAULT_OUT, OutputLayout, index_root


def test_paths_under_the_output_directory(tmp_path: Path) -> None:
    layout = OutputLayout(tmp_path)
    assert layout.warc_dir("presstv") == tmp_path / "warc" / "presstv"
    assert (
        layout.records_file("presstv", "presstv-20261205T000000Z-ab12")
        == tmp_path / "json" / "presstv" / "presstv-20261205T000000Z-ab12.jsonl"
    )
    assert layout.run_report("r1") == tmp_path / "runs" / "r1.json"
    assert layout.divergence_file("r1") == tmp_path / "runs" / "r1.mirror_divergence.jsonl"
    assert layout.index_file("presstv") == tmp_path / "state" / "presstv.sqlite"
    assert layout.site_lock("presstv") == tmp_path / "state" / "presstv.lock"
    assert layout.recovered_marker("presstv") == tmp_path / "state" / "presstv.recovered.jsonl"
    assert layout.schedule_state == tmp_path / "state" / "schedule.json"
    assert layout.job_log("hourly") == tmp_path / "logs" / "hourly.log"
    assert OutputLayout.at(str(tmp_path)) == layout
    assert DEFAULT_OUT == "data"


def test_run_reports_of_a_site_are_its_own_and_in_order(tmp_path: Path) -> None:
    layout = OutputLayout(tmp_path)
    layout.runs_dir.mkdir()
    for name in (
        "presstv-20260102T000000Z-aa.json",
        "presstv-20260101T000000Z-bb.json",
        "presstv-20260101T000000Z-bb.mirror_divergence.jsonl",
        "other-20260101T000000Z-cc.json",
    ):
        (layout.runs_dir / name).write_text("{}")
    assert [p.name for p in layout.run_reports_of("presstv")] == [
        "presstv-20260101T000000Z-bb.json",
        "presstv-20260102T000000Z-aa.json",
    ]


def test_a_crawl_directory_is_told_from_a_folder_of_warcs(tmp_path: Path) -> None:
    assert not OutputLayout(tmp_path).is_crawl_dir()
    (tmp_path / "warc").mkdir()
    assert OutputLayout(tmp_path).is_crawl_dir()


def test_the_output_directory_of_an_index_file(tmp_path: Path) -> None:
    index = OutputLayout(tmp_path).index_file("presstv")
    assert index_root(index) == OutputLayout(tmp_path)
