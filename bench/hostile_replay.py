"""Peak memory of ``newsarchive replay`` on an archive built to take the machine: a response
whose gzip body unpacks to 4 GiB and a 500 MB HTML page, beside an ordinary article.

A by-hand benchmark, not a test (the test, tests/test_hostile_archives.py, uses a smaller
page under a memory cap):

    python bench/hostile_replay.py [--page-mb 500] [--bomb-gib 4]

Prints the archive's size, the replay's wall time, exit status, what it reported, and the
peak RSS of the replay process and of its largest extraction worker (target: under 1 GB).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.warcs.hostile import GIB, write_hostile_warc  # noqa: E402
from tests.warcs.quirks import HOST  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-mb", type=int, default=500)
    parser.add_argument("--bomb-gib", type=int, default=4)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        warc = Path(work) / "hostile.warc.gz"
        started = time.perf_counter()
        write_hostile_warc(
            warc, page_bytes=options.page_mb << 20, bomb_bytes=options.bomb_gib * GIB
        )
        print(
            f"archive: {warc.stat().st_size / 1e6:.1f} MB holding a {options.bomb_gib} GiB gzip "
            f"bomb and a {options.page_mb} MB page (built in {time.perf_counter() - started:.0f} s)"
        )
        profile = Path(work) / "hostile.toml"
        profile.write_text(
            f'name = "hostile"\nprimary = "http://{HOST}"\n'
            "article_url = '^/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/(?P<id>[a-z]+)$'\n"
            'extractor = "generic"\n'
        )
        started = time.perf_counter()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "scraper.cli",
                "replay",
                str(warc),
                "--site",
                str(profile),
                "--out",
                str(Path(work) / "out"),
                "--workers",
                "1",
                "--quiet",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(f"replay: exit {result.returncode} in {wall:.1f} s")
        for line in result.stderr.splitlines():
            if "too large" in line or line.startswith(("ok:", "failed:", "ALERT")):
                print("  " + line[:200])
        print(f"peak RSS of the largest process (replay or a worker): {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
