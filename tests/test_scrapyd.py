"""Deploying to a real scrapyd on loopback, as the README says: ``scrapyd-deploy`` builds the egg
from a copy of the project and uploads it; ``listspiders.json`` lists the profile spiders;
``schedule.json`` runs ``news`` on a local site's profile; the archive (WARC, JSON records, run
report) is written where ``ARCHIVE_DIR`` says.

scrapyd's processes see newsarchive only inside the deployed egg (a ``sitecustomize`` hides the
copy this Python has installed), as on a scrapyd host: a file missing from the egg fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import stop_process, tool

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "newsarchive"

# Imported first by every Python that scrapyd starts (PYTHONPATH): newsarchive's packages come
# from a deployed egg or not at all.
HIDE_INSTALLED = """
import importlib.machinery, sys

class _OnlyFromEggs:
    names = {names!r}

    def find_spec(self, name, path=None, target=None):
        if name not in self.names:
            return None
        eggs = [entry for entry in sys.path if entry.endswith(".egg")]
        spec = importlib.machinery.PathFinder.find_spec(name, eggs)
        if spec is None:
            raise ModuleNotFoundError(f"No module named {{name!r}} (only deployed eggs are visible)", name=name)
        return spec

sys.meta_path.insert(0, _OnlyFromEggs())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api(
    base: str, path: str, data: dict[str, str | list[str]] | None = None, timeout: float = 30
) -> Any:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(base + path, data=body, timeout=timeout) as reply:
        return json.loads(reply.read())


def project_copy(target: Path) -> Path:
    """The files an egg is built from (what pyproject.toml packages, setup.py, scrapy.cfg):
    scrapyd-deploy writes build/ and *.egg-info beside them, so not in the checkout."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {p.rstrip("*").split(".")[0] for p in patterns}
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in sorted(packages):
        shutil.copytree(ROOT / package, target / package, ignore=ignore)
    for name in ("setup.py", "pyproject.toml", "scrapy.cfg", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def scrapyd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    try:
        scrapyd_bin = tool("scrapyd")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    home = tmp_path_factory.mktemp("scrapyd")
    hide = home / "python"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(HIDE_INSTALLED.format(names={"scraper", "archive"}))
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\n"
        f"dbs_dir = {home / 'dbs'}\n"
        "items_dir =\n"  # the archive is the output; no feed export of items beside it
        "max_proc = 2\n"
        "poll_interval = 0.2\n"
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "PYTHONPATH": str(hide),
    }  # HOME: no ~/.scrapyd.conf of ours
    log = (home / "scrapyd.out").open("w")
    process = subprocess.Popen(
        [scrapyd_bin], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if api(base, "daemonstatus.json", timeout=2)["status"] == "ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not start:\n{(home / 'scrapyd.out').read_text()}")
            time.sleep(0.2)
        yield {"base": base, "home": home, "process": process}
    finally:
        stop_process(process, timeout=15)
        log.close()


@pytest.fixture(scope="module")
def deployed(scrapyd: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = project_copy(tmp_path_factory.mktemp("project"))
    cfg = (project / "scrapy.cfg").read_text()
    assert "url = http://localhost:6800/" in cfg and f"project = {PROJECT}" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace("http://localhost:6800/", scrapyd["base"]))
    result = subprocess.run(
        [tool("scrapyd-deploy"), "-v", "r1"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "ok", result.stdout
    return {**scrapyd, "project": project}


def test_the_egg_holds_the_code_profiles_and_settings_entry_point(deployed: dict[str, Any]) -> None:
    [egg] = (deployed["home"] / "eggs" / PROJECT).glob("*.egg")
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "scraper/sites/profiles/presstv.toml" in names
    assert {"scraper/settings.py", "scraper/spiders/news.py", "archive/warc_writer.py"} <= names
    assert "[scrapy]\nsettings = scraper.settings" in entry_points
    assert api(deployed["base"], f"listversions.json?project={PROJECT}")["versions"] == ["r1"]


def test_scrapyd_lists_the_profile_spiders(deployed: dict[str, Any]) -> None:
    listed = api(deployed["base"], f"listspiders.json?project={PROJECT}", timeout=60)
    assert listed["status"] == "ok", listed
    assert {"news", "presstv"} <= set(listed["spiders"])


def test_a_scheduled_crawl_writes_the_archive(deployed: dict[str, Any], tmp_path: Path) -> None:
    articles = generate_articles(8)
    site = LocalSite(articles)
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "archive"
        scheduled = api(
            deployed["base"],
            "schedule.json",
            {
                "project": PROJECT,
                "spider": "news",
                "profile": str(profile),
                "setting": [
                    f"ARCHIVE_DIR={out}",
                    "AUTOTHROTTLE_ENABLED=False",
                    "NEWSARCHIVE_EXTRACT_WORKERS=0",
                ],
            },
        )
        assert scheduled["status"] == "ok", scheduled
        job = scheduled["jobid"]
        deadline = time.monotonic() + 120
        while True:
            jobs = api(deployed["base"], f"listjobs.json?project={PROJECT}")
            finished = [j for j in jobs["finished"] if j["id"] == job]
            if finished:
                break
            assert time.monotonic() < deadline, jobs
            time.sleep(0.3)
    job_log = deployed["home"] / "logs" / PROJECT / "news" / f"{job}.log"
    log_text = job_log.read_text() if job_log.exists() else "(no job log)"
    warcs = (
        sorted((out / "warc" / "localnews").glob("*.warc.gz")) if (out / "warc").exists() else []
    )
    assert warcs, log_text[-4000:]
    assert not list((out / "warc" / "localnews").glob("*.open"))
    records = [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    assert sorted(r["id"] for r in records) == sorted(f"localnews:{a.id}" for a in articles), (
        log_text[-4000:]
    )
    [report] = [json.loads(p.read_text()) for p in (out / "runs").glob("localnews-*.json")]
    assert report["status"] == "ok" and report["counts"]["article"] == len(articles)
    assert "(bot: newsarchive)" in log_text  # the egg's settings module, found by its entry point
