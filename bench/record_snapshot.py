"""Records and run reports of two checkouts, compared: a refactoring must change neither.

    python bench/record_snapshot.py OLD_CHECKOUT [NEW_CHECKOUT] [--articles 150]

Each checkout crawls the local multi-host site (loopback servers; nothing else is contacted)
twice, as ``bench/replay.py`` does: a first run, then a ``--refetch`` run starting on the other
mirror. Every JSON record and every run report is read back with what differs between any two
runs of the same code set aside (run ids, times, ports, Scrapy's stats; WARC names and
offsets, the order of a record's URLs and the report's examples, which follow the order pages
happened to arrive in), and the two snapshots are compared: the first difference is printed
and the exit status is 1. NEW_CHECKOUT defaults to this one.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# what two runs of the same code never share (a report's examples are the first few records
# in the order pages arrived)
VOLATILE_KEYS = {
    "fetched_at",
    "run_id",
    "started_at",
    "finished_at",
    "offset",
    "filename",
    "missing_examples",
}
VOLATILE_TEXT = [
    (re.compile(r"(127\.0\.0\.\d+):\d+"), r"\1:PORT"),
    (re.compile(r"\d{8}T?\d{6,}[\w-]*"), "TIME"),
    (re.compile(r"urn:uuid:[0-9a-f-]+"), "UUID"),
    (re.compile(r"/tmp/[^\s'\"]+"), "PATH"),
]


# lists in the order things were seen, which two runs of the same code need not share
ORDERLESS_KEYS = {"urls"}


def settled(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            settled(key): sorted(settled(item)) if key in ORDERLESS_KEYS else settled(item)
            for key, item in sorted(value.items())
            if key not in VOLATILE_KEYS and not re.search("time|latency|elapsed|seconds|_s$", key)
        }
    if isinstance(value, list):
        return [settled(item) for item in value]
    if isinstance(value, str):
        for pattern, stand_in in VOLATILE_TEXT:
            value = pattern.sub(stand_in, value)
    return value


def snapshot(checkout: Path, articles: int) -> dict[str, Any]:
    """The checkout's crawls, read back (``--take``: a process of its own per checkout)."""
    sys.path[:0] = [str(checkout / "bench"), str(checkout)]
    from replay import archive_site  # the checkout's, which crawls with the checkout's code

    with tempfile.TemporaryDirectory() as tmp:
        archive_site(articles, Path(tmp))
        out = Path(tmp) / "crawl"
        records = [
            settled(json.loads(line))
            for path in sorted((out / "json").rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        reports = []
        for path in sorted((out / "runs").glob("*.json")):
            report = json.loads(path.read_text(encoding="utf-8"))
            report.pop("stats", None)  # Scrapy's own counters: timings, bytes, memory
            reports.append(settled(report))
    records.sort(key=lambda r: (r["id"], r["version"]))
    return {"records": records, "reports": reports}


def take(checkout: Path, articles: int) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--take", str(checkout), "--articles", str(articles)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"{checkout}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def first_difference(old: Any, new: Any, where: str = "") -> str | None:
    if type(old) is not type(new):
        return f"{where}: {old!r} -> {new!r}"
    if isinstance(old, dict):
        for key in sorted(set(old) | set(new)):
            if key not in old or key not in new:
                return f"{where}.{key}: only in {'new' if key not in old else 'old'}"
            found = first_difference(old[key], new[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(old, list):
        if len(old) != len(new):
            return f"{where}: {len(old)} items -> {len(new)}"
        for number, (a, b) in enumerate(zip(old, new)):
            found = first_difference(a, b, f"{where}[{number}]")
            if found:
                return found
        return None
    return None if old == new else f"{where}: {old!r} -> {new!r}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("old", type=Path, nargs="?")
    parser.add_argument("new", type=Path, nargs="?", default=REPO)
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--take", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.take:
        json.dump(snapshot(args.take.resolve(), args.articles), sys.stdout)
        return
    if args.old is None:
        parser.error("name the checkout to compare with")
    old, new = take(args.old.resolve(), args.articles), take(args.new.resolve(), args.articles)
    print(
        f"{len(old['records'])} records and {len(old['reports'])} run reports before, "
        f"{len(new['records'])} and {len(new['reports'])} after"
    )
    difference = first_difference(old, new)
    if difference:
        print(f"differ: {difference}")
        sys.exit(1)
    print("the same, field for field (run ids, times, ports and WARC positions aside)")


if __name__ == "__main__":
    main()
