"""archive.divergence: normalised paragraph diffs between mirrors' copies of an article."""

from __future__ import annotations

import json
from pathlib import Path

from archive.divergence import (
    MirrorComparer,
    MirrorCopy,
    diff_paragraphs,
    normalise_text,
    paragraphs_of,
    summary_line,
)
from archive.records import content_hash
from archive.warc_pointer import WarcPointer

BODY = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n\nFourth paragraph."
MIRRORS = ["www.a", "www.b", "www.c"]


def copy(mirror: str, body: str = BODY, title: str = "Title", recorded: bool = False) -> MirrorCopy:
    return MirrorCopy(
        mirror,
        f"https://{mirror}/Detail/1",
        title,
        body,
        WarcPointer(f"{mirror}.warc.gz", 0, f"<urn:{mirror}>"),
        recorded,
    )


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_normalise_text_ignores_whitespace_and_composition() -> None:
    assert normalise_text(" Caf\u0065\u0301\u00a0 au\n\tlait ") == "Caf\u00e9 au lait"
    assert normalise_text(None) == ""
    assert normalise_text("Case Matters") != normalise_text("case matters")  # a real edit


def test_paragraphs_of_drops_empty_paragraphs() -> None:
    assert paragraphs_of("One\u00a0 two.\n\n  \n\nThree.\n\n") == ["One two.", "Three."]
    assert paragraphs_of(None) == []


def test_identical_after_normalisation_is_no_diff() -> None:
    a = paragraphs_of(BODY)
    b = paragraphs_of(BODY.replace(" ", "\u00a0 ").replace("\n\n", "\n\n\n\n"))
    assert not diff_paragraphs(a, b, "Title", "Title")


def test_changed_removed_and_added_paragraphs() -> None:
    a = ["p0", "p1", "p2", "p3", "p4", "p5", "p6"]
    b = ["p0", "p1 rewritten", "p2", "p4", "p5", "inserted", "p6"]
    diff = diff_paragraphs(a, b, "T", "T")
    assert diff.changed == [(1, "p1", 1, "p1 rewritten")]
    assert diff.removed == [(3, "p3")]
    assert diff.added == [(5, "inserted")]
    assert diff.title is None
    assert diff.counts() == {"title_changed": 0, "added": 1, "removed": 1, "changed": 1}
    assert diff.to_dict()["changed"] == [
        {"from": {"index": 1, "text": "p1"}, "to": {"index": 1, "text": "p1 rewritten"}}
    ]


def test_a_replace_of_unequal_length_pairs_in_order() -> None:
    diff = diff_paragraphs(["x", "old 1", "old 2", "y"], ["x", "new 1", "y"])
    assert diff.changed == [(1, "old 1", 1, "new 1")]
    assert diff.removed == [(2, "old 2")] and diff.added == []


def test_title_change_alone_is_a_divergence() -> None:
    diff = diff_paragraphs(["p"], ["p"], "Old title", "New title")
    assert diff and diff.title == ("Old title", "New title")


def test_comparer_writes_only_divergent_articles(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "r.mirror_divergence.jsonl"
    comparer = MirrorComparer(path, MIRRORS)
    tampered = BODY.replace("Second paragraph.", "Second paragraph, rewritten.")
    comparer.start(
        "site:1", "https://www.a/Detail/1", copy("www.a", recorded=True), ["www.b", "www.c"]
    )
    comparer.arrived("site:1", copy("www.c"))
    assert path.read_text() == ""  # still waiting for www.b
    comparer.arrived("site:1", copy("www.b", tampered))
    comparer.start(
        "site:2", "https://www.a/Detail/2", copy("www.a", recorded=True), ["www.b", "www.c"]
    )
    comparer.arrived("site:2", copy("www.b"))
    comparer.failed("site:2", "www.c", "https://www.c/Detail/2", "http 503")
    comparer.close()

    [line] = lines(path)
    assert line["id"] == "site:1" and line["mirrors"] == MIRRORS
    assert [c["mirror"] for c in line["copies"]] == MIRRORS
    assert line["copies"][0]["recorded"] and line["copies"][0]["warc"]["record_id"] == "<urn:www.a>"
    assert line["copies"][1]["content_hash"] == content_hash("Title", tampered)
    pairs = {tuple(d["mirrors"]): d for d in line["differences"]}
    assert set(pairs) == {("www.a", "www.b"), ("www.b", "www.c")}
    assert pairs[("www.a", "www.b")]["changed"][0]["to"]["text"] == "Second paragraph, rewritten."

    summary = comparer.summary("runs/r.mirror_divergence.jsonl")
    assert (summary["articles_compared"], summary["articles_divergent"]) == (2, 1)
    assert summary["fetch_failures"] == {"www.c": {"http 503": 1}}
    assert summary["articles"] == [
        {
            "id": "site:1",
            "canonical_url": "https://www.a/Detail/1",
            "pairs": [
                {
                    "mirrors": ["www.a", "www.b"],
                    "title_changed": 0,
                    "added": 0,
                    "removed": 0,
                    "changed": 1,
                },
                {
                    "mirrors": ["www.b", "www.c"],
                    "title_changed": 0,
                    "added": 0,
                    "removed": 0,
                    "changed": 1,
                },
            ],
        }
    ]
    assert summary_line(summary, "data/") == (
        "mirror divergence: 1 article of 2 differs (www.a \u2194 www.b: 1 article; 1 changed paragraph"
        " | www.b \u2194 www.c: 1 article; 1 changed paragraph); 1 mirror copy could not be compared;"
        " see data/runs/r.mirror_divergence.jsonl"
    )


def test_a_failed_copy_is_noted_not_divergent(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    comparer = MirrorComparer(path, MIRRORS)
    skipped = [
        {"mirror": "www.c", "url": "https://www.c/Detail/1", "reason": "benched: not healthy"}
    ]
    comparer.start("site:1", "u", copy("www.a", recorded=True), ["www.b"], skipped)
    comparer.failed(
        "site:1", "www.b", "https://www.b/Detail/1", "no article: page holds no article text"
    )
    comparer.close()
    summary = comparer.summary("d.jsonl")
    assert path.read_text() == ""
    assert (summary["articles_compared"], summary["articles_single_copy"]) == (0, 1)
    assert summary["fetch_failures"] == {"www.b": {"no article": 1}, "www.c": {"benched": 1}}


def test_close_settles_articles_still_waiting(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    comparer = MirrorComparer(path, MIRRORS)
    comparer.start("site:1", "u", copy("www.a", recorded=True), ["www.b", "www.c"])
    comparer.arrived("site:1", copy("www.b", BODY.replace("Fourth paragraph.", "")))
    comparer.close()
    comparer.close()  # idempotent: the spider and the run report both close it
    [line] = lines(path)
    assert line["not_compared"] == [
        {"mirror": "www.c", "url": "", "reason": "not fetched: the crawl ended first"}
    ]
    assert line["differences"][0]["removed"] == [{"index": 3, "text": "Fourth paragraph."}]
    comparer.arrived("site:1", copy("www.c"))  # a late copy after close changes nothing


def test_summary_line_when_nothing_differs(tmp_path: Path) -> None:
    comparer = MirrorComparer(tmp_path / "d.jsonl", MIRRORS)
    comparer.start("site:1", "u", copy("www.a", recorded=True), ["www.b"])
    comparer.arrived("site:1", copy("www.b", BODY.replace(" ", "  ")))
    comparer.close()
    assert summary_line(comparer.summary("runs/x.jsonl")) == (
        "mirror divergence: none, 1 article compared across mirrors; see runs/x.jsonl"
    )
