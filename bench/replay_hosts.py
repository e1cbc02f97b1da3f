"""Time and peak memory of ``newsarchive replay`` over an archive of many hosts, and of one
WARC carrying thousands of embedded site profiles (issue 21, item 6).

A by-hand benchmark, not a test (tests/test_hostile_profiles.py holds the bounds under a
memory cap):

    python bench/replay_hosts.py --hosts 8000 --site       # one --site adopts every host
    python bench/replay_hosts.py --hosts 8000              # the same pages on one host
    python bench/replay_hosts.py --hosts 2000 --profiles 4000

Each article page is on a host of its own (``--same-host``: all on one), so the replay's
time beside the one-host run shows what choosing a profile per host costs; with
``--profiles``, the WARC starts with that many embedded profiles of different sites, the
first of which is the one its pages belong to.  Prints the wall time, exit status, the
closing line and the peak RSS of the replay process (extraction in-process: --workers 0).
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

from tests.warcs.hostile import write_profiled_warc  # noqa: E402
from tests.warcs.quirks import write_news_profile  # noqa: E402

ARTICLE_URL = r"^/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>[a-z0-9-]+)$"


def profile_text(number: int) -> str:
    return (
        f'name = "site{number}"\nprimary = "http://site{number}.example"\n'
        f"aliases = [\"news.example\"]\narticle_url = '{ARTICLE_URL}'\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=8000)
    parser.add_argument("--profiles", type=int, default=0, help="embedded profiles in the WARC")
    parser.add_argument("--site", action="store_true", help="replay with one --site profile")
    parser.add_argument("--same-host", action="store_true", help="every page on one host")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        warc = Path(work) / "hosts.warc.gz"
        urls = [
            f"http://{'news.example' if options.same_host else f'h{n}.example'}/2024/01/02/a{n}"
            for n in range(options.hosts)
        ]
        texts = [profile_text(n) for n in range(options.profiles)]
        write_profiled_warc(warc, texts, urls)
        replay = ["replay", str(warc), "--out", str(Path(work) / "out"), "--workers", "0"]
        if options.site:
            replay += ["--site", str(write_news_profile(Path(work), "news"))]
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "scraper.cli", *replay, "--quiet"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        print(
            f"{options.hosts} pages on {1 if options.same_host else options.hosts} hosts, "
            f"{options.profiles} embedded profiles{', --site' if options.site else ''}: "
            f"exit {result.returncode} in {elapsed:.1f} s, peak RSS {peak} MB"
        )
        for line in result.stderr.splitlines():
            if line.startswith(("ok:", "failed:", "ALERT", "notice", "Traceback", "MemoryError")):
                print("  " + line[:200])


if __name__ == "__main__":
    main()
