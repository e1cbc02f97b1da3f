"""Mirror lists as a mirror source, onion mirrors through Tor (issue 25, items 1-2), on the
local multi-host site.

The profile names only a primary that fails half its articles; a v2 mirror list names two
healthy mirrors, an impostor (the site's look, other text), an onion address and an IPFS
entry, besides another site's mirror. Every article is archived, none from the impostor,
the onion never looked up in DNS without ``tor`` (the crawl runs with the resolver's socket
calls watched), the verified mirrors remembered as learnt from the list. With ``--tor`` (a
SOCKS5 proxy on loopback standing in for Tor, resolving ``.onion`` names to a loopback
server) the onion is checked through the proxy and verified like any mirror.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile
from tests import proxy_server
from tests.conftest import FAST_CRAWL
from tests.test_mirror_discovery import impostor_of, memory, records

ARTICLES = 24
PRIMARY, HEALTHY_A, HEALTHY_B, IMPOSTOR, ONION_SERVER, OTHER = (
    "127.0.0.1",
    "127.0.0.2",
    "127.0.0.3",
    "127.0.0.4",
    "127.0.0.5",
    "127.0.0.6",
)
ONION = "newsarchivetestvqz3jzk5q6b2mlrx4kt3v6d4emu7wfqw3ok3pvcrzuhyd.onion"

# The crawl with every name lookup watched: a lookup of an onion name is written to a file
# and fails, as it would on a real resolver (after telling it where the crawl goes).
_WATCHED = """
import os, runpy, socket, sys
log = os.environ["LOOKUPS"]
def watched(real):
    def lookup(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.rstrip(".").endswith(".onion"):
            with open(log, "a") as file:
                file.write(name + "\\n")
            raise socket.gaierror(socket.EAI_NONAME, "onion looked up")
        return real(host, *args, **kwargs)
    return lookup
for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
    setattr(socket, name, watched(getattr(socket, name)))
sys.argv = ["newsarchive", *sys.argv[1:]]
runpy.run_module("scraper.cli", run_name="__main__")
"""


def crawl(
    profile: Path, out: Path, lookups: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _WATCHED, "crawl", str(profile), "--out", str(out)]
    command += [*FAST_CRAWL, *options, "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=10"]
    env = {**__import__("os").environ, "LOOKUPS": str(lookups)}
    return subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)


def mirror_list(path: Path, site: str, alternatives: list[tuple[str, str, str]]) -> Path:
    """A v2 list: ``site``'s alternatives ``(proto, type, url)``, an IPFS entry, and another
    site's mirror (never a candidate: not this site's)."""
    entries: list[dict[str, Any]] = [
        {
            "created_at": "2026-05-27T12:48:02.725007+00:00",
            "proto": proto,
            "type": kind,
            "updated_at": "2026-05-27T12:46:04.358251+00:00",
            "url": url,
        }
        for proto, kind, url in alternatives
    ]
    entries.append({"proto": "https", "type": "ipfs", "url": "", "created_at": "2020-12-12"})
    other = {
        "main_domain": "other.example",
        "available_alternatives": [
            {"proto": "http", "type": "mirror", "url": f"http://{OTHER}:9", "created_at": "x"}
        ],
    }
    document = {"sites": [other, {"main_domain": site, "available_alternatives": entries}]}
    path.write_text(json.dumps(document, indent=2))
    return path


def with_lists(profile: Path, *lists: Path | str) -> Path:
    named = ", ".join(f'"{spec}"' for spec in lists)
    profile.write_text(f"mirror_lists = [{named}]\n" + profile.read_text())
    return profile


def test_listed_mirrors_verified_the_impostor_rejected_the_onion_never_resolved(
    tmp_path: Path,
) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    index = {article.path: n for n, article in enumerate(site.articles)}
    # the primary fails half the articles; every listing, feed and sitemap it serves
    site.behaviours[PRIMARY] = failing_for(lambda r: index.get(r.target, 0) % 2 == 1)
    site.behaviours[IMPOSTOR] = impostor_of(site)
    lookups = tmp_path / "lookups.txt"
    with LoopbackServers(site, [PRIMARY, HEALTHY_A, HEALTHY_B, IMPOSTOR]) as servers:
        primary, healthy_a, healthy_b, impostor = servers.origins
        listed = mirror_list(
            tmp_path / "mirrorSites.json",
            PRIMARY,
            [
                ("tor", "eotk", f"http://{ONION}"),
                ("http", "mirror", healthy_a),
                ("http", "mirror", impostor),
                ("http", "mirror", healthy_b),
            ],
        )
        # a file name beside the profile file
        profile = with_lists(write_profile(tmp_path / "localnews.toml", [primary]), listed.name)
        out = tmp_path / "out"
        result = crawl(profile, out, lookups)
        asked_of_impostor = [r for r in servers.requests if r.host == impostor.split("//")[1]]
        shown = subprocess.run(
            [sys.executable, "-m", "scraper.cli", "mirrors", str(profile), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 0, result.stderr[-4000:]
    assert not lookups.exists(), lookups.read_text()  # the onion never reached a resolver
    got = records(out)
    ids = [r["id"] for r in got]
    assert len(ids) == len(set(ids)) and set(ids) == {f"localnews:{a.id}" for a in site.articles}
    host = {o: o.split("//")[1] for o in servers.origins}
    by_mirror = {r["mirror"] for r in got}
    assert host[impostor] not in by_mirror
    assert {host[healthy_a], host[healthy_b]} & by_mirror  # what the primary failed
    assert by_mirror <= {host[primary], host[healthy_a], host[healthy_b]}
    assert asked_of_impostor and all(
        r.target in index or r.target == "/robots.txt" for r in asked_of_impostor
    )
    assert not any(r.host.startswith(OTHER) for r in servers.requests)  # another site's

    learnt = memory(out)
    for healthy in (healthy_a, healthy_b):
        assert learnt[healthy]["status"] in ("verified", "trusted"), learnt[healthy]
        assert learnt[healthy]["learnt"] == "mirror list"
        assert learnt[healthy]["learnt_at"] == str(listed)
    assert learnt[impostor]["status"] == "rejected"
    assert "differs from the site's" in learnt[impostor]["verification"]
    onion = learnt[f"http://{ONION}"]
    assert onion["status"] == "candidate", onion
    assert onion["verification"].startswith("unreachable: an onion address, reached only")
    assert f"http://{OTHER}:9" not in learnt

    [report] = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    stats = report["stats"]
    assert report["status"] == "ok" and report["failure_count"] == 0
    assert stats["mirror_lists/read"] == 1 and stats["mirror_lists/entries"] == 4
    assert stats["mirror_lists/ipfs_ignored"] == 1
    assert stats["mirror_discovery/onion_without_tor"] == 1
    assert stats["mirror_discovery/verified"] == 2 and stats["mirror_discovery/rejected"] == 1
    assert "mirror list " + str(listed) + " (v2, 2 sites): 4 entries for this site; 1 ipfs " in (
        result.stderr
    )

    assert shown.returncode == 0, shown.stderr
    assert f"learnt from mirror list {listed}" in shown.stdout
    assert f"  {listed}: a file, read at the start of each run" in shown.stdout


def test_an_onion_from_a_list_by_url_is_verified_through_tor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_server.resolve_every_onion(monkeypatch)
    site = LocalSite(generate_articles(8))
    index = {article.path: n for n, article in enumerate(site.articles)}
    site.behaviours[PRIMARY] = failing_for(lambda r: index.get(r.target, 0) % 2 == 1)
    lookups, log = tmp_path / "lookups.txt", tmp_path / "proxy.log"
    with (
        LoopbackServers(site, [PRIMARY, ONION_SERVER]) as servers,
        proxy_server.running_proxy("socks5", log, onion_to=ONION_SERVER) as proxy,
    ):
        primary, onion_server = servers.origins
        onion = f"http://{ONION}:{onion_server.rsplit(':', 1)[1]}"
        listed = mirror_list(tmp_path / "list.json", PRIMARY, [("tor", "eotk", onion)])
        list_url = f"{primary}/lists/mirrorSites.json"
        site.behaviours[PRIMARY] = _serving_list(site.behaviours[PRIMARY], listed.read_bytes())
        profile = with_lists(write_profile(tmp_path / "localnews.toml", [primary]), list_url)
        out = tmp_path / "out"
        result = crawl(profile, out, lookups, "--tor", f"socks5h://{proxy}")
        # the next run without Tor: the onion it verified is left out, and never looked up
        without = crawl(profile, out, lookups)
    assert result.returncode == 0, result.stderr[-4000:]
    assert not lookups.exists(), lookups.read_text()  # resolved by the proxy alone
    assert len(records(out)) == 8
    learnt = memory(out)[onion]
    assert learnt["status"] in ("verified", "trusted"), learnt
    assert learnt["learnt"] == "mirror list" and learnt["learnt_at"] == list_url
    assert f"-> {ONION}:" in log.read_text()  # asked through the proxy
    [copy] = (out / "state" / "localnews.mirror-lists").glob("mirrorSites.json-*.json")
    assert copy.read_bytes() == listed.read_bytes()

    assert without.returncode == 0, without.stderr[-4000:]
    assert not lookups.exists(), lookups.read_text()
    assert f"mirror {onion} not used this run: an onion address" in without.stderr
    reports = sorted((out / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert set(json.loads(reports[-1].read_text())["mirrors"]) == {primary}
    assert memory(out)[onion]["status"] in ("verified", "trusted")  # kept for a run with Tor


def _serving_list(behaviour: Any, body: bytes) -> Any:
    from scraper.demo.server import Reply, Request

    def serve(request: Request, reply: Reply) -> Reply:
        if request.target == "/lists/mirrorSites.json":
            return Reply(200, body, [("Content-Type", "application/json")])
        return behaviour(request, reply)

    return serve


def test_an_onion_mirror_of_the_profile_without_tor_is_never_looked_up(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(4))
    lookups = tmp_path / "lookups.txt"
    with LoopbackServers(site, [PRIMARY]) as servers:
        onion = f"http://{ONION}"
        profile = write_profile(
            tmp_path / "localnews.toml", [servers.origins[0], onion], mirror_strategy="spread"
        )
        result = crawl(profile, tmp_path / "out", lookups)
    assert result.returncode == 0, result.stderr[-4000:]
    assert not lookups.exists(), lookups.read_text()
    assert len(records(tmp_path / "out")) == 4  # from the primary: the onion failed over
    assert f"{ONION} is an onion address: reached only through [access] tor" in result.stderr
    [report] = [json.loads(p.read_text()) for p in (tmp_path / "out" / "runs").glob("*.json")]
    assert report["mirrors"][onion]["successes"] == 0
