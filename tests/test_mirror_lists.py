"""Published mirror lists (issue 25, item 1): Bypass Censorship's ``mirrorSites.json`` in both
formats read into typed entries (real excerpts in ``tests/fixtures/mirror_lists/``), a list
fetched by URL kept under ``OUT/state/`` and used when the next fetch fails, an unreadable
list one warning line; the profile's ``mirror_lists`` and ``[access] tor`` keys."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from archive.mirror_list_source import cached_copy, read_mirror_lists
from archive.mirror_lists import MAX_LIST_BYTES, MirrorListError, parse_mirror_list
from scraper.sites.profile import ProfileError, parse_profile
from scraper.sites.site_access import is_onion
from tests.conftest import memory_cap

FIXTURES = Path(__file__).parent / "fixtures" / "mirror_lists"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_v2_entries_are_typed_and_found_by_main_domain() -> None:
    listed = parse_mirror_list(fixture("mirrorSites_v2.json"), "mirrorSites.json")
    assert (listed.version, listed.sites, listed.skipped) == (2, 4, 0)
    farda = listed.for_domains(["www.radiofarda.com"])  # www. or not, as the profile has it
    assert [(e.proto, e.kind, e.onion) for e in farda] == [
        ("tor", "eotk", True),
        ("https", "mirror", False),
    ]
    assert farda[1].origin == "https://d2wfeulciyv7sy.cloudfront.net"
    assert farda[1].created_at == "2026-05-27T12:48:02.725007+00:00"
    assert farda[0].origin.endswith(".onion") and farda[0].origin.startswith("https://www.")
    assert listed.for_domains(["presstv.ir"]) == []


def test_v1_mirrors_are_https_hosts_and_onions_http() -> None:
    listed = parse_mirror_list(fixture("mirrorSites_v1.json"), "v1")
    assert listed.version == 1
    urdu = listed.for_domains(["urduvoa.com"])
    assert [e.origin for e in urdu] == [
        "https://uvoa1.global.ssl.fastly.net",
        "https://d2ipxb4xuzc3f8.cloudfront.net",
        "http://urdvoauhitx5icb5.onion",
    ]
    assert [e.proto for e in urdu] == ["https", "https", "tor"]


def test_ipfs_entries_are_ignored_with_a_count_and_odd_entries_skipped() -> None:
    data = {
        "version": "2.0",
        "sites": [
            {
                "main_domain": "example.org",
                "available_alternatives": [
                    {"proto": "https", "type": "ipfs", "url": "", "created_at": "x"},
                    {"proto": "https", "type": "mirror", "url": "https://m.example.net/"},
                    {"proto": "https", "type": "mirror", "url": "https://m.example.net"},
                    {"proto": "https", "type": "mirror", "url": "https://p.example.net/path"},
                    {"proto": "ftp", "type": "mirror", "url": "ftp://f.example.net"},
                    {"proto": "https", "type": "mirror", "url": "https://[::1"},
                    {"proto": "https", "type": "mirror", "url": 12},
                    "not an entry",
                ],
            },
            {"main_domain": "other.org", "available_ipfs_nodes": ["QmQ9GrEC5MVVb69HE2th"]},
            {"no": "main domain"},
        ],
    }
    listed = parse_mirror_list(json.dumps(data).encode(), "inline")
    assert [e.origin for e in listed.entries] == ["https://m.example.net"]  # listed twice: one
    assert listed.ipfs_for(["example.org"]) == 1 and listed.ipfs_for(["other.org"]) == 1
    assert listed.skipped == 6


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "not JSON"),
        (b"<html>blocked</html>", "not JSON"),
        (b'{"sites": 3}', "no list of sites"),
        (b'{"sites": [{"x": 1}]}', "no site with a main_domain"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    ],
)
def test_what_is_no_mirror_list_is_one_reason(data: bytes, problem: str) -> None:
    with pytest.raises(MirrorListError, match=problem):
        parse_mirror_list(data, "bad")


def test_a_huge_list_is_refused_under_a_memory_cap(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:  # sparse: only the bound is read
        file.truncate(MAX_LIST_BYTES * 4)
    script = (
        "import sys; from archive.mirror_list_source import read_mirror_lists as r; "
        "print(r([sys.argv[1]], __import__('pathlib').Path(sys.argv[2]), print))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(huge), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=memory_cap(1 << 30),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "larger than 16 MB; the run goes on without it" in result.stdout
    assert result.stdout.strip().endswith("[]")


@contextmanager
def serving(pages: dict[str, bytes]) -> Iterator[str]:
    """A loopback HTTP server of ``pages`` (path -> body; others 404)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_list_by_url_is_kept_and_its_copy_used_when_the_fetch_fails(tmp_path: Path) -> None:
    cache = tmp_path / "state" / "site.mirror-lists"
    warnings: list[str] = []
    pages = {"/mirrorSites.json": fixture("mirrorSites_v2.json")}
    with serving(pages) as origin:
        url = f"{origin}/mirrorSites.json"
        [fetched] = read_mirror_lists([url], cache, warnings.append)
        assert warnings == [] and fetched.sites == 4
        copy = cached_copy(cache, url)
        assert copy.path.parent == cache and copy.path.name.startswith("mirrorSites.json-")
        assert copy.path.read_bytes() == pages["/mirrorSites.json"]
        assert copy.age() is not None
        pages["/mirrorSites.json"] = b"<html>censored</html>"  # a block page: not a list
        [again] = read_mirror_lists([url], cache, warnings.append)
        missing = read_mirror_lists([f"{origin}/gone.json"], cache, warnings.append)
    assert again.sites == 4 and missing == []
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith(f"mirror list {url} not fetched: not JSON")
    assert "using the copy fetched" in warnings[0] and " ago" in warnings[0]
    assert warnings[1] == (
        f"mirror list {origin}/gone.json not read: Not Found; the run goes on without it"
    )
    # the copy a block page did not replace
    assert cached_copy(cache, url).path.read_bytes() == fixture("mirrorSites_v2.json")


def test_an_unreadable_file_is_one_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    got = read_mirror_lists(
        [str(tmp_path / "nowhere.json"), str(FIXTURES / "mirrorSites_v1.json")],
        tmp_path,
        warnings.append,
    )
    assert [g.version for g in got] == [1]
    assert warnings == [
        f"mirror list {tmp_path / 'nowhere.json'} not read: No such file or directory; "
        "the run goes on without it"
    ]


PROFILE = """
name = "localnews"
primary = "https://www.example.org"
article_url = "^/a/"
"""


def test_profile_keys_mirror_lists_and_tor() -> None:
    profile = parse_profile(
        PROFILE
        + 'mirror_lists = ["lists/mirrorSites.json", "https://example.net/m.json"]\n'
        + '[access]\ntor = "socks5h://127.0.0.1:9050"\n'
        + '[access.mirror_proxies]\n"http://own.onion" = "socks5h://127.0.0.1:9150"\n'
    )
    assert profile.mirror_lists == ("lists/mirrorSites.json", "https://example.net/m.json")
    access = profile.access
    assert access.proxy_for("https://abc.onion") == "socks5h://127.0.0.1:9050"
    assert access.proxy_for("http://own.onion") == "socks5h://127.0.0.1:9150"  # its own
    assert access.proxy_for("https://www.example.org") is None  # not through Tor
    assert parse_profile(PROFILE).access.proxy_for("http://abc.onion") is None


def test_an_onion_never_goes_through_the_site_proxy() -> None:
    profile = parse_profile(PROFILE + '[access]\nproxy = "http://proxy.internal:3128"\n')
    assert profile.access.proxy_for("https://www.example.org") == "http://proxy.internal:3128"
    assert profile.access.proxy_for("http://abc.onion") is None


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('tor = "socks5://127.0.0.1:9050"', "must be socks5h:// or socks4a://"),
        ('tor = "http://127.0.0.1:8118"', "must be socks5h:// or socks4a://"),
        ("tor = 9050", "access.tor must be a string"),
    ],
)
def test_a_tor_proxy_that_would_resolve_onions_locally_is_refused(table: str, problem: str) -> None:
    with pytest.raises(ProfileError, match=problem):
        parse_profile(PROFILE + f"[access]\n{table}\n")


def test_mirror_lists_key_is_checked() -> None:
    with pytest.raises(ProfileError, match="must be a list of strings"):
        parse_profile(PROFILE + "mirror_lists = [1]\n")
    with pytest.raises(ProfileError, match="mirror_lists URL"):
        parse_profile(PROFILE + 'mirror_lists = ["https://[::1/x.json"]\n')


def test_onion_hosts() -> None:
    assert is_onion("abc.onion") and is_onion("http://ABC.onion:80") and is_onion("x.onion.")
    assert not is_onion("onion.example") and not is_onion("https://x.onion.test")
    assert not is_onion("http://[::1")


def test_a_tor_option_that_would_resolve_onions_locally_is_one_line() -> None:
    from tests.conftest import run_newsarchive

    result = run_newsarchive("crawl", "presstv", "--tor", "socks5://127.0.0.1:9050", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "newsarchive: error: --tor 'socks5://127.0.0.1:9050' must be socks5h:// or socks4a:// "
        "(Tor resolves .onion names; the crawler must not), like socks5h://127.0.0.1:9050"
    ]


def test_a_list_naming_thousands_of_mirrors_hands_on_a_bounded_number(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from scraper.spiders.listed_mirrors import MAX_LISTED, listed_candidates

    alternatives = [
        {"proto": "https", "type": "mirror", "url": f"https://m{n}.example.net"}
        for n in range(5000)
    ]
    alternatives.append({"proto": "tor", "type": "eotk", "url": "http://first.onion"})
    document = {"sites": [{"main_domain": "example.org", "available_alternatives": alternatives}]}
    (tmp_path / "list.json").write_text(json.dumps(document))
    profile = parse_profile(PROFILE + 'mirror_lists = ["list.json"]\n', str(tmp_path / "p.toml"))
    counted: dict[str, int] = {}
    stats = SimpleNamespace(inc_value=lambda k, n=1: counted.__setitem__(k, counted.get(k, 0) + n))
    crawler = SimpleNamespace(settings={"ARCHIVE_DIR": str(tmp_path / "out")}, stats=stats)
    found = listed_candidates(crawler, profile)  # type: ignore[arg-type]
    assert len(found) == MAX_LISTED and found[0] == (
        "https://m0.example.net",
        str(tmp_path / "list.json"),
    )
    assert all(not origin.endswith(".onion") for origin, _ in found)  # onions after the others
    assert counted == {
        "mirror_lists/read": 1,
        "mirror_lists/entries": 5001,
        "mirror_lists/ipfs_ignored": 0,
    }
