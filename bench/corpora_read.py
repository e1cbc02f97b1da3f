"""Read and score the corpora ``bench/corpora.py`` rebuilds (issue 26).

Each corpus directory holds ``pages.jsonl`` and ``html/<id>.html.gz``; a page's ground
truth is either an expected ``body`` (scored by 4-token shingles, as the extraction
benchmark scores: P and R per page, averaged, F1 of the means) or ``with`` / ``without``
snippets (scored as trafilatura's own evaluation, ``tests/eval_common.py``: after
whitespace normalisation a "with" snippet found is a true positive, one missing a false
negative, a "without" snippet found a false positive; P, R and F1 of the counts pooled over
the pages).  A page's own F1 (what "under 0.5" means) is that of its own counts or its own
shingle P and R.  Titles, where a corpus has them, are scored exact (``title_exact``).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus_halves import half_of
from bench.extraction import f1, mean, precision_recall, title_exact, title_loose
from scraper.sites.html import decode_html


@dataclass
class CorpusPage:
    corpus: str
    id: str
    url: str
    publisher: str
    path: Path
    body: str | None = None  # expected text, or None when the truth is snippets
    with_: list[str] | None = None
    without: list[str] | None = None
    title: str | None = None

    @property
    def half(self) -> str:
        return half_of(self.publisher)

    def html(self) -> str:
        # No HTTP header: the page's BOM or <meta> charset decides, else detection.
        return decode_html(gzip.decompress(self.path.read_bytes()), None)


@dataclass
class Corpus:
    name: str
    source: dict[str, Any]
    pages: list[CorpusPage]

    @property
    def snippets(self) -> bool:
        return any(p.with_ is not None for p in self.pages)

    @property
    def titled(self) -> bool:
        return any(p.title for p in self.pages)


def load_corpora(root: Path) -> list[Corpus]:
    """Every corpus under ``root`` (a directory with ``pages.jsonl``), by name."""
    corpora = []
    for directory in sorted(p for p in root.iterdir() if (p / "pages.jsonl").is_file()):
        source_path = directory / "SOURCE.json"
        source = json.loads(source_path.read_text("utf-8")) if source_path.is_file() else {}
        pages = []
        # "\n" only: splitlines() would also split at U+2028 and the like inside a string.
        for line in (directory / "pages.jsonl").read_text("utf-8").split("\n"):
            if not line.strip():
                continue
            row = json.loads(line)
            pages.append(
                CorpusPage(
                    directory.name,
                    row["id"],
                    row["url"],
                    row["publisher"],
                    directory / row["html"],
                    row.get("body"),
                    row.get("with"),
                    row.get("without"),
                    row.get("title"),
                )
            )
        corpora.append(Corpus(directory.name, source, [p for p in pages if p.path.is_file()]))
    return corpora


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class PageScore:
    page: CorpusPage
    precision: float
    recall: float
    counts: tuple[int, int, int, int] | None  # tp, fp, fn, tn (snippet corpora)
    title_exact: bool | None
    title_loose: bool | None
    seconds: float
    error: str | None
    empty: bool

    @property
    def f1(self) -> float:
        if self.counts is not None:
            tp, fp, fn, _ = self.counts
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return f1(self.precision, self.recall)


def snippet_counts(page: CorpusPage, text: str) -> tuple[int, int, int, int]:
    """trafilatura's ``count_item``: (tp, fp, fn, tn) by whitespace-normalised substrings."""
    got = _norm(text)
    withs, withouts = page.with_ or [], page.without or []
    tp = sum(1 for w in withs if _norm(w) in got)
    fp = sum(1 for w in withouts if _norm(w) in got)
    return tp, fp, len(withs) - tp, len(withouts) - fp


def score_page(
    page: CorpusPage, body: str, title: str | None, seconds: float, error: str | None
) -> PageScore:
    counts = None
    if page.with_ is not None:
        counts = snippet_counts(page, body)
        tp, fp, fn, _ = counts
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
    else:
        precision, recall = precision_recall(page.body or "", body)
    titled = bool(page.title)
    return PageScore(
        page,
        precision,
        recall,
        counts,
        title_exact(page.title, title) if titled else None,  # type: ignore[arg-type]
        title_loose(page.title, title) if titled else None,  # type: ignore[arg-type]
        seconds,
        error,
        not error and not body.strip(),
    )


def summary(scores: list[PageScore]) -> tuple[float, float, float]:
    """P, R, F1 over ``scores``: pooled counts for snippets, else F1 of the mean P and R."""
    if scores and scores[0].counts is not None:
        tp = sum(s.counts[0] for s in scores if s.counts)
        fp = sum(s.counts[1] for s in scores if s.counts)
        fn = sum(s.counts[2] for s in scores if s.counts)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    precision = mean(s.precision for s in scores)
    recall = mean(s.recall for s in scores)
    return precision, recall, f1(precision, recall)
