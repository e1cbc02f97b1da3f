"""Our WARC reader beside warcio and FastWARC: speed on clean files, and how much of a
damaged file each reads.  The figures behind keeping our own framing (issue 14).

A by-hand benchmark, not a test:

    python bench/warc_readers.py [--records 5000]

Speed: every record of a clean gzip WARC (one member a record, 70 KB article pages) read
with its payload, best of three.  Damage: 50 records with one fault each way writers and
disks make them (a flipped byte in a member, garbage between members, a member cut short,
whole-file gzip, a Content-Length that lies in a plain WARC); how many of the 49-50 intact
records each reader returns.  FastWARC is the ``bench`` extra; skipped when absent.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warcio.archiveiterator import ArchiveIterator

from archive.warc_reader import iter_records
from tests.warcs.quirks import PAGE, gz, http_head, response

# A reader yields one payload per response record it reads.
Reader = Callable[[Path], Iterator[bytes]]


def ours(path: Path) -> Iterator[bytes]:
    for record in iter_records(path):
        if record.type == "response":
            yield record.payload


def warcio(path: Path) -> Iterator[bytes]:
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                yield record.content_stream().read()


def fastwarc(path: Path) -> Iterator[bytes]:
    from fastwarc.warc import ArchiveIterator as FastIterator
    from fastwarc.warc import WarcRecordType

    with path.open("rb") as stream:
        for record in FastIterator(stream, record_types=WarcRecordType.response, parse_http=True):
            yield record.reader.read()


def read_all(read: Reader, path: Path) -> tuple[int, str]:
    """How many responses ``read`` gives, and why it stopped early ("" if it did not)."""
    count = 0
    try:
        for _ in read(path):
            count += 1
    except Exception as exc:  # a reader that gives up: the rest of the file is lost to it
        return count, type(exc).__name__
    return count, ""


def readers() -> dict[str, Reader]:
    found: dict[str, Reader] = {"ours": ours, "warcio": warcio}
    try:
        import fastwarc as _  # noqa: F401
    except ImportError:
        print("fastwarc: not installed, skipped (pip install -e '.[bench]')")
    else:
        found["fastwarc"] = fastwarc
    return found


def records(count: int, page: bytes = PAGE) -> list[bytes]:
    return [
        response(http_head(), page, url=f"http://news.example/2024/01/02/a{n}")
        for n in range(count)
    ]


def damaged_files() -> dict[str, bytes]:
    plain = records(50)
    members = [gz(record) for record in plain]
    flipped = bytearray(members[20])
    flipped[len(flipped) // 2] ^= 0xFF
    joined = b"".join(plain)
    start = joined.index(b"Content-Length: ", joined.index(b"/a25"))
    end = joined.index(b"\r\n", start)
    lying = str(int(joined[start + 16 : end]) + 5).encode()
    return {
        "flipped byte in one member": b"".join([*members[:20], bytes(flipped), *members[21:]]),
        "garbage between two members": b"".join(members[:11])
        + b"GARBAGE" * 10
        + b"".join(members[11:]),
        "one member cut short": b"".join(
            [*members[:30], members[30][: len(members[30]) // 2], *members[31:]]
        ),
        "whole-file gzip": gzip.compress(joined),
        "a Content-Length 5 too long": joined[:start] + b"Content-Length: " + lying + joined[end:],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    options = parser.parse_args()
    chosen = readers()
    with tempfile.TemporaryDirectory() as work:
        clean = Path(work) / "clean.warc.gz"
        page = PAGE * 20  # about a real article page's size
        clean.write_bytes(b"".join(gz(record) for record in records(options.records, page)))
        print(f"clean: {options.records} records, {clean.stat().st_size / 1e6:.1f} MB gzip")
        for name, read in chosen.items():
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                count, _ = read_all(read, clean)
                best = min(best, time.perf_counter() - started)
            print(
                f"  {name:9s} {count:6d} records in {best:5.2f} s = {count / best:8.0f} records/s"
            )
        print("damaged: responses read of 50 (49 intact where one record is damaged)")
        for case, data in damaged_files().items():
            path = Path(work) / "damaged.warc.gz"
            path.write_bytes(data)
            cells = []
            for name, read in chosen.items():
                count, stopped = read_all(read, path)
                cells.append(f"{name} {count:2d}" + (f" (then {stopped})" if stopped else ""))
            print(f"  {case:30s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
