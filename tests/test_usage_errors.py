"""Every usage or configuration mistake is one line on stderr and exit 2, never a traceback
(issue 15, item 4): a table of bad values for each command's options and files."""

from __future__ import annotations

import contextlib
import io
import subprocess
from pathlib import Path

import pytest

from tests.conftest import newsarchive_command

GOOD_PROFILE = (
    'name = "good"\nprimary = "https://example.org"\narticle_url = \'^/news/(?P<id>\\d+)\'\n'
)


def profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return str(path)


def schedule(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "schedule.toml"
    path.write_text(text)
    return ["schedule", "--config", str(path), "--check"]


# (case id, argv built from tmp_path, what the one line must say)
CASES = [
    (
        "bad float",
        lambda t: ["crawl", "presstv", "--out", str(t / "o"), "-s", "DOWNLOAD_DELAY=abc"],
        "DOWNLOAD_DELAY=abc: expected a number",
    ),
    (
        "bad int",
        lambda t: ["crawl", "presstv", "--out", str(t / "o"), "-s", "ARCHIVE_WARC_MAX_BYTES=abc"],
        "expected a number",
    ),
    (
        "bad bool",
        lambda t: ["crawl", "presstv", "--out", str(t / "o"), "-s", "ROBOTSTXT_OBEY=perhaps"],
        "expected true or false",
    ),
    (
        "no equals",
        lambda t: ["crawl", "presstv", "--out", str(t / "o"), "-s", "NOEQUALS"],
        "expected NAME=VALUE",
    ),
    ("out is a file", lambda t: ["crawl", "presstv", "--out", str(t / "file")], "not a directory"),
    (
        "out not creatable",
        lambda t: ["crawl", "presstv", "--out", str(t / "file" / "sub")],
        "--out",
    ),
    ("300-char site", lambda t: ["crawl", "a" * 300, "--out", str(t / "o")], "unknown site"),
    (
        "deep TOML",
        lambda t: [
            "crawl",
            profile(t, GOOD_PROFILE + "x = " + "[" * 3000 + "]" * 3000 + "\n"),
            "--out",
            str(t / "o"),
        ],
        "nested too deeply",
    ),
    (
        "port abc",
        lambda t: [
            "crawl",
            profile(t, GOOD_PROFILE.replace("example.org", "example.org:abc")),
            "--out",
            str(t / "o"),
        ],
        "no valid port",
    ),
    (
        "port 99999",
        lambda t: [
            "crawl",
            profile(t, GOOD_PROFILE.replace("example.org", "example.org:99999")),
            "--out",
            str(t / "o"),
        ],
        "no valid port",
    ),
    (
        "long name",
        lambda t: [
            "crawl",
            profile(t, GOOD_PROFILE.replace('"good"', '"' + "g" * 300 + '"')),
            "--out",
            str(t / "o"),
        ],
        "must be 1-64",
    ),
    (
        "newline in name",
        lambda t: [
            "crawl",
            profile(t, GOOD_PROFILE.replace('"good"', '"good\\n"')),
            "--out",
            str(t / "o"),
        ],
        "must be 1-64",
    ),
    (
        "replay out is a file",
        lambda t: ["replay", str(t / "file"), "--out", str(t / "file")],
        "not a directory",
    ),
    (
        "since",
        lambda t: ["crawl", "presstv", "--out", str(t / "o"), "--since", "last tuesday"],
        "--since",
    ),
    (
        "job name 300",
        lambda t: schedule(t, f'[[job]]\nname = "{"j" * 300}"\nsite = "presstv"\nevery = "1h"\n'),
        "must be 1-64",
    ),
    (
        "job name newline",
        lambda t: schedule(t, '[[job]]\nname = "abc\\n"\nsite = "presstv"\nevery = "1h"\n'),
        "must be 1-64",
    ),
    (
        "deep schedule",
        lambda t: schedule(t, "x = " + "[" * 3000 + "]" * 3000 + "\n"),
        "nested too deeply",
    ),
]


@pytest.mark.parametrize(("case", "argv", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_mistake_is_one_line_and_exit_2(case: str, argv, says: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory\n")
    result = subprocess.run(
        [*newsarchive_command(), *argv(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert len(lines) == 1 and lines[0].startswith("newsarchive: error: "), lines
    assert says in lines[0]


def test_an_unknown_setting_is_named_with_the_closest_known_one(tmp_path: Path) -> None:
    from scrapy.settings import Settings

    from scraper.cli.arguments import apply_settings

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    warned = io.StringIO()
    with contextlib.redirect_stderr(warned):
        apply_settings(settings, ["DOWNLOAD_DELY=2", "DOWNLOAD_DELAY=0.5", "ROBOTSTXT_OBEY=no"])
    assert "-s DOWNLOAD_DELY: no such setting (did you mean DOWNLOAD_DELAY?)" in warned.getvalue()
    assert (
        settings.getfloat("DOWNLOAD_DELAY") == 0.5 and settings.getbool("ROBOTSTXT_OBEY") is False
    )


@pytest.mark.parametrize(
    "command",
    [
        "crawl",
        "state",
        "export",
        "replay",
        "index",
        "verify",
        "extract",
        "schedule",
        "demo",
        "mirrors",
    ],
)
def test_every_commands_help_teaches_by_example(command: str) -> None:
    result = subprocess.run(
        [*newsarchive_command(), command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    examples = result.stdout.split("Examples:", 1)[1]
    assert f"newsarchive {command}" in examples


def test_an_offline_crawl_of_a_directory_without_warcs_does_not_start(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            "presstv",
            "--out",
            str(tmp_path / "o"),
            "--from-warc",
            str(tmp_path / "empty"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--from-warc: no WARC or ARC file in" in result.stderr.strip().splitlines()[-1]
    assert not (tmp_path / "o" / "runs").exists()  # nothing ran
