"""Rebuild the extra extraction corpora (issue 26) from pinned public repositories.

    python bench/corpora.py [--into DIR] [--mirrors DIR]

The corpora are too large for this repository, so they are rebuilt, byte for byte the same
on every machine, from a snapshot of each source repository at a pinned commit (read with
``git show <commit>:<path>``; nothing is downloaded here: get the snapshot once, e.g. with the
tool library's ``fetch``, then point ``--mirrors`` at the directory holding
``<owner>+<name>/repo`` git directories, or at a plain clone's ``.git``).  They go under
``--into`` (default ``$NEWSARCHIVE_CORPORA``, else ``/work/corpora``), one directory per
corpus in one common format, which ``bench/corpora_read.py`` reads:

* ``SOURCE.json``: repository, commit, licence, what was taken and what was left out;
* ``pages.jsonl``: one page a line: ``id``, ``url``, ``publisher`` (what the halves are
  split by, ``bench/corpus_halves.py``), ``html`` (the page, relative path) and its ground
  truth: ``body`` (expected text, scored by shingles) or ``with`` / ``without`` (snippets that
  must / must not be in the text, scored as trafilatura's evaluation scores them), and
  ``title`` where the source has one;
* ``html/<id>.html.gz``: the page as the source holds it.

Sources and licences (each repository's own licence covers the test data it ships):

* ``trafilatura-eval``: adbar/trafilatura ``tests/evaldata.json`` with its pages
  (``tests/cache/``, ``tests/eval/``).  Apache-2.0 (the repository's LICENSE).  ~990 pages,
  many publishers and languages; the pages are third parties' web pages kept as test data.
* ``readability``: mozilla/readability ``test/test-pages/<name>/source.html`` with
  ``expected.html`` (body) and ``expected-metadata.json`` (title).  Apache-2.0 (LICENSE.md,
  NOTICE).  Pages under 8,000 bytes are Readability's hand-built unit cases (lorem ipsum,
  one tag each), not real pages, and are left out.
* ``wcxb-articles``: WCXB, the Web Content eXtraction Benchmark v1.0 (Murrough-Foley/
  web-content-extraction-benchmark): its pages typed ``article`` (news, blogs, guides,
  reviews) from both its dev and test splits, ``main_content`` as the body, ``title`` as the
  title.  CC-BY-4.0 (its LICENSE; attribution: Murrough Foley, WCXB, 2026).  Its other page
  types (products, forums, listings, …) are not what a news archive extracts and are left
  out; its own dev/test split is replaced by the halves by publisher.
* Bevendorff et al. 2023 (chatnoir-eu/web-content-extraction-benchmark, CleanEval, Dragnet,
  L3S-GN1, Google-Trends-2017, …; Apache-2.0 for the code): the repository holds its data
  only as Git LFS pointers (``datasets/combined.tar.xz``, ``datasets/raw.tar.xz``: 133-byte
  pointer files, the 50 MB objects are not in the snapshot), so it cannot be rebuilt here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_halves import publisher_of_url  # noqa: E402

DEFAULT_INTO = Path(os.environ.get("NEWSARCHIVE_CORPORA") or "/work/corpora")
DEFAULT_MIRRORS = Path("/work/.mirror")

TRAFILATURA = {
    "repository": "adbar/trafilatura",
    "commit": "e90b0ef51ab026fdb905fb6c5b3c84dd3d784fd5",
    "licence": "Apache-2.0 (LICENSE)",
}
READABILITY = {
    "repository": "mozilla/readability",
    "commit": "ab4027a8b37669745016869a37a504727992b2ba",
    "licence": "Apache-2.0 (LICENSE.md, NOTICE)",
}
WCXB = {
    "repository": "Murrough-Foley/web-content-extraction-benchmark",
    "commit": "c039d5ee9f5a3a984a0e167e63aacd04e76e78a9",
    "licence": "CC-BY-4.0 (LICENSE; Murrough Foley, WCXB 2026)",
}
READABILITY_MIN_BYTES = 8000  # below: Readability's hand-built unit cases, not real pages
FAKEHOST = "http://fakehost/test/page.html"  # the URL Readability's own tests use


class Git:
    """Reads files of one commit of a bare or plain git directory."""

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir, self.commit = git_dir, commit
        self.run("cat-file", "-e", f"{commit}^{{commit}}")  # fails loudly when not there

    def run(self, *args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", str(self.git_dir), *args], check=True, capture_output=True
        ).stdout

    def ls(self, path: str) -> list[str]:
        out = self.run("ls-tree", "-r", "-z", "--name-only", self.commit, "--", path)
        return [name for name in out.decode("utf-8").split("\0") if name]

    def show(self, path: str) -> bytes:
        return self.run("show", f"{self.commit}:{path}")


def git_dir_of(mirrors: Path, repository: str) -> Path:
    owner_name = repository.replace("/", "+")
    for candidate in (mirrors / owner_name / "repo", mirrors / owner_name / ".git", mirrors):
        if (candidate / "HEAD").is_file():
            return candidate
    raise SystemExit(f"no git directory for {repository} under {mirrors}")


def write_corpus(into: Path, source: dict[str, Any], pages: list[tuple[dict, bytes]]) -> None:
    into.mkdir(parents=True, exist_ok=True)
    (into / "html").mkdir(exist_ok=True)
    with (into / "pages.jsonl").open("w", encoding="utf-8") as out:
        for record, html in pages:
            (into / record["html"]).write_bytes(gzip.compress(html, mtime=0))
            out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    source = {**source, "pages": len(pages)}
    text = json.dumps(source, ensure_ascii=False, indent=2) + "\n"
    (into / "SOURCE.json").write_text(text, encoding="utf-8")
    print(f"{into}: {len(pages)} pages from {source['repository']}@{source['commit'][:12]}")


def _safe_id(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_")[:120]


def build_trafilatura(git: Git, into: Path) -> None:
    evaldata = json.loads(git.show("tests/evaldata.json"))
    files = {Path(p).name: p for d in ("tests/cache", "tests/eval") for p in git.ls(d)}
    pages, seen = [], set()
    for url, item in sorted(evaldata.items()):
        path = files.get(item["file"])
        if path is None:  # trafilatura's own evaluation refuses such an entry too
            raise SystemExit(f"{url}: page {item['file']!r} not in the snapshot")
        page_id = _safe_id(item["file"].removesuffix(".html"))
        assert page_id not in seen, page_id
        seen.add(page_id)
        record = {
            "id": page_id,
            "url": url,
            "publisher": publisher_of_url(url),
            "html": f"html/{page_id}.html.gz",
            "with": item["with"],
            "without": item["without"],
            "file": path,
        }
        pages.append((record, git.show(path)))
    source = {
        **TRAFILATURA,
        "taken": "tests/evaldata.json (with/without snippets) + tests/cache, tests/eval pages",
        "scoring": "snippets, as trafilatura's tests/eval_common.py count_item",
    }
    write_corpus(into, source, pages)


_CANONICAL = re.compile(
    rb"<(?:link[^>]+rel=[\"']canonical[\"'][^>]*|meta[^>]+property=[\"']og:url[\"'][^>]*)>", re.I
)
_HREF = re.compile(rb"(?:href|content)=[\"'](https?://[^\"']+)[\"']", re.I)


def canonical_url(html: bytes) -> str | None:
    for tag in _CANONICAL.finditer(html):
        href = _HREF.search(tag[0])
        if href:
            return href[1].decode("utf-8", "replace")
    return None


def build_readability(git: Git, into: Path) -> None:
    from bench.extraction import html_paragraphs  # the converter the peers' HTML gets too

    base = "test/test-pages"
    names = sorted({p.split("/")[2] for p in git.ls(base)})
    pages, synthetic = [], []
    for name in names:
        html = git.show(f"{base}/{name}/source.html")
        if len(html) < READABILITY_MIN_BYTES:
            synthetic.append(name)
            continue
        metadata = json.loads(git.show(f"{base}/{name}/expected-metadata.json"))
        expected = git.show(f"{base}/{name}/expected.html").decode("utf-8")
        url = canonical_url(html)
        publisher = publisher_of_url(url) if url else re.sub(r"-\d+$", "", name)
        record = {
            "id": name,
            "url": url or FAKEHOST,
            "publisher": publisher,
            "html": f"html/{name}.html.gz",
            "body": html_paragraphs(expected),
            "title": metadata.get("title"),
        }
        pages.append((record, html))
    source = {
        **READABILITY,
        "taken": "test/test-pages/*/source.html, expected.html (text), expected-metadata.json",
        "left_out": {f"under {READABILITY_MIN_BYTES} bytes (hand-built unit cases)": synthetic},
        "scoring": "body: shingle P/R on expected.html's text; title: exact",
        "publisher": "the canonical or og:url's registered domain, else the test's name",
    }
    write_corpus(into, source, pages)


def build_wcxb(git: Git, into: Path) -> None:
    types = json.loads(git.show("metadata.json"))["files"]  # file id -> split, page_type
    pages, left_out = [], {}
    for split in ("dev", "test"):
        for path in git.ls(f"{split}/ground-truth"):
            file_id = Path(path).stem
            data = json.loads(git.show(path))
            kind = (types.get(file_id) or {}).get("page_type")
            truth = data.get("ground_truth") or {}
            if kind != "article" or not (truth.get("main_content") or "").strip():
                left_out[str(kind)] = left_out.get(str(kind), 0) + 1
                continue
            page_id = f"{split}-{file_id}"
            html = gzip.decompress(git.show(f"{split}/html/{file_id}.html.gz"))
            record = {
                "id": page_id,
                "url": data["url"],
                "publisher": publisher_of_url(data["url"]),
                "html": f"html/{page_id}.html.gz",
                "body": truth["main_content"],
                "title": truth.get("title"),
            }
            pages.append((record, html))
    source = {
        **WCXB,
        "taken": "{dev,test}/ground-truth/*.json typed article (main_content, title) + html",
        "left_out": {"page types other than article, or no main_content": left_out},
        "scoring": "body: shingle P/R on main_content (WCXB's own is bag-of-words F1); "
        "title: exact",
    }
    write_corpus(into, source, pages)


BUILDERS = {
    "trafilatura-eval": (TRAFILATURA, build_trafilatura),
    "readability": (READABILITY, build_readability),
    "wcxb-articles": (WCXB, build_wcxb),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--into", type=Path, default=DEFAULT_INTO)
    parser.add_argument("--mirrors", type=Path, default=DEFAULT_MIRRORS)
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append")
    args = parser.parse_args()
    for name in args.only or sorted(BUILDERS):
        pin, build = BUILDERS[name]
        build(Git(git_dir_of(args.mirrors, pin["repository"]), pin["commit"]), args.into / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
