"""``newsarchive sites import`` (issue 25, item 3): a real mirror list (file, or served on
loopback) becomes one profile per site, the family's where a built-in profile covers the
site, a minimal one naming its missing article_url elsewhere; nothing is written over."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from archive.mirror_list_source import read_mirror_lists
from scraper.sites.profile import ProfileError, load_profile
from scraper.spiders.listed_mirrors import list_location, site_domains
from tests.conftest import memory_cap, newsarchive_command
from tests.test_mirror_lists import serving
from tests.test_sites_cli import sites

LISTS = Path(__file__).parent / "fixtures" / "mirror_lists"
V1, V2 = LISTS / "mirrorSites_v1.json", LISTS / "mirrorSites_v2.json"


def test_sites_a_built_in_profile_covers_get_its_profile_naming_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "profiles"
    status, out, err = sites(capsys, "import", str(V2), "--dir", str(out_dir))
    assert status == 0, err
    names = ["azattyq", "dw", "radiofarda", "svoboda"]
    assert sorted(p.name for p in out_dir.iterdir()) == [f"{n}.toml" for n in names]
    assert len(out.splitlines()) == 4 and f"wrote {out_dir / 'dw.toml'}: dw.com" in out
    for name in names:
        written, built_in = load_profile(out_dir / f"{name}.toml"), load_profile(name)
        assert written.mirror_lists == (str(V2),)
        assert written.article_url.pattern == built_in.article_url.pattern
        assert written.extractor == built_in.extractor != "generic"
        assert written.own_origins == built_in.own_origins
        assert written.canonical_path == built_in.canonical_path
    # every one can be run: sites list says so
    status, out, err = sites(capsys, "list", "--profiles", str(out_dir))
    assert status == 0, err
    assert str(V2) in out


def test_a_site_no_profile_covers_gets_a_minimal_profile_that_needs_article_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = sites(capsys, "import", str(V1), "--dir", str(tmp_path))
    assert status == 0, err
    minimal = tmp_path / "voadeewanews-com.toml"
    assert "voadeewanews.com, a minimal profile" in out and "needs article_url" in out
    assert {"urduvoa.toml", "voanews.toml"} < {p.name for p in tmp_path.iterdir()}
    with pytest.raises(ProfileError, match="missing required key 'article_url'"):
        load_profile(minimal)  # a run refuses it until article_url is written
    status, out, err = sites(capsys, "list", "--profiles", str(minimal))
    assert status == 1 and "(needs article_url)" in out
    assert f"{minimal}: incomplete" in err
    # written as the comment says, it runs, and its list gives the site's mirrors
    with minimal.open("a") as file:
        file.write("article_url = '^/a/(?P<id>\\d+)\\.html$'\n")
    profile = load_profile(minimal)
    assert profile.name == "voadeewanews-com" and profile.primary == "https://voadeewanews.com"
    assert profile.link_depth == 2  # a minimal profile follows links
    specs = [list_location(profile, spec) for spec in profile.mirror_lists]
    (mirror_list,) = read_mirror_lists(specs, tmp_path / "cache", pytest.fail)
    origins = {entry.origin for entry in mirror_list.for_domains(site_domains(profile))}
    assert origins == {
        "https://dvoa1.global.ssl.fastly.net",
        "https://d3anrqy0xi2p65.cloudfront.net",
        "http://deewamfupxj4cele.onion",
    }


def test_only_the_sites_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = sites(
        capsys, "import", str(V2), "--dir", str(tmp_path), "--only", "www.svoboda.org", "DW.com"
    )
    assert status == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dw.toml", "svoboda.toml"]
    status, out, err = sites(
        capsys, "import", str(V2), "--dir", str(tmp_path / "n"), "--only", "meduza.io"
    )
    assert status == 1
    assert f"meduza.io: not in {V2}" in err and "no site to import" in err
    assert not (tmp_path / "n" / "meduza-io.toml").exists()


def test_nothing_is_written_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sites(capsys, "import", str(V2), "--dir", str(tmp_path))[0] == 0
    mine = "# my own\n" + (tmp_path / "dw.toml").read_text()
    (tmp_path / "dw.toml").write_text(mine)
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text("kept\n")
    (tmp_path / "svoboda.toml").unlink()
    (tmp_path / "svoboda.toml").symlink_to(elsewhere)
    (tmp_path / "radiofarda.toml").unlink()
    os.mkfifo(tmp_path / "radiofarda.toml")  # opened for writing, it would hang the command

    status, out, err = sites(capsys, "import", str(V2), "--dir", str(tmp_path))
    assert status == 1 and out == ""  # nothing written
    assert f"{tmp_path / 'dw.toml'}: skipped: it exists (--force replaces it)" in err
    assert (tmp_path / "dw.toml").read_text() == mine

    status, out, err = sites(capsys, "import", str(V2), "--dir", str(tmp_path), "--force")
    assert status == 1  # two refused
    assert f"{tmp_path / 'svoboda.toml'}: refused: a symbolic link" in err
    assert f"{tmp_path / 'radiofarda.toml'}: refused: a FIFO" in err
    assert elsewhere.read_text() == "kept\n"
    assert (tmp_path / "svoboda.toml").is_symlink()
    assert (tmp_path / "dw.toml").read_text() != mine  # a regular file, replaced whole
    assert f"wrote {tmp_path / 'azattyq.toml'}" in out
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_list_served_by_url_is_named_by_its_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serving({"/mirrorSites.json": V2.read_bytes()}) as base:
        url = f"{base}/mirrorSites.json"
        status, out, err = sites(capsys, "import", url, "--dir", str(tmp_path), "--only", "dw.com")
        assert status == 0, err
        assert load_profile(tmp_path / "dw.toml").mirror_lists == (url,)
        status, out, err = sites(
            capsys, "import", f"{base}/gone.json", "--dir", str(tmp_path / "x")
        )
    assert status == 1
    assert err.strip() == f"newsarchive sites: {base}/gone.json: not fetched: Not Found"
    assert not (tmp_path / "x").exists()


def test_a_hostile_list_costs_a_line_per_site(tmp_path: Path) -> None:
    sites_in_list = [
        {"main_domain": 'evil.org"\nextractor = "x', "available_mirrors": ["m.example"]},
        {"main_domain": "../../etc/passwd", "available_mirrors": ["m.example"]},
        {"main_domain": "a" * 5000 + ".org", "available_mirrors": ["m.example"]},
        {"main_domain": "good.example", "available_mirrors": ["m.good.example"]},
    ]
    hostile = tmp_path / "list.json"
    hostile.write_text(json.dumps({"sites": sites_in_list}))
    result = subprocess.run(
        [*newsarchive_command(), "sites", "import", str(hostile), "--dir", str(tmp_path / "p")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=memory_cap(1 << 30),
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    problems = result.stderr.splitlines()
    assert len(problems) == 3 and all("not imported" in line for line in problems), problems
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["good-example.toml"]
