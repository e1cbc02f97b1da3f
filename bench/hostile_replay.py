"""Peak memory of ``newsarchive replay`` on an archive built to take the machine: a response
whose gzip body unpacks to 4 GiB and a 500 MB HTML page, beside an ordinary article.

A by-hand benchmark, not a test (the test, tests/test_hostile_archives.py, uses a smaller
page under a memory cap):

    python bench/hostile_replay.py [--page-mb 500] [--bomb-gib 4]

Prints the archive's size, the replay's wall time, exit status, what it reported, and the
peak RSS of the replay process (target: under 1 GB).
The archive is built in a process of its own: a process forked from one holding the built
page would start with that memory counted as its own.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.warcs.quirks import write_news_profile  # noqa: E402

BUILD = """
import sys
from pathlib import Path
from tests.warcs.hostile import GIB, write_hostile_warc
write_hostile_warc(Path(sys.argv[1]), page_bytes=int(sys.argv[2]) << 20,
                   bomb_bytes=int(sys.argv[3]) * GIB)
"""
# The replay command run in this process, then its peak RSS (the extraction workers are the
# forkserver's children, not this process's: they get only the pages under the limit).
MEASURED_REPLAY = """
import resource, sys
from scraper.cli.main import main
try:
    status = main(sys.argv[1:])
finally:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak RSS of the replay process: {own} MB", file=sys.stderr)
sys.exit(status)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page-mb", type=int, default=500)
    parser.add_argument("--bomb-gib", type=int, default=4)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        warc = Path(work) / "hostile.warc.gz"
        started = time.perf_counter()
        build = [str(warc), str(options.page_mb), str(options.bomb_gib)]
        subprocess.run([sys.executable, "-c", BUILD, *build], cwd=ROOT, check=True)
        print(
            f"archive: {warc.stat().st_size / 1e6:.1f} MB holding a {options.bomb_gib} GiB gzip "
            f"bomb and a {options.page_mb} MB page (built in {time.perf_counter() - started:.0f} s)"
        )
        profile = write_news_profile(Path(work), "hostile")
        out = Path(work) / "out"
        replay = ["replay", str(warc), "--site", str(profile), "--out", str(out)]
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", MEASURED_REPLAY, *replay, "--workers", "1", "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        print(f"replay: exit {result.returncode} in {time.perf_counter() - started:.1f} s")
        for line in result.stderr.splitlines():
            if "too large" in line or line.startswith(("ok:", "failed:", "ALERT", "peak RSS")):
                print("  " + line[:200])


if __name__ == "__main__":
    main()
