"""``newsarchive serve`` (scraper/web): every route over an archive made by real crawls of the
local site (one article edited between two crawls, so it has two versions; one title hostile),
read with Starlette's TestClient and once through a real ``newsarchive serve`` on loopback.
What a person would see is asserted: text on the page, escaped; archived pages served without
scripts in a sandbox; bad ids a 404; and nothing written into the output directory."""

from __future__ import annotations

import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from archive.warc_reader import read_record_at
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles
from scraper.web import app as web_app
from scraper.web.app import create_app
from tests.conftest import (
    crawl_with_an_edit,
    newsarchive_serve,
    run_newsarchive,
)

HOSTILE = 'Evil <script>alert("title")</script> & <b>bold</b>'
CORRECTION = "A correction was added later."

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def tree(out: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(out)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(out.rglob("*"))
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(6)
    articles[0] = replace(articles[0], title=HOSTILE)
    site = LocalSite(articles, etags=True)
    changed = articles[2]
    edited = replace(changed, paragraphs=[*changed.paragraphs, CORRECTION])
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        out, _ = crawl_with_an_edit(site, servers, tmp_path_factory.mktemp("web"), changed, edited)
    records = [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text().splitlines()
    ]
    before = tree(out)
    yield {
        "out": out,
        "records": records,
        "hostile": f"localnews:{articles[0].id}",
        "edited": f"localnews:{changed.id}",
        "edited_title": changed.title,
        "before": before,
    }


@pytest.fixture(scope="module")
def client(archive: dict[str, Any]) -> TestClient:
    return TestClient(create_app([archive["out"]]), raise_server_exceptions=False)


def latest(archive: dict[str, Any], article: str) -> dict[str, Any]:
    return max((r for r in archive["records"] if r["id"] == article), key=lambda r: r["version"])


def test_home_shows_the_sites_runs_and_mirrors(archive: dict[str, Any], client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    text = page.text
    assert "localnews" in text and "6 articles" in text
    runs = sorted(p.stem for p in (archive["out"] / "runs").glob("localnews-*.json"))
    assert len(runs) == 2 and all(run in text for run in runs)
    assert "<td>ok</td><td>6</td>" in text and "<td>ok</td><td>1</td>" in text
    mirrors = json.loads((archive["out"] / "state" / "localnews.mirrors.json").read_text())
    assert all(m["origin"] in text for m in mirrors["mirrors"])
    assert "script-src 'none'" in page.headers["content-security-policy"]


def test_site_page_draws_its_charts(client: TestClient) -> None:
    page = client.get("/site/localnews")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 3
    assert "localnews: articles per day" in page.text
    assert "requests per run" in page.text and "served" in page.text
    assert "field coverage per run" in page.text and ">title<" in page.text


def test_search_shows_hits_with_snippets_and_facets(
    archive: dict[str, Any], client: TestClient
) -> None:
    page = client.get("/search", params={"q": "correction"})
    assert page.status_code == 200
    assert "1 article matches" in page.text
    assert archive["edited_title"] in page.text
    assert "<mark>correction</mark>" in page.text
    section = latest(archive, archive["edited"])["section"]
    assert f">{section}</a> 1" in page.text
    month = latest(archive, archive["edited"])["published"][:7]
    assert f">{month}</a> 1" in page.text
    assert (
        client.get("/search", params={"q": "correction", "section": "Nowhere"}).text.count(
            'class="hit"'
        )
        == 0
    )


def test_search_pages(
    archive: dict[str, Any], client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_app, "PAGE_SIZE", 2)
    word = latest(archive, archive["edited"])["body"].split()[0].strip(".,").lower()
    first = client.get("/search", params={"q": word})
    total = int(re.search(r"(\d+) articles? match", first.text).group(1))  # type: ignore[union-attr]
    assert total > 2 and first.text.count('class="hit"') == 2
    assert "next page" in first.text and "previous page" not in first.text
    seen = set(re.findall(r'href="/article/([^"]+)"', first.text))
    second = client.get("/search", params={"q": word, "page": "2"})
    assert "previous page" in second.text
    assert not seen & set(re.findall(r'href="/article/([^"]+)"', second.text))
    assert client.get("/search", params={"q": word, "page": "x"}).status_code == 400


def test_api_search_gives_the_fields_of_search_json(
    archive: dict[str, Any], client: TestClient
) -> None:
    answer = client.get("/api/search", params={"q": "correction"})
    assert answer.status_code == 200
    [hit] = answer.json()["hits"]
    record = latest(archive, archive["edited"])
    assert hit["id"] == archive["edited"] and hit["version"] == 2
    assert hit["title"] == record["title"] and hit["url"] == record["url"]
    assert hit["published"] == record["published"] and "correction" in hit["snippet"].lower()
    assert client.get("/api/search", params={"q": "-"}).status_code == 400


def test_article_page_shows_record_versions_diff_and_captures(
    archive: dict[str, Any], client: TestClient
) -> None:
    record = latest(archive, archive["edited"])
    page = client.get(f"/article/{archive['edited']}")
    assert page.status_code == 200
    text = page.text
    assert f"<h1>{record['title']}</h1>" in text
    assert record["body"].split("\n\n")[0] in text
    for image in record["images"]:
        assert image["caption"] in text
        assert f"/file/localnews?url={quote(image['url'], safe='')}" in text
    assert "version 2 of 2" in text
    assert "What changed from version 1 to version 2" in text
    assert re.search(r"<ins>[^<]*correction was added later\.</ins>", text)
    host = record["url"].split("/")[2]
    captures = text.split('id="captures"')[1].split('id="cite"')[0]
    assert f"<h3><code>{host}</code></h3>" in captures
    assert captures.count("<td>200</td><td>response</td>") == 2  # one capture per crawl
    first = client.get(f"/article/{archive['edited']}", params={"version": "1"})
    assert CORRECTION not in first.text.split("What changed")[0]
    same = client.get(f"/article/{archive['edited']}", params={"from": "2", "to": "2"})
    assert "<ins>" not in same.text.split("<h3>Text</h3>")[1].split('id="captures"')[0]


def test_citation_as_text_and_json(archive: dict[str, Any], client: TestClient) -> None:
    record = latest(archive, archive["edited"])
    cites = client.get(f"/article/{archive['edited']}/cite.json").json()["citations"]
    assert [c["version"] for c in cites] == [1, 2]
    cite = cites[1]
    assert cite["stable_url"] == record["canonical_url"]
    assert cite["warc_record_id"] == record["warc"]["record_id"]
    warc = archive["out"] / "warc" / "localnews" / record["warc"]["filename"]
    archived = read_record_at(warc, record["warc"]["offset"])
    assert cite["payload_digest"] == archived.payload_digest and cite["payload_digest"]
    assert cite["host"] == record["url"].split("/")[2]
    page = client.get(f"/article/{archive['edited']}").text
    assert record["warc"]["record_id"].replace("<", "&lt;").replace(">", "&gt;") in page
    assert str(escape(cite["text"])) in page
    one = client.get(f"/article/{archive['edited']}/cite.json", params={"version": "1"}).json()
    assert [c["version"] for c in one["citations"]] == [1]


def test_capture_is_served_without_scripts_in_a_sandboxed_frame(
    archive: dict[str, Any], client: TestClient
) -> None:
    record = latest(archive, archive["edited"])
    warc = archive["out"] / "warc" / "localnews" / record["warc"]["filename"]
    assert b"<script" in read_record_at(warc, record["warc"]["offset"]).payload
    record_id = record["warc"]["record_id"].strip("<>")
    wrapper = client.get(f"/capture/{record_id}")
    assert wrapper.status_code == 200
    assert re.search(r'<iframe[^>]* sandbox="[^"]*"[^>]* src="/capture/[^"]+/page"', wrapper.text)
    assert record["url"] in wrapper.text
    framed = client.get(f"/capture/{record_id}/page")
    assert framed.status_code == 200
    policy = framed.headers["content-security-policy"]
    assert "script-src 'none'" in policy and "sandbox" in policy
    assert "<script" not in framed.text.lower()
    assert record["title"] in framed.text
    # its picture from the archive, links to captured pages kept inside the archive
    image = record["images"][0]["url"]
    assert f"/file/localnews?url={quote(image, safe='')}" in framed.text
    picture = client.get("/file/localnews", params={"url": image})
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")
    assert "/go/localnews?frame=1&amp;url=" in framed.text
    link = re.search(r'href="(/go/localnews\?frame=1&amp;url=[^"]+)"', framed.text)
    assert link is not None
    followed = client.get(link.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert followed.status_code == 303 and followed.headers["location"].endswith("/page")
    assert client.get(followed.headers["location"]).status_code == 200


def test_hostile_title_is_escaped_everywhere(archive: dict[str, Any], client: TestClient) -> None:
    pages = [
        client.get(f"/article/{archive['hostile']}").text,
        client.get("/search", params={"q": "evil"}).text,
    ]
    for text in pages:
        assert HOSTILE not in text
        assert "Evil &lt;script&gt;alert(" in text
    assert client.get("/api/search", params={"q": "evil"}).json()["hits"][0]["title"] == HOSTILE


@pytest.mark.parametrize(
    "url",
    [
        "/article/..%2F..%2Fetc%2Fpasswd",
        "/article/localnews:..%2F..%2Fstate",
        "/article/localnews:999999",
        "/article/localnews:800002?version=99",
        "/article/localnews:800002?from=1&to=9",
        "/article/localnews:800002?version=..%2F",
        "/article/..%2Fx/cite.json",
        "/capture/..%2F..%2Fwarc",
        "/capture/urn:uuid:00000000-0000-0000-0000-000000000000",
        "/capture/urn:uuid:00000000-0000-0000-0000-000000000000/page",
        "/file/localnews?url=..%2F..%2Fstate%2Flocalnews.sqlite",
        "/file/..%2Fstate?url=x",
        "/go/localnews?url=http://nowhere.test/",
        "/site/..%2Fstate",
        "/site/nosuchsite",
        "/static/..%2F..%2Fcli%2Fserve.py",
        "/nowhere",
    ],
)
def test_bad_ids_are_404_pages(client: TestClient, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 404, answer.text[:500]
    assert "Traceback" not in answer.text


def test_a_missing_index_is_named_not_made(archive: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "copy"
    for part in ("json", "runs"):  # the records and reports, no state/ (no index)
        shutil.copytree(archive["out"] / part, out / part)
    page = TestClient(create_app([out])).get("/")
    assert "newsarchive search localnews --reindex" in page.text
    assert not (out / "state").exists()


def test_newsarchive_serve_on_loopback(archive: dict[str, Any]) -> None:
    with newsarchive_serve(archive["out"]) as base:
        with urllib.request.urlopen(f"{base}/search?q=correction", timeout=30) as answer:
            text = answer.read().decode()
            assert "script-src 'none'" in answer.headers["Content-Security-Policy"]
        assert "<mark>correction</mark>" in text
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                urllib.request.Request(f"{base}/", headers={"Host": "attacker.test"}), timeout=30
            )
        assert refused.value.code == 421
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/article/..%2Fx", timeout=30)
        assert missing.value.code == 404


def test_serve_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = run_newsarchive("serve", "--out", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no such directory" in result.stderr


def test_the_app_wrote_nothing_into_the_archive(
    archive: dict[str, Any], client: TestClient
) -> None:
    for url in ("/", "/site/localnews", "/search?q=bank", f"/article/{archive['edited']}"):
        assert client.get(url).status_code == 200
    assert tree(archive["out"]) == archive["before"]


def test_a_capture_offers_the_wacz_given_and_only_it(
    archive: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    wacz = tmp_path_factory.mktemp("wacz") / "localnews.wacz"
    exported = run_newsarchive(
        "export", "localnews", "--out", str(archive["out"]), "--wacz", str(wacz)
    )
    assert exported.returncode == 0, exported.stderr
    offered = TestClient(create_app([archive["out"]], waczs=[wacz]), raise_server_exceptions=False)
    record_id = latest(archive, archive["edited"])["warc"]["record_id"].strip("<>")
    page = offered.get(f"/capture/{record_id}").text
    assert '<a href="/wacz/localnews.wacz" download>localnews.wacz</a>' in page
    download = offered.get("/wacz/localnews.wacz")
    assert download.status_code == 200 and download.content == wacz.read_bytes()
    for name in ("other.wacz", "..%2Flocalnews.wacz", "%2Fetc%2Fpasswd"):
        assert offered.get(f"/wacz/{name}").status_code == 404, name


def test_the_other_titles_a_page_stated_are_shown_escaped(tmp_path: Path) -> None:
    from tests.test_search_index import SITE, record, write_run

    stated = [
        {"text": HOSTILE, "sources": ["og:title"]},
        {"text": "Oil exports rise", "sources": ["h1"]},
        {"text": 7, "sources": "not a list"},
    ]
    write_run(tmp_path, "run1", [record(1, "Oil exports rise", "Exports rose.", titles=stated)])
    page = TestClient(create_app([tmp_path]), raise_server_exceptions=False).get(
        f"/article/{SITE}:1"
    )
    assert page.status_code == 200, page.text
    shown = page.text.split('class="meta titles">', 1)[1].split("</p>", 1)[0]
    assert (
        shown
        == "Also titled: <q>Evil &lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</q> (og:title)"
    )
