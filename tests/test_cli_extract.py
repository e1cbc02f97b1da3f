"""``newsarchive extract``: the record a saved page gives, without a crawl."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pytest

from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import memory_cap, newsarchive_command

FIXTURES = Path(__file__).parent / "fixtures" / "presstv"
SEED_URL = "https://www.presstv.co.uk/Detail/2023/02/19/698345/Kremlin-West-not-willing-to-engage-in-Ukraine-peace-efforts"


def extract(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*newsarchive_command(), "extract", *args], input=stdin, capture_output=True, timeout=60
    )


@pytest.mark.parametrize("case", ["seed_modern", "seed_legacy"])
def test_extract_prints_the_record_with_site_guessed_from_the_url(case: str) -> None:
    url = json.loads((FIXTURES / case / "meta.json").read_text())["url"]
    result = extract(str(FIXTURES / case / "page.html"), "--url", url)
    assert result.returncode == 0, result.stderr.decode()
    record = json.loads(result.stdout)
    expected = json.loads((FIXTURES / case / "output.json").read_text(encoding="utf-8"))
    assert record["id"] == "presstv:698345"
    assert record["site"] == "presstv"
    assert record["mirror"] == url.split("/")[2]
    assert record["canonical_url"] == "https://www.presstv.ir/Detail/2023/02/19/698345"
    for field in ("title", "published", "section", "body", "images", "tags", "authors"):
        assert record[field] == expected[field], field
    assert record["warc"] is None and record["fetched_at"] is None


def test_extract_with_the_generic_extractor_reads_standard_metadata() -> None:
    result = extract(
        str(FIXTURES / "seed_modern" / "page.html"), "--url", SEED_URL, "--extractor", "generic"
    )
    assert result.returncode == 0, result.stderr.decode()
    record = json.loads(result.stdout)
    assert "Peskov said" in record["body"]
    assert record["title"] and "West not willing" in record["title"]


def test_extract_reads_standard_input() -> None:
    page = (FIXTURES / "seed_modern" / "page.html").read_bytes()
    result = extract("-", "--url", SEED_URL, stdin=page)
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "presstv:698345"


def test_a_page_without_an_article_exits_1(tmp_path: Path) -> None:
    result = extract(str(FIXTURES / "seizure" / "page.html"), "--url", SEED_URL)
    assert result.returncode == 1
    assert b"no article" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/page.html", "--url", SEED_URL], b"No such file"),
        (["x.html", "--url", SEED_URL, "--extractor", "nosuch"], b"unknown extractor"),
        (
            ["x.html", "--url", SEED_URL, "--site", "presstv", "--extractor", "generic"],
            b"not allowed with",
        ),
    ],
)
def test_usage_errors_exit_2_in_one_line(args: list[str], message: bytes, tmp_path: Path) -> None:
    (tmp_path / "x.html").write_text("<p>hello</p>")
    result = subprocess.run(
        [*newsarchive_command(), "extract", *args], capture_output=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert b"Traceback" not in result.stderr


def test_a_url_that_is_no_article_url_of_the_site_is_warned_about() -> None:
    page = str(FIXTURES / "seed_modern" / "page.html")
    result = extract(page, "--url", "https://www.presstv.co.uk/Section/101", "--site", "presstv")
    assert b"is not an article URL of presstv" in result.stderr
    assert result.returncode == 0 and json.loads(result.stdout)["title"]  # extracted anyway
    quiet = extract(page, "--url", SEED_URL)
    assert b"not an article URL" not in quiet.stderr


def test_a_listing_page_is_no_article_and_exits_1(tmp_path: Path) -> None:
    """The generic reader finds a "body" in a section page, its headlines: that is no
    article, as the help's exit status says (issue 22, item 8)."""
    site = LocalSite(generate_articles(30))
    page = tmp_path / "section.html"
    page.write_bytes(site.routes["/Section/101/1"].body)
    profile = write_profile(tmp_path / "localnews.toml", ["http://127.0.0.1:9"])
    url = "http://127.0.0.1:9/Section/101/1"
    for how in ([], ["--site", str(profile)], ["--extractor", "generic"]):
        result = extract(str(page), "--url", url, *how)
        assert result.returncode == 1, (how, result.stderr.decode())
        assert result.stdout == b""
        assert b"reads as a listing page" in result.stderr
    # the pattern as written in the profile, not its repr with every backslash doubled
    warning = extract(str(page), "--url", url, "--site", str(profile)).stderr.decode()
    assert r"(?P<year>\d{4})" in warning and r"\\d" not in warning, warning


def test_an_article_with_links_to_related_articles_is_still_an_article() -> None:
    for case in ("seed_modern", "seed_legacy", "seed_wrapped_modern"):
        url = json.loads((FIXTURES / case / "meta.json").read_text())["url"]
        result = extract(str(FIXTURES / case / "page.html"), "--url", url, "--extractor", "generic")
        assert result.returncode == 0, (case, result.stderr.decode())


_capped = memory_cap(1 << 30)  # /dev/zero read whole took 2.7 GB


def refusal_capped(file: str, stdin: bytes | None = None) -> str:
    """The one line ``extract FILE`` exits 2 with, run under the memory cap."""
    result = subprocess.run(
        [*newsarchive_command(), "extract", file, "--url", "https://example.org/news/1"],
        input=stdin,
        capture_output=True,
        timeout=60,
        preexec_fn=_capped,
    )
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 2 and len(lines) == 1, lines
    return lines[0]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_a_file_that_is_no_regular_file_is_refused_in_one_line(kind: str, tmp_path: Path) -> None:
    """``/dev/zero`` never ends and a FIFO no one writes never answers: neither is read."""
    import os

    path = {"device": Path("/dev/zero"), "fifo": tmp_path / "fifo", "directory": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    line = refusal_capped(str(path))
    assert f"{path}: not a regular file" in line and "give - to read standard input" in line


@pytest.mark.timeout(120)
def test_standard_input_is_read_up_to_the_extraction_limit_only() -> None:
    from archive.limits import MAX_EXTRACT_BYTES

    line = refusal_capped("-", stdin=b"<p>" * (MAX_EXTRACT_BYTES // 3 + 1000))
    assert f"too large to extract: over {MAX_EXTRACT_BYTES:,} bytes" in line


def test_extract_help_names_every_page_object() -> None:
    """From the one registry (a hand-kept list in the help named only presstv and generic)."""
    from scraper.sites import ARTICLE_PAGES

    result = extract("--help")
    assert result.returncode == 0
    help_text = " ".join(result.stdout.decode().split())
    listed = help_text.split("page object to use: ", 1)[1].split(" (default", 1)[0]
    assert listed.split(", ") == list(ARTICLE_PAGES)
    assert {"presstv", "rferl", "dw", "generic"} <= set(ARTICLE_PAGES)


def test_a_gzipped_saved_page_gives_the_record_the_page_gives(tmp_path: Path) -> None:
    """Corpora keep pages as ``.html.gz``: read through, from a file or standard input,
    not "no article found" in the compressed bytes."""
    page = (FIXTURES / "seed_modern" / "page.html").read_bytes()
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(page))
    plain = extract(str(FIXTURES / "seed_modern" / "page.html"), "--url", SEED_URL)
    from_file = extract(str(packed), "--url", SEED_URL)
    from_stdin = extract("-", "--url", SEED_URL, stdin=gzip.compress(page))
    assert plain.returncode == from_file.returncode == from_stdin.returncode == 0
    assert json.loads(from_file.stdout) == json.loads(plain.stdout) == json.loads(from_stdin.stdout)


def test_a_truncated_gzipped_page_is_read_as_far_as_it_goes_with_a_warning(
    tmp_path: Path,
) -> None:
    page = (FIXTURES / "seed_modern" / "page.html").read_bytes()
    packed = gzip.compress(page)
    cut = tmp_path / "cut.html.gz"
    cut.write_bytes(packed[: len(packed) * 3 // 4])
    result = extract(str(cut), "--url", SEED_URL)
    assert b"warning" in result.stderr and b"the part that decodes is used" in result.stderr
    assert result.returncode in (0, 1), result.stderr.decode()


@pytest.mark.timeout(120)
def test_a_gzip_bomb_or_a_broken_gzip_file_is_refused_in_one_line(tmp_path: Path) -> None:
    from archive.limits import MAX_EXTRACT_BYTES

    bomb = tmp_path / "bomb.html.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as file:
        for _ in range(4 * MAX_EXTRACT_BYTES // (8 << 20)):  # zeros: 4 × the limit, ~0.1 % packed
            file.write(bytes(8 << 20))
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b" + b"not deflate at all")
    for path, message in (
        (bomb, f"unpacks to over {MAX_EXTRACT_BYTES:,} bytes"),
        (broken, "does not decode"),
    ):
        line = refusal_capped(str(path))
        assert str(path) in line and message in line
