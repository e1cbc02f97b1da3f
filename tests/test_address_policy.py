"""The address policy (issue 21, items 1-4): no request that is not to the site's own hosts
reaches a private, loopback, link-local or reserved address unless the site's hosts do.

The crawls run on a made-up network (``tests/fake_network.py``): the site is
``news.example``, a public address routed to a loopback server, and an internal service
listens on 127.0.0.2. The pages name that service and the cloud metadata address in every
way a hostile page can (pictures, notices of alternate addresses, redirects, a name that
rebinds). Nothing can leave loopback even if the policy is broken: the fake network refuses
any other connection and logs every lookup and connection, and the internal service logs
every request it gets.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.address_policy import AddressPolicy, address_kind, literal_address, name_kind
from scraper.demo.server import LoopbackServers, Reply, Request
from tests.conftest import FAST_CRAWL

ROOT = Path(__file__).resolve().parents[1]
SITE_ADDRESS, PICTURES_ADDRESS, REBIND_PUBLIC = "93.184.216.34", "93.184.216.35", "93.184.216.36"
ARTICLES = 4
PICTURE = b"\xff\xd8\xff\xe0" + b"a real picture" * 50


def article_page(number: int, pictures: list[str], announced: list[str]) -> str:
    figures = "".join(
        f'<figure><img src="{url}"><figcaption>Picture</figcaption></figure>' for url in pictures
    )
    notice = "".join(f'<a href="{origin}">{origin.split("://", 1)[1]}</a> ' for origin in announced)
    words = " ".join(f"word{n}" for n in range(60))
    paragraphs = "".join(f"<p>Story {number}, paragraph {p}: {words}.</p>" for p in range(6))
    return (
        f"<html><head><title>Story {number}</title></head><body>"
        f"<article><h1>Story {number}</h1>{paragraphs}{figures}</article>"
        f"<div>This site can also be accessed at: {notice}</div></body></html>"
    )


def hostile_site(pictures: list[str], announced: list[str]) -> Callable[[Request], Reply]:
    """The site: a listing, articles showing ``pictures`` and announcing ``announced``;
    ``/ok.jpg`` a real picture, ``/to-secret.jpg`` and every path of the redirector host a
    redirect into the internal network (the test's handler answers each)."""
    pages = {
        "/robots.txt": Reply(200, b"User-agent: *\nAllow: /\n", [("Content-Type", "text/plain")]),
        "/news": Reply.html(
            "<html><body>"
            + "".join(f'<a href="/news/{n}">Story {n}</a>' for n in range(1, ARTICLES + 1))
            + "</body></html>"
        ),
        "/ok.jpg": Reply(200, PICTURE, [("Content-Type", "image/jpeg")]),
    }
    for number in range(1, ARTICLES + 1):
        pages[f"/news/{number}"] = Reply.html(article_page(number, pictures, announced))

    def handler(request: Request) -> Reply:
        target = request.target
        if target.startswith("http://"):  # asked as a proxy
            host, _, path = target[len("http://") :].partition("/")
            if not host.startswith("news.example") and not host.startswith("pics.example"):
                return Reply(200, b"SECRET of " + host.encode(), [("Content-Type", "image/jpeg")])
            target = "/" + path
        host = request.headers.get("host", "")
        if host.startswith("redirector.example") or target == "/to-secret.jpg":
            return Reply(302, b"", [("Location", request_redirect(host))])
        return pages.get(target, Reply(404, b"not here"))

    return handler


def request_redirect(host: str) -> str:
    return (
        "http://169.254.169.254/latest/meta-data/"
        if "redirector" in host
        else "http://10.9.9.9/x.jpg"
    )


def write_profile(path: Path, primary: str, *access: str) -> Path:
    path.write_text(
        'name = "hostile"\n'
        f'primary = "{primary}"\n'
        'listings = ["/news"]\n'
        "article_url = '^/news/(?P<id>\\d+)$'\n"
        'extractor = "generic"\n' + ("[access]\n" + "\n".join(access) + "\n" if access else ""),
        encoding="utf-8",
    )
    return path


def crawl_on_fake_network(
    tmp_path: Path,
    profile: Path,
    names: dict[str, list[str]],
    routes: dict[str, str],
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = tmp_path / "network.log"
    network = tmp_path / "network.json"
    network.write_text(json.dumps({"names": names, "routes": routes, "log": str(log)}))
    command = [sys.executable, "-m", "tests.fake_network", str(network), "crawl", str(profile)]
    command += ["--out", str(tmp_path / "out"), *FAST_CRAWL, "-s", "RETRY_TIMES=0"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=ROOT)
    return result, log.read_text().splitlines() if log.exists() else []


def report(out: Path) -> dict:
    [path] = (out / "runs").glob("*.json")
    return json.loads(path.read_text())


def mirror_memory(out: Path) -> dict[str, dict]:
    data = json.loads((out / "state" / "hostile.mirrors.json").read_text())
    return {m["origin"]: m for m in data["mirrors"]}


def records(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for path in (out / "json" / "hostile").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]


def test_no_request_reaches_the_internal_network_whatever_the_pages_name(tmp_path: Path) -> None:
    internal = LoopbackServers(lambda request: Reply(200, b"SECRET"), ["127.0.0.2"])
    with internal:
        secret_port = internal.origins[0].rsplit(":", 1)[1]
        pictures_of = lambda port: [  # noqa: E731
            f"http://127.0.0.2:{secret_port}/secret.jpg",  # loopback, literal
            f"http://0x7f000002:{secret_port}/odd.jpg",  # loopback, spelled oddly
            f"http://internal.example:{secret_port}/named.jpg",  # a name for loopback
            "http://169.254.169.254/latest/meta-data.jpg",  # link-local: cloud metadata
            "http://10.20.30.40/x.jpg",  # private
            f"http://pics.example:{port}/to-secret.jpg",  # public, redirecting to 10.9.9.9
            f"http://pics.example:{port}/ok.jpg",  # public: fetched
        ]
        with LoopbackServers(hostile_site([], []), ["127.0.0.1"]) as site:
            port = site.origins[0].rsplit(":", 1)[1]
            announced = [
                f"http://rebind.example:{secret_port}",  # public to the check, then loopback
                f"http://redirector.example:{port}",  # redirects to the metadata address
                f"http://10.255.255.1:{port}",
            ]
            site.handler = hostile_site(pictures_of(port), announced)
            profile = write_profile(tmp_path / "hostile.toml", f"http://news.example:{port}")
            result, network = crawl_on_fake_network(
                tmp_path,
                profile,
                names={
                    "news.example": [SITE_ADDRESS],
                    "pics.example": [PICTURES_ADDRESS],
                    "redirector.example": [PICTURES_ADDRESS],
                    "internal.example": ["127.0.0.2"],
                    "rebind.example": [REBIND_PUBLIC, "127.0.0.2"],
                },
                routes={
                    f"{SITE_ADDRESS}:{port}": f"127.0.0.1:{port}",
                    f"{PICTURES_ADDRESS}:{port}": f"127.0.0.1:{port}",
                    # what rebind.example answers first: a copy of the site, so it passes
                    f"{REBIND_PUBLIC}:{secret_port}": f"127.0.0.1:{port}",
                },
            )
    out = tmp_path / "out"
    assert internal.requests == [], (internal.requests, network)
    assert not [line for line in network if line.endswith("blocked")], network
    assert len(records(out)) == ARTICLES, result.stderr[-3000:]
    stats = report(out)["stats"]
    assert stats["assets/fetched"] == 1  # the public picture, once
    assert stats["assets/failed/address_refused"] == 6, (stats, result.stderr)
    learnt = mirror_memory(out)
    for origin in announced[1:]:
        assert learnt[origin]["status"] == "rejected", learnt
    assert "169.254.169.254 is link-local" in learnt[announced[1]]["verification"]
    assert learnt[f"http://10.255.255.1:{port}"]["verification"] == (
        "address 10.255.255.1 is private, and the site's own hosts are not"
    )
    assert "not requested: http://169.254.169.254/latest/meta-data.jpg" in result.stderr


def test_through_a_proxy_no_local_name_or_address_is_asked_of_it(tmp_path: Path) -> None:
    hostile_names = [
        "http://169.254.169.254/latest/meta-data.jpg",
        "http://127.0.0.1:9/one.jpg",
        "http://[::1]:9/two.jpg",
        "http://localhost:9/three.jpg",
        "http://metadata.internal/four.jpg",
        "http://10.20.30.40/x.jpg",
        "http://pics.example/ok.jpg",  # public: asked of the proxy
    ]
    announced = ["http://169.254.169.254", "http://127.0.0.1:9"]
    with LoopbackServers(hostile_site(hostile_names, announced), ["127.0.0.1"]) as proxy:
        profile = write_profile(
            tmp_path / "hostile.toml", "http://news.example", f'proxy = "{proxy.origins[0]}"'
        )
        result, network = crawl_on_fake_network(tmp_path, profile, names={}, routes={})
    asked = sorted({r.target.split("/")[2] for r in proxy.requests if r.target.startswith("http")})
    assert asked == ["news.example", "pics.example"], (asked, result.stderr[-3000:])
    assert not [line for line in network if line.startswith("resolve")], network
    out = tmp_path / "out"
    assert len(records(out)) == ARTICLES, result.stderr[-3000:]
    stats = report(out)["stats"]
    assert stats["assets/failed/address_refused"] == 6, {
        k: v for k, v in stats.items() if "asset" in k
    }
    learnt = mirror_memory(out)
    assert all(learnt[origin]["status"] == "rejected" for origin in announced), learnt


@pytest.mark.parametrize(
    ("host", "address", "site", "refused"),
    [
        ("pics.example", "93.184.216.34", ["127.0.0.1"], None),  # public: always allowed
        ("evil.example", "10.0.0.5", ["8.8.4.4"], "private"),
        ("evil.example", "127.0.0.2", ["8.8.4.4"], "loopback"),
        ("evil.example", "169.254.169.254", ["10.0.0.1"], "link-local"),
        ("intranet.example", "10.0.0.5", ["10.0.0.1"], None),  # a site on a company network
        ("evil.example", "::ffff:10.0.0.5", ["8.8.8.8"], "private"),  # IPv4-mapped
        ("evil.example", "fe80::1", ["8.8.8.8"], "link-local"),
        ("evil.example", "224.0.0.1", ["8.8.8.8"], "reserved"),  # multicast
        ("evil.example", "0.0.0.0", ["8.8.8.8"], "unspecified"),  # this machine
        ("evil.example", "100.64.0.1", ["8.8.8.8"], "reserved"),  # carrier-grade NAT
    ],
)
def test_the_address_policy(host: str, address: str, site: list[str], refused: str | None) -> None:
    policy = AddressPolicy.for_site(site)
    reason = policy.address_refusal(host, address)
    assert (reason is None) if refused is None else (refused in (reason or "")), reason


def test_the_site_own_hosts_teach_the_policy_what_kind_they_are() -> None:
    policy = AddressPolicy.for_site(["news.corp.example"], proxy_names=["127.0.0.1"])
    assert policy.address_refusal("other.example", "10.1.2.3") is not None
    assert policy.address_refusal("news.corp.example", "10.1.2.2") is None  # the site's own
    assert policy.address_refusal("other.example", "10.1.2.3") is None  # …so, its network
    # a proxy is reached wherever it is, but a proxy on loopback opens nothing to pages
    assert policy.address_refusal("127.0.0.1", "127.0.0.1") is None
    assert policy.name_refusal("127.0.0.2") is not None


def test_a_name_that_rebinds_is_refused_on_every_loopback_answer() -> None:
    policy = AddressPolicy.for_site(["news.example"])
    answers = ["93.184.216.36", "127.0.0.1"] * 5
    verdicts = [policy.address_refusal("rebind.example", a) is None for a in answers]
    assert verdicts == [True, False] * 5


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("0x7f.1", "loopback"),
        ("2130706433", "loopback"),
        ("0177.0.0.1", "loopback"),
        ("[::1]", "loopback"),
        ("169.254.169.254", "link-local"),
        ("localhost", "local name"),
        ("db.localhost", "local name"),
        ("metadata.google.internal", "local name"),
        ("printer.local", "local name"),
        ("intranet", "local name"),
        ("news.example", "public"),
        ("deadbeef.example", "public"),
        ("1.2.3.example", "public"),
    ],
)
def test_how_a_host_is_judged_as_written(host: str, kind: str) -> None:
    assert name_kind(host) == kind
    assert (literal_address(host) is not None) == (kind not in ("local name", "public"))
    assert address_kind("8.8.8.8") == "public"
