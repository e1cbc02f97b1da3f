"""``newsarchive sites list`` (issue 25, item 3): the built-in profiles and the user's,
a broken or incomplete profile named in one line while the others are still listed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scraper.cli.main import main
from scraper.sites import ARTICLE_PAGES
from scraper.sites.profile import builtin_profile_names

GOOD = (
    'name = "mysite"\nprimary = "https://www.mysite.example"\n'
    'mirrors = ["https://m1.mysite.example", "https://m2.mysite.example"]\n'
    'mirror_lists = ["https://lists.example/mirrorSites.json"]\n'
    "article_url = '^/news/(?P<id>\\\\d+)$'\n"
)
INCOMPLETE = 'name = "todo"\nprimary = "https://todo.example"\n# article_url = "…"\n'
BROKEN = 'name = "broken"\nprimary = "https://broken.example"\narticle_url = "^/a/("\n'


def sites(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["sites", *argv])
    except SystemExit as exit:
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_built_in_profile_with_its_page_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = sites(capsys, "list")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["NAME", "PAGE", "OBJECT"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == set(builtin_profile_names())
    assert rows["presstv"][1:4] == ["presstv", "3", "0"]
    assert rows["presstv"][4] == "www.presstv.ir"
    assert rows["dw"][1] == "dw" and rows["azattyq"][1] == "rferl"
    assert {row[1] for row in rows.values()} <= set(ARTICLE_PAGES)


def test_list_names_a_broken_profile_and_an_incomplete_one_and_lists_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mysite.toml").write_text(GOOD)
    (tmp_path / "todo.toml").write_text(INCOMPLETE)
    (tmp_path / "broken.toml").write_text(BROKEN)
    (tmp_path / "notes.txt").write_text("not a profile: not listed")
    os.mkfifo(tmp_path / "fifo.toml")  # never opened: a FIFO no one writes would hang a read
    status, out, err = sites(capsys, "list", "--profiles", str(tmp_path))
    assert status == 1
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "presstv" in rows  # the built-in ones still listed
    assert rows["mysite"].split()[1:5] == ["generic", "2", "2", "www.mysite.example"]
    assert "https://lists.example/mirrorSites.json" in rows["mysite"]
    assert "(needs article_url)" in rows["todo"]
    assert "broken" not in rows
    problems = err.splitlines()
    assert len(problems) == 3, err
    assert any(f"{tmp_path / 'broken.toml'}: article_url is not a valid" in p for p in problems)
    assert any(f"{tmp_path / 'fifo.toml'}: not a regular file (a FIFO)" in p for p in problems)
    assert any(f"{tmp_path / 'todo.toml'}: incomplete" in p for p in problems)


def test_list_json_is_one_object_per_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mysite.toml").write_text(GOOD)
    (tmp_path / "todo.toml").write_text(INCOMPLETE)
    status, out, err = sites(
        capsys,
        "list",
        "--json",
        "--profiles",
        str(tmp_path / "mysite.toml"),
        str(tmp_path / "todo.toml"),
    )
    assert status == 1, err  # the incomplete one cannot be run
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == len(builtin_profile_names()) + 2
    mine = objects[-2]
    assert mine == {
        "name": "mysite",
        "source": str(tmp_path / "mysite.toml"),
        "primary": "https://www.mysite.example",
        "host": "www.mysite.example",
        "mirrors": 2,
        "mirror_lists": ["https://lists.example/mirrorSites.json"],
        "extractor": "generic",
        "follow_links": 2,  # names no feed, sitemap or listing: it follows links
        "complete": True,
    }
    assert objects[-1]["name"] == "todo" and objects[-1]["complete"] is False


def test_list_of_a_directory_without_profiles_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = sites(capsys, "list", "--profiles", str(tmp_path))
    assert status == 0  # the built-in ones are there
    assert f"{tmp_path}: no *.toml profile in it" in err
