"""Body-extraction quality of ``GenericArticlePage`` on the extraction-benchmark corpus.

A by-hand benchmark, not a test:

    python bench/extraction.py [--corpus DIR] [--worst 10]

The corpus is Scrapinghub's article-extraction-benchmark (``html/<id>.html.gz`` pages and
``ground-truth.json`` mapping each id to ``{"url", "articleBody"}``).  Scored as that
benchmark scores: a text is its ``\\w+`` tokens, a document is the multiset of its 4-token
shingles; precision and recall are computed per document, averaged over documents, and F1
is that of the two means.  Also prints the extractor's ms/page (parse included, one run).
Exits cleanly, with a note, when the corpus is absent.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.sites.generic import GenericArticlePage  # noqa: E402
from scraper.sites.html import decode_html  # noqa: E402

CORPUS = Path("/work/shared/corpus/extraction-benchmark")
SHINGLE = 4
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than n tokens is one (short) shingle, not none.
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens)


def precision_recall(expected: str, got: str) -> tuple[float, float]:
    truth, predicted = shingles(expected), shingles(got)
    tp = sum((truth & predicted).values())
    fp = sum((predicted - truth).values())
    fn = sum((truth - predicted).values())
    if fp == fn == 0:
        return 1.0, 1.0  # both empty, or identical
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def extract(url: str, html: str) -> str:
    item = GenericArticlePage(url, html).to_item()
    return item.body if item is not None else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--worst", type=int, default=0, help="list the N lowest-F1 pages")
    args = parser.parse_args()

    truth_path, html_dir = args.corpus / "ground-truth.json", args.corpus / "html"
    if not truth_path.is_file() or not html_dir.is_dir():
        print(f"corpus not found at {args.corpus}: nothing to score")
        return 0
    truth = json.loads(truth_path.read_text(encoding="utf-8"))

    rows: list[tuple[str, float, float]] = []
    elapsed = 0.0
    for key, record in sorted(truth.items()):
        path = html_dir / f"{key}.html.gz"
        if not path.is_file():
            continue
        html = decode_html(gzip.decompress(path.read_bytes()), "text/html; charset=utf-8")
        start = time.perf_counter()
        body = extract(record.get("url") or f"https://example.com/{key}", html)
        elapsed += time.perf_counter() - start
        rows.append((key, *precision_recall(record.get("articleBody") or "", body)))
    if not rows:
        print(f"no pages in {html_dir}")
        return 0

    precision = sum(r[1] for r in rows) / len(rows)
    recall = sum(r[2] for r in rows) / len(rows)
    print(f"{len(rows)} pages  P {precision:.4f}  R {recall:.4f}  F1 {f1(precision, recall):.4f}"
          f"  {elapsed / len(rows) * 1000:.2f} ms/page")
    for key, p, r in sorted(rows, key=lambda row: f1(row[1], row[2]))[:args.worst]:
        print(f"  {f1(p, r):.3f}  P {p:.3f}  R {r:.3f}  {key[:16]}  {truth[key].get('url', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
