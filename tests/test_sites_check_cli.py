"""``newsarchive sites check`` (scraper/cli/sites_check.py) on the local site over loopback and
on saved pages: the table and its JSON, exit 1 when no field or no article link came from
the site, the address policy on hosts that are not the site's, bad values exit 2."""

from __future__ import annotations

import gzip
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers, Reply
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import memory_cap, newsarchive_command
from tests.test_site_check import ARTICLE_URL, FIELDS

MEMORY_CAP = 1536 << 20


def sites_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "sites", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=memory_cap(MEMORY_CAP),
        check=False,
    )


def _front(site: LocalSite) -> Reply:
    links = "".join(f'<a href="{a.path}">{a.title}</a>' for a in site.articles[:3])
    return Reply.html(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
        f'<body><nav><a href="/Section/101">Iran</a><a href="/about.pdf">About</a></nav>'
        f"{links}</body></html>"
    )


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = LocalSite(generate_articles(6))
    site.routes["/"] = _front(site)
    work = tmp_path_factory.mktemp("check")
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        origin = servers.origins[0]
        profile = write_profile(work / "local.toml", [origin], extractor="generic")
        profile.write_text(profile.read_text(encoding="utf-8") + FIELDS, encoding="utf-8")
        minimal = work / "minimal.toml"
        minimal.write_text(
            f'name = "localnews"\nprimary = "{origin}"\narticle_url = \'{ARTICLE_URL}\'\n' + FIELDS,
            encoding="utf-8",
        )
        yield {
            "site": site,
            "origin": origin,
            "profile": profile,
            "minimal": minimal,
            "servers": servers,
            "work": work,
        }


@pytest.mark.timeout(180)
def test_check_fetches_the_front_page_and_its_first_article(local: dict[str, Any]) -> None:
    result = sites_check(str(local["minimal"]))
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    first = local["site"].articles[0]
    assert f"article {local['origin']}{first.path} (matches article_url)" in out
    assert "3 article URLs" in out and "1 link a run would follow" in out
    assert f"follow   {local['origin']}/Section/101" in out
    assert "about.pdf" not in out
    assert "a run reads it" in out  # the feed it declares, for a minimal profile
    title = next(line for line in out.splitlines() if line.strip().startswith("title "))
    assert "profile selector" in title and first.title in title
    section = next(line for line in out.splitlines() if line.strip().startswith("section "))
    assert "(fell back)" in section and "matched nothing" in section


@pytest.mark.timeout(180)
def test_check_json_of_an_article_url(local: dict[str, Any]) -> None:
    site: LocalSite = local["site"]
    article = next(a for a in site.articles[1:] if site.template(a) == "modern")
    url = local["origin"] + article.path
    result = sites_check(str(local["profile"]), "--url", url, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout)
    assert data["selectors"] == ["title", "section", "body"]
    assert data["article"]["url"] == url and data["article"]["from_page"]
    fields = {f["name"]: f for f in data["article"]["fields"]}
    assert fields["body"]["source"] == "profile selector"
    assert fields["section"]["fell_back"] is True
    assert data["page"]["link_depth"] == 0  # the full profile names its feeds and listings


@pytest.mark.timeout(180)
@pytest.mark.parametrize("packed", [False, True], ids=["html", "html.gz"])
def test_check_reads_a_saved_page_without_the_network(local: dict[str, Any], packed: bool) -> None:
    article = local["site"].articles[2]
    saved = local["work"] / ("saved.html.gz" if packed else "saved.html")
    page = local["site"].routes[article.path].body
    saved.write_bytes(gzip.compress(page) if packed else page)
    before = len(local["servers"].requests)
    url = local["origin"] + article.path
    result = sites_check(str(local["profile"]), "--html", str(saved), "--url", url)
    assert len(local["servers"].requests) == before  # nothing asked
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"article {url} (matches article_url)" in result.stdout
    assert "title" in result.stdout and article.title[:30] in result.stdout


@pytest.mark.timeout(180)
def test_check_exits_1_when_nothing_matches(local: dict[str, Any], tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        f'name = "localnews"\nprimary = "{local["origin"]}"\narticle_url = "^/story/"\n',
        encoding="utf-8",
    )
    result = sites_check(str(wrong))
    assert result.returncode == 1
    assert "matches the profile's article_url" in result.stderr
    assert "no article page to read" in result.stderr
    saved = tmp_path / "empty.html"
    saved.write_text("<html><body></body></html>", encoding="utf-8")
    result = sites_check(
        str(local["profile"]), "--html", str(saved), "--url", local["origin"] + "/x"
    )
    assert result.returncode == 1
    assert "no field came from" in result.stderr


@pytest.mark.timeout(180)
def test_check_refuses_a_foreign_loopback_host_and_bad_values(local: dict[str, Any]) -> None:
    """127.0.0.2 is not the site's host: only a public address, or one of a kind the site's
    own hosts have, may be fetched; the site is on loopback here, so the policy is checked
    with a profile whose hosts are public names."""
    public = local["work"] / "public.toml"
    public.write_text(
        'name = "elsewhere"\nprimary = "https://203.0.113.5"\narticle_url = "^/a/"\n',
        encoding="utf-8",
    )
    result = sites_check(str(public), "--url", local["origin"] + "/")
    assert result.returncode == 1
    assert "not on the site's hosts" in result.stderr and "loopback" in result.stderr
    assert (
        sites_check(
            str(public), "--html", "/nonexistent.html", "--url", "https://x.org/"
        ).returncode
        == 2
    )
    assert sites_check(str(public), "--html", str(local["profile"])).returncode == 2  # no --url
    assert sites_check(str(public), "--url", "ftp://x.org/").returncode == 2
    assert sites_check("no-such-site").returncode == 2


def test_a_host_is_connected_at_the_address_checked_not_a_second_answer(
    local: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: a name that answers an allowed address when checked and another when
    connected to is fetched from the address checked."""
    import socket

    from scraper.cli.sites_check import _Fetcher
    from scraper.sites.profile import load_profile

    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])  # the site's own address; then a loopback nobody serves

    def rebinding(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            return real(next(answers, "127.0.0.9"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = local["origin"].rsplit(":", 1)[1]
    article = local["site"].articles[0]
    final, body, _ = _Fetcher(load_profile(local["profile"])).get(
        f"http://rebind.test:{port}{article.path}"
    )
    assert final.startswith("http://rebind.test:") and article.title.encode() in body
