"""A real ``redis-server`` for tests and benchmarks: on a free loopback port, in a temporary
directory, without persistence (``--save '' --appendonly no``), stopped afterwards.

``.ci/run`` installs redis-server where it is missing; without it, tests that need it skip.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import stop_process

REDIS_SERVER = shutil.which("redis-server") or (
    "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
)

needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed (apt-get install redis-server)"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def redis_server(directory: Path | None = None, maxmemory: str | None = None) -> Iterator[str]:
    """Start redis-server on 127.0.0.1 and yield its URL (``redis://127.0.0.1:PORT/0``)."""
    if REDIS_SERVER is None:
        raise FileNotFoundError("redis-server is not installed")
    import redis

    with tempfile.TemporaryDirectory(prefix="redis-", dir=directory) as work:
        for _attempt in range(5):  # the free port may be taken between probe and bind
            port = _free_port()
            command = [
                REDIS_SERVER,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                work,
                "--protected-mode",
                "yes",
                "--logfile",
                str(Path(work) / "redis.log"),
            ]
            if maxmemory:
                command += ["--maxmemory", maxmemory]
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            url = f"redis://127.0.0.1:{port}/0"
            client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
            deadline = time.monotonic() + 10
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.02)
            else:
                process.kill()
                process.wait()
                client.close()
                continue
            client.close()
            try:
                yield url
            finally:
                stop_process(process)
            return
        raise RuntimeError("could not start redis-server on a loopback port")


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A redis-server of this test module's own."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def flush(url: str) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushdb()
