"""Helpers for the interoperability tests (tests/test_interop_tools.py): our own reading of the
WARC files, to hold the tools' answers against, and pywb's ``wayback`` run as a real server.

pywb is not a project dependency (2.10 pins ``redis==2.10.6``): .ci/run installs it in a
virtualenv of its own and exports ``PYWB_BIN``, its ``bin`` directory.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from scraper.demo.server import Reply, Request
from tests.conftest import stop_process, tool

PYWB_INSTALL_HINT = (
    "pywb is not installed (it is kept out of the project's extras: pywb 2.10 pins redis==2.10.6). "
    "Install it beside the project as .ci/run does: "
    "python -m venv ~/.cache/newsarchive-tools/pywb && "
    "~/.cache/newsarchive-tools/pywb/bin/pip install 'pywb==2.10.*' && "
    "export PYWB_BIN=~/.cache/newsarchive-tools/pywb/bin"
)
HTTP_TIMEOUT = 10  # seconds, every request to wayback
START_TIMEOUT = 30  # seconds for wayback to listen


def gzip_encoded(request: Request, reply: Reply) -> Reply:
    """Host behaviour: every 200 body sent with ``Content-Encoding: gzip``. Unlike
    ``Reply.gzipped`` the bytes do not carry the time (``mtime=0``), so two fetches of a page
    are identical and the second can be a revisit."""
    if reply.status != 200 or not reply.body:
        return reply
    return replace(
        reply,
        body=gzip.compress(reply.body, 6, mtime=0),
        headers=[*reply.headers, ("Content-Encoding", "gzip")],
    )


def timestamp14(warc_date: str) -> str:
    """The 14-digit timestamp replay tools file a capture under: WARC-Date cut to the second
    (pywb truncates the fraction, it does not round)."""
    return "".join(ch for ch in warc_date[:19] if ch.isdigit())


@dataclass(frozen=True)
class WarcRecord:
    """One record as warcio reads it from our files, with where it sits."""

    file: str  # file name, as the indexers print it
    offset: int
    type: str
    headers: StatusAndHeaders
    http: StatusAndHeaders | None
    payload: bytes  # as stored: still Content-Encoded, never de-compressed

    @property
    def record_id(self) -> str:
        return self.headers.get_header("WARC-Record-ID")

    @property
    def url(self) -> str | None:
        return self.headers.get_header("WARC-Target-URI")

    @property
    def date(self) -> str:
        return self.headers.get_header("WARC-Date")

    @property
    def timestamp(self) -> str:
        return timestamp14(self.date)

    @property
    def profile(self) -> str:
        return (self.headers.get_header("WARC-Profile") or "").rsplit("/", 1)[-1]

    @property
    def status(self) -> str | None:
        return self.http.get_statuscode() if self.http else None


def read_warcs(paths: Iterable[Path]) -> list[WarcRecord]:
    """Every record of ``paths``. Digests are not checked here: ``warcio check`` does that,
    record by record, in its own test."""
    records = []
    for path in paths:
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream)
            for record in iterator:
                payload = record.raw_stream.read()
                is_capture = record.rec_type in ("response", "revisit")
                records.append(
                    WarcRecord(
                        path.name,
                        iterator.get_record_offset(),
                        record.rec_type,
                        record.rec_headers,
                        record.http_headers if is_capture else None,
                        payload,
                    )
                )
    return records


Verdicts = dict[tuple[str, int], list[str]]


def warcio_check(
    files: list[Path], timeout: float = 120
) -> tuple[subprocess.CompletedProcess[str], Verdicts]:
    """``warcio check -v``, and its verdict lines for each record, by (file name, offset)."""
    result = subprocess.run(
        [tool("warcio"), "check", "-v", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    verdicts: Verdicts = {}
    current_file = ""
    current: tuple[str, int] | None = None
    for line in result.stdout.splitlines():
        if not line.startswith(" "):
            current_file = Path(line.strip()).name
        elif line.startswith("  offset "):
            current = (current_file, int(line.split()[1]))
            verdicts[current] = []
        elif current is not None:
            verdicts[current].append(line.strip())
    return result, verdicts


# ---------------------------------------------------------------------------------------- pywb


def find_pywb() -> Path:
    """The ``bin`` directory holding pywb's ``wb-manager`` and ``wayback``: ``PYWB_BIN``, else
    the PATH. Neither: the test is skipped, saying how to install pywb. ``PYWB_BIN`` set but
    wrong is a failure, not a skip: that is CI's set-up broken."""
    configured = os.environ.get("PYWB_BIN")
    if configured:
        bin_dir = Path(configured).expanduser()
        missing = [name for name in ("wb-manager", "wayback") if not (bin_dir / name).is_file()]
        if missing:
            pytest.fail(f"PYWB_BIN={configured} has no {' or '.join(missing)}; {PYWB_INSTALL_HINT}")
        return bin_dir
    found = shutil.which("wb-manager")
    if found and (Path(found).parent / "wayback").is_file():
        return Path(found).parent
    pytest.skip(PYWB_INSTALL_HINT)


@dataclass
class HttpReply:
    status: int
    headers: Message
    body: bytes


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _without_proxies() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}


class Wayback:
    """A pywb collection made with ``wb-manager`` from ``warcs`` in ``root``, served by
    ``wayback`` on 127.0.0.1 until the ``with`` block ends. ``add_options`` go to
    ``wb-manager add`` (``--unpack-wacz`` to add WACZ packages)."""

    def __init__(
        self,
        bin_dir: Path,
        root: Path,
        warcs: list[Path],
        collection: str = "coll",
        add_options: tuple[str, ...] = (),
    ) -> None:
        self.bin_dir, self.root, self.warcs, self.collection = bin_dir, root, warcs, collection
        self.add_options = add_options
        self.added: subprocess.CompletedProcess[str] | None = None  # what wb-manager add said
        self.host = "127.0.0.1"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = root / "wayback.log"

    def _manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.bin_dir / "wb-manager"), *args],
            cwd=self.root,
            env=_without_proxies(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"wb-manager {args[0]}: {result.stderr[-3000:]}"
        return result

    def __enter__(self) -> Wayback:
        self.root.mkdir(parents=True, exist_ok=True)
        self._manage("init", self.collection)
        self.added = self._manage("add", *self.add_options, self.collection, *map(str, self.warcs))
        self.port = free_port(self.host)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(self.bin_dir / "wayback"), "-p", str(self.port), "-b", self.host],
                cwd=self.root,
                env=_without_proxies(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_listening()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_listening(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"wayback exited ({self.process.returncode}): {self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(
            f"wayback not listening on {self.host}:{self.port} after "
            f"{START_TIMEOUT} s: {self.log()}"
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def get(self, path: str, headers: dict[str, str] | None = None) -> HttpReply:
        """GET ``path`` from wayback: http.client, so no proxy, no redirect following and no
        decompression stand between the test and the bytes wayback sent."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=HTTP_TIMEOUT)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return HttpReply(response.status, response.msg, response.read())
        finally:
            connection.close()

    def replay(self, url: str, timestamp: str, headers: dict[str, str] | None = None) -> HttpReply:
        """The capture of ``url`` at ``timestamp`` as archived: ``id_`` asks for the original
        bytes, no rewriting and no banner."""
        return self.get(f"/{self.collection}/{timestamp}id_/{url}", headers)

    def cdx(self, url: str) -> list[dict[str, str]]:
        """The CDX server API's rows for ``url`` (exact match), as JSON objects."""
        reply = self.get(f"/{self.collection}/cdx?" + urlencode({"url": url, "output": "json"}))
        assert reply.status == 200, reply.body[:500]
        return [json.loads(line) for line in reply.body.decode().splitlines() if line.strip()]

    def index_rows(self) -> list[dict[str, str]]:
        """What ``wb-manager add`` indexed: the collection's CDXJ lines, JSON part."""
        rows = []
        indexes = self.root / "collections" / self.collection / "indexes"
        for path in sorted(indexes.glob("*.cdxj")):
            for line in path.read_text().splitlines():
                key, timestamp, data = line.split(" ", 2)
                rows.append({"urlkey": key, "timestamp": timestamp, **json.loads(data)})
        return rows
