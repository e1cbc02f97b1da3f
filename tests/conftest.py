from __future__ import annotations

import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scraper.demo.model import SampleArticle
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from scraper.sites.article import ArticleData
from scraper.sites.generic import GenericArticlePage

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# Options for a crawl of the loopback test site: no politeness delay (it answers in a
# millisecond), pages extracted in the crawl's own process, no progress lines.
FAST_CRAWL = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "NEWSARCHIVE_EXTRACT_WORKERS=0",
    "-s",
    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
]


def newsarchive_command() -> list[str]:
    """The installed console script when there is one, so tests run what users run."""
    script = shutil.which("newsarchive")
    return [script] if script else [sys.executable, "-m", "scraper.cli"]


def run_newsarchive(
    *args: str, timeout: int = 240, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``newsarchive ARGS`` as a user runs it (``prefix``: a wrapper, e.g. ``unshare``)."""
    return subprocess.run(
        [*(prefix or []), *newsarchive_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def crawl_with_an_edit(
    site: LocalSite,
    servers: LoopbackServers,
    work: Path,
    changed: SampleArticle,
    edited: SampleArticle,
) -> tuple[Path, Path]:
    """Two crawls of the local site into WORK/out, ``changed`` replaced by ``edited`` between
    them and refetched, so that article has two versions: (the output directory, the
    profile)."""
    profile = write_profile(work / "localnews.toml", servers.origins)
    out = work / "out"
    for extra in ([], ["--refetch"]):
        if extra:
            site.articles[:] = [edited if a is changed else a for a in site.articles]
            site.rebuild()
        result = run_newsarchive("crawl", str(profile), "--out", str(out), *FAST_CRAWL, *extra)
        assert result.returncode == 0, result.stderr[-3000:]
    return out, profile


@contextmanager
def newsarchive_serve(out: Path) -> Iterator[str]:
    """A real ``newsarchive serve --out OUT`` on a free loopback port: its base URL."""
    process = subprocess.Popen(
        [*newsarchive_command(), "serve", "--out", str(out), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        yield f"http://127.0.0.1:{found.group(1)}"
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:  # type: ignore[type-arg]
    """Ask a server started by a test to stop (SIGTERM); kill it if it has not within
    ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def memory_cap(limit: int) -> Callable[[], None]:
    """A ``preexec_fn`` that caps the child's address space at ``limit`` bytes: tests that
    feed hostile input run where a bound that fails cannot take the shared machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap


def run_capped(program: str, timeout: float, memory: int = 2 << 30) -> subprocess.CompletedProcess:
    """``program`` run by this Python in a child capped at ``memory`` bytes and ``timeout``
    seconds, its output captured: hostile pages are read there, never in the test run."""
    return subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        timeout=timeout,
        preexec_fn=memory_cap(memory),
    )


def read_item(url: str, html: str) -> ArticleData:
    """What the generic page object reads from a synthetic page: there must be an article."""
    item = GenericArticlePage(url, html).to_item()
    assert item is not None
    return item


def read_body(url: str, html: str) -> str:
    return read_item(url, html).body


def body_length_capped(page_code: str, timeout: float) -> int:
    """The length of the body the generic page object reads from a hostile page, in a
    capped child: ``page_code`` is Python that sets ``page`` to the HTML."""
    program = (
        f"{page_code}\nfrom scraper.sites.generic import GenericArticlePage\n"
        "item = GenericArticlePage('https://example.com/page', page).to_item()\n"
        "print(len(item.body) if item else 0)\n"
    )
    result = run_capped(program, timeout)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    return int(result.stdout)


def tool(name: str) -> str:
    """A command-line tool installed beside this Python (warcio, cdxj-indexer…)."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed: pip install '.[test]'")
    return found


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared corpus not present")
    return SHARED / "corpus"


@pytest.fixture(scope="module")
def local_site() -> Iterator[tuple[LocalSite, LoopbackServers]]:
    """The Press TV-like site with its bad pages, on three loopback hosts."""
    articles = generate_articles(60)
    site = LocalSite(articles, with_bad_pages=True, hidden_ids={articles[-1].id, articles[-2].id})
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) as servers:
        yield site, servers
