"""Site profiles built to take the machine (issue 21, items 5 and 6): an ``article_url`` whose
counted repeats compile to GBs, in a profile file, a ``--site`` or a WARC's embedded profile;
thousands of embedded profiles and hosts in one replay.  Each hostile run is a subprocess
under a memory cap and a time bound."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scraper.sites.pattern_size import (
    MAX_GROUP_DEPTH,
    MAX_PATTERN_CHARS,
    MAX_PATTERN_SIZE,
    PatternTooLarge,
    check_pattern_size,
    pattern_size,
)
from scraper.sites.profile import builtin_profile_names, load_profile
from tests.conftest import memory_cap, newsarchive_command
from tests.warcs.hostile import write_profiled_warc
from tests.warcs.quirks import HOST

MEMORY_CAP = 1536 << 20  # the command, its imports and one replay: far below one such regex

# Compiled by ``regex``: 2.6 GB and 1.9 GB.
NESTED_REPEATS = "(?:(?:(?:a{1000}){1000}){1000})"
HUGE_COUNT = "a{4294967294}"


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=memory_cap(MEMORY_CAP),
        cwd=cwd,
        check=False,
    )


def _profile_text(article_url: str, name: str = "news") -> str:
    return f'name = "{name}"\nprimary = "http://{HOST}"\narticle_url = \'{article_url}\'\n'


GOOD_URL = r"^/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>[a-z0-9-]+)$"


@pytest.mark.parametrize(
    ("pattern", "size"),
    [
        (r"^/news/(?P<id>\d+)$", 17),
        (r"\d{4}", 4),
        (r"(?:ab){3}", 15),  # a group: its characters and one more, 3 times
        (r"a{2,9}", 9),
        (r"a{3,}", 3),
        (r"a{,7}", 7),
        (r"a*b+c?", 6),
        (NESTED_REPEATS, 1_003_003_003),
        (HUGE_COUNT, 4_294_967_294),
        (r"\p{L}{3}", 3),  # \p{L} is one atom, not a count of L
        (r"[{]{5}", 5),  # a brace in a set is no count
        (r"[]{]{5}", 5),
        (r"(?#{99999})a", 1),  # a comment compiles to nothing
        (r"a{e<=1}", 7),  # fuzzy constraint, not a count
    ],
)
def test_the_size_of_a_pattern_is_known_before_compiling(pattern: str, size: int) -> None:
    assert pattern_size(pattern) == size


def test_every_built_in_profile_is_far_under_the_bounds() -> None:
    for name in builtin_profile_names():
        pattern = load_profile(name).article_url.pattern
        assert pattern_size(pattern) < MAX_PATTERN_SIZE // 100


@pytest.mark.parametrize(
    ("pattern", "says"),
    [
        (NESTED_REPEATS, "unrolls to"),
        (HUGE_COUNT, "unrolls to"),
        ("a" * (MAX_PATTERN_CHARS + 1), "characters long"),
        ("(" * (MAX_GROUP_DEPTH + 1) + "a" + ")" * (MAX_GROUP_DEPTH + 1), "groups deep"),
    ],
)
def test_a_pattern_too_large_is_refused_with_why(pattern: str, says: str) -> None:
    with pytest.raises(PatternTooLarge, match=says):
        check_pattern_size(pattern)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("pattern", [NESTED_REPEATS, HUGE_COUNT], ids=["nested", "count"])
def test_a_profile_file_or_site_with_a_giant_regex_is_one_line_and_exit_2(
    tmp_path: Path, pattern: str
) -> None:
    profile = tmp_path / "giant.toml"
    profile.write_text(_profile_text(pattern))
    warc = tmp_path / "a.warc.gz"
    write_profiled_warc(warc, [], [f"http://{HOST}/2024/01/02/one"])
    for argv in (
        ["crawl", str(profile), "--out", str(tmp_path / "crawl")],
        ["replay", str(warc), "--site", str(profile), "--out", str(tmp_path / "replay")],
    ):
        result = _run(argv, tmp_path)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode == 2, result.stderr[-2000:]
        assert len(lines) == 1 and lines[0].startswith("newsarchive: error: "), lines
        assert "article_url unrolls to" in lines[0] and "giant.toml" in lines[0]


@pytest.mark.timeout(180)
def test_an_embedded_profile_with_a_giant_regex_is_one_line_and_its_file_replays_without_it(
    tmp_path: Path,
) -> None:
    """The first file's profile names the site; the second file's own (the same site, its
    article_url a 2.6 GB regex) is refused in one line, and its article is read as if the
    file carried no profile: by host, with the profile already known."""
    first = f"http://{HOST}/2024/01/02/first"
    second = f"http://{HOST}/2024/01/03/second"
    write_profiled_warc(tmp_path / "a.warc.gz", [_profile_text(GOOD_URL)], [first])
    write_profiled_warc(tmp_path / "b.warc.gz", [_profile_text(NESTED_REPEATS)], [second])
    out = tmp_path / "out"
    result = _run(
        ["replay", str(tmp_path / "a.warc.gz"), str(tmp_path / "b.warc.gz"), "--out", str(out)]
        + ["--workers", "0", "--quiet"],
        tmp_path,
    )
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[
        -3000:
    ]
    [refused] = [line for line in result.stderr.splitlines() if "embedded profile" in line]
    assert "b.warc.gz" in refused and "unusable" in refused and "article_url unrolls" in refused
    assert len(refused) < 400
    assert result.returncode == 1  # something was skipped: the profile
    [records_file] = (out / "json" / "news").glob("*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    assert sorted(r["url"] for r in records) == [first, second]


def _many_sites(count: int) -> list[str]:
    """Profiles of ``count`` sites; the first names ``HOST``, the others hosts of their own."""
    texts = [_profile_text(GOOD_URL)]
    texts += [
        f'name = "site{n}"\nprimary = "http://site{n}.example"\narticle_url = \'^/(?P<id>\\d+)$\'\n'
        for n in range(1, count)
    ]
    return texts


@pytest.mark.timeout(300)
def test_thousands_of_embedded_profiles_are_bounded_and_named_in_one_notice(
    tmp_path: Path,
) -> None:
    """4,000 profiles of different sites in one WARC, then pages on 3,000 hosts: every profile
    asked about every host remembered each (profiles x hosts, 1.5 GB); now the sites past
    the bound are not used, in one notice, and the site of the first is read by host."""
    from archive.replay_profiles import MAX_HELD_PROFILES

    urls = [f"http://h{n}.example/2024/01/02/a{n}" for n in range(3000)]
    urls += [f"http://{HOST}/2024/01/02/ours"]
    warc = tmp_path / "many.warc.gz"
    write_profiled_warc(warc, _many_sites(4000), urls)
    out = tmp_path / "out"
    result = _run(["replay", str(warc), "--out", str(out), "--workers", "0", "--quiet"], tmp_path)
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[
        -3000:
    ]
    [notice] = [line for line in result.stderr.splitlines() if line.startswith("notice:")]
    assert f"{4000 - MAX_HELD_PROFILES} embedded profiles" in notice and "not used" in notice
    assert len(notice) < 400
    [records_file] = (out / "json" / "news").glob("*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    assert [r["url"] for r in records] == [f"http://{HOST}/2024/01/02/ours"]
    [report_file] = (out / "runs").glob("*.json")
    report = json.loads(report_file.read_text())
    assert report["stats"]["embedded_profiles_not_used"] == 4000 - MAX_HELD_PROFILES
    assert report["notices"] == [notice.removeprefix("notice: ")]


@pytest.mark.timeout(300)
def test_one_site_over_thousands_of_hosts_takes_each_once_in_little_memory(
    tmp_path: Path,
) -> None:
    """``replay --site`` adopting 3,000 hosts one by one rebuilt the profile each time, its
    tables held by every capture waiting for its context: 1.5 GB at 2,000 hosts, 5.7 GB at
    4,000 (and quadratic time).  Under the memory cap every page is a record."""
    urls = [f"http://h{n}.example/2024/01/02/a{n}" for n in range(3000)]
    warc = tmp_path / "hosts.warc.gz"
    write_profiled_warc(warc, [], urls)
    profile = tmp_path / "news.toml"
    profile.write_text(_profile_text(GOOD_URL))
    out = tmp_path / "out"
    argv = ["replay", str(warc), "--site", str(profile), "--out", str(out), "--workers", "0"]
    result = _run([*argv, "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    [records_file] = (out / "json" / "news").glob("*.jsonl")
    assert len(records_file.read_text().splitlines()) == len(urls)
    [report_file] = (out / "runs").glob("*.json")
    adopted = json.loads(report_file.read_text())["stats"]["hosts_read_as_site"]
    assert sorted(adopted) == sorted(f"h{n}.example" for n in range(3000))


def test_an_embedded_profile_larger_than_any_real_one_is_unusable(tmp_path: Path) -> None:
    """A crawl's profile is a few KB; one of 100 KB (a million aliases would take GBs of
    host tables) is refused in one line before it is parsed, and its file read without it."""
    from archive.replay_profiles import MAX_PROFILE_BYTES

    huge = _profile_text(GOOD_URL) + "# " + "x" * (100 << 10) + "\n"
    warc = tmp_path / "big.warc.gz"
    write_profiled_warc(warc, [huge], [f"http://{HOST}/2024/01/02/one"])
    result = _run(["replay", str(warc), "--out", str(tmp_path / "out"), "--quiet"], tmp_path)
    [refused] = [line for line in result.stderr.splitlines() if "embedded profile" in line]
    assert f"unusable: {len(huge.encode()):,} bytes" in refused
    assert f"at most {MAX_PROFILE_BYTES:,}" in refused
    assert result.returncode == 1  # the profile skipped, and no site for the page


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_profile_path_that_is_no_regular_file_is_one_line_and_exit_2(
    tmp_path: Path, kind: str
) -> None:
    """``crawl /dev/zero`` read it whole (a MemoryError traceback), a FIFO hung the crawl."""
    import os

    path = Path("/dev/zero") if kind == "device" else tmp_path / "site.toml"
    if kind == "fifo":
        os.mkfifo(path)
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=memory_cap(MEMORY_CAP),
        check=False,
    )
    lines = result.stderr.splitlines()
    assert result.returncode == 2 and len(lines) == 1, lines
    assert f"{path}: not a regular file" in lines[0]
