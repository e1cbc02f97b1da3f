"""Mirror divergence: does every mirror of a site serve the same text for an article?

Compare mode fetches one article from each healthy mirror. Censorship and tampering show as
paragraphs added, removed or rewritten on one mirror; template, chrome, whitespace and
Unicode-composition differences must not. So text is compared as a list of normalised
paragraphs (title apart), diffed with difflib, for every pair of mirrors that served it.

Scrapy-free: the spider feeds ``MirrorComparer`` the copies and failures as they arrive; it
writes one JSON line per divergent article and keeps the counts for the run report.
"""

from __future__ import annotations

import difflib
import itertools
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.jsonl import JsonlWriter
from archive.records import content_hash
from archive.warc_pointer import WarcPointer

# Divergent articles listed in the run report; all of them are always in the JSONL file.
MAX_LISTED_ARTICLES = 10_000
PAIR_SEPARATOR = " \u2194 "  # "a ↔ b": a pair of mirrors, in the site's mirror order


def normalise_text(text: str | None) -> str:
    """NFC, every run of whitespace (NBSP included) one space, no leading/trailing space:
    what differs only here is the same text to a reader."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def paragraphs_of(body: str | None) -> list[str]:
    """The body's paragraphs (records separate them by a blank line), normalised, empty
    ones dropped."""
    paragraphs = (normalise_text(p) for p in (body or "").split("\n\n"))
    return [p for p in paragraphs if p]


@dataclass
class ParagraphDiff:
    """How the text of mirror ``b`` differs from that of mirror ``a``; indexes are positions
    in each mirror's normalised paragraph list."""

    title: tuple[str, str] | None = None  # (a's, b's) when they differ
    added: list[tuple[int, str]] = field(default_factory=list)  # in b, not in a
    removed: list[tuple[int, str]] = field(default_factory=list)  # in a, not in b
    changed: list[tuple[int, str, int, str]] = field(default_factory=list)  # (i, a's, j, b's)

    def __bool__(self) -> bool:
        return bool(self.title or self.added or self.removed or self.changed)

    def counts(self) -> dict[str, int]:
        return {
            "title_changed": int(self.title is not None),
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": {"from": self.title[0], "to": self.title[1]} if self.title else None,
            "added": [{"index": j, "text": text} for j, text in self.added],
            "removed": [{"index": i, "text": text} for i, text in self.removed],
            "changed": [
                {"from": {"index": i, "text": a}, "to": {"index": j, "text": b}}
                for i, a, j, b in self.changed
            ],
        }


def diff_paragraphs(
    a: list[str], b: list[str], title_a: str = "", title_b: str = ""
) -> ParagraphDiff:
    """Paragraph-level diff of two normalised texts. A *replace* opcode pairs paragraphs in
    order as changed; what one side has beyond the other's count is added or removed."""
    diff = ParagraphDiff(title=(title_a, title_b) if title_a != title_b else None)
    # autojunk off: in long articles a repeated paragraph (a sign-off) must not be ignored
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        diff.changed += [(i1 + k, a[i1 + k], j1 + k, b[j1 + k]) for k in range(pairs)]
        diff.removed += [(i, a[i]) for i in range(i1 + pairs, i2)]
        diff.added += [(j, b[j]) for j in range(j1 + pairs, j2)]
    return diff


@dataclass
class MirrorCopy:
    """One mirror's copy of one article, as extracted by the site's page object."""

    mirror: str  # host, as in the record's ``mirror``
    url: str
    title: str | None
    body: str
    warc: WarcPointer | None = None  # where its page is: the response (a revisit's original)
    recorded: bool = False  # the copy the article's JSON record was made from

    def to_dict(self) -> dict[str, Any]:
        return {
            "mirror": self.mirror,
            "url": self.url,
            "warc": self.warc.to_dict() if self.warc else None,
            "content_hash": content_hash(self.title, self.body),
            "recorded": self.recorded,
        }


@dataclass
class ArticleComparison:
    article_id: str
    canonical_url: str
    mirrors: list[str]  # every mirror of the site, in the site's order
    copies: dict[str, MirrorCopy] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)
    # mirrors with no copy to compare: {mirror, url, reason}
    not_compared: list[dict[str, str]] = field(default_factory=list)

    def differences(self) -> list[tuple[str, str, ParagraphDiff]]:
        """(a, b, diff) for each pair of copies whose text differs, in mirror order."""
        ordered = [self.copies[m] for m in self.mirrors if m in self.copies]
        texts = {c.mirror: (normalise_text(c.title), paragraphs_of(c.body)) for c in ordered}
        found = []
        for first, second in itertools.combinations(ordered, 2):
            (title_a, a), (title_b, b) = texts[first.mirror], texts[second.mirror]
            diff = diff_paragraphs(a, b, title_a, title_b)
            if diff:
                found.append((first.mirror, second.mirror, diff))
        return found

    def to_record(self, differences: list[tuple[str, str, ParagraphDiff]]) -> dict[str, Any]:
        """The JSON line of a divergent article."""
        return {
            "id": self.article_id,
            "canonical_url": self.canonical_url,
            "mirrors": [m for m in self.mirrors if m in self.copies],
            "copies": [self.copies[m].to_dict() for m in self.mirrors if m in self.copies],
            "not_compared": self.not_compared,
            "differences": [
                {"mirrors": [a, b], "counts": diff.counts(), **diff.to_dict()}
                for a, b, diff in differences
            ],
        }


class MirrorComparer:
    """Collects each article's copies as they arrive; once every expected mirror has
    answered, diffs them and writes a line to ``path`` if they differ."""

    def __init__(self, path: Path, mirrors: list[str]) -> None:
        self.path = path
        self.mirrors = mirrors
        self._open: dict[str, ArticleComparison] = {}
        self._log: JsonlWriter | None = JsonlWriter(path)  # created even if nothing differs
        self.compared = 0  # articles with at least two copies
        self.single_copy = 0  # articles only one mirror gave us
        self.divergent: list[dict[str, Any]] = []  # short entries for the run report
        self.divergent_count = 0
        self.pairs: dict[tuple[str, str], Counter[str]] = {}
        self.fetch_failures: dict[str, Counter[str]] = {}
        # copies compared per mirror: the mirror report counts failover traffic only
        self.copies: Counter[str] = Counter()

    def start(
        self,
        article_id: str,
        canonical_url: str,
        recorded: MirrorCopy,
        expected: Iterable[str],
        not_compared: Iterable[dict[str, str]] = (),
    ) -> None:
        """``recorded`` made the JSON record; a copy is coming from each of ``expected``;
        ``not_compared`` are the mirrors skipped (benched, failed already) and why."""
        comparison = ArticleComparison(
            article_id, canonical_url, self.mirrors, {recorded.mirror: recorded}, set(expected), []
        )
        for entry in not_compared:
            self._note_failure(comparison, entry["mirror"], entry["url"], entry["reason"])
        self._open[article_id] = comparison
        self._settle(comparison)

    def arrived(self, article_id: str, copy: MirrorCopy) -> None:
        comparison = self._open.get(article_id)
        if comparison is not None:
            comparison.waiting.discard(copy.mirror)
            comparison.copies[copy.mirror] = copy
            self.copies[copy.mirror] += 1
            self._settle(comparison)

    def failed(self, article_id: str, mirror: str, url: str, reason: str) -> None:
        """The copy from ``mirror`` could not be had: noted, never a divergence."""
        comparison = self._open.get(article_id)
        if comparison is not None:
            comparison.waiting.discard(mirror)
            self._note_failure(comparison, mirror, url, reason)
            self._settle(comparison)

    def _note_failure(
        self, comparison: ArticleComparison, mirror: str, url: str, reason: str
    ) -> None:
        comparison.not_compared.append({"mirror": mirror, "url": url, "reason": reason})
        self.fetch_failures.setdefault(mirror, Counter())[reason.split(":")[0]] += 1

    def _settle(self, comparison: ArticleComparison) -> None:
        if comparison.waiting:
            return
        del self._open[comparison.article_id]
        if len(comparison.copies) < 2:
            self.single_copy += 1
            return
        self.compared += 1
        differences = comparison.differences()
        if not differences:
            return
        self.divergent_count += 1
        if self._log is not None:
            self._log.write(comparison.to_record(differences))
        for a, b, diff in differences:
            self.pairs.setdefault((a, b), Counter()).update({"articles": 1, **diff.counts()})
        if len(self.divergent) < MAX_LISTED_ARTICLES:
            self.divergent.append(
                {
                    "id": comparison.article_id,
                    "canonical_url": comparison.canonical_url,
                    "pairs": [{"mirrors": [a, b], **diff.counts()} for a, b, diff in differences],
                }
            )

    def close(self) -> None:
        """End of the crawl: articles still waiting are compared with what arrived (the
        missing copies noted), and the file closed. Idempotent."""
        for comparison in list(self._open.values()):
            for mirror in sorted(comparison.waiting):
                self._note_failure(comparison, mirror, "", "not fetched: the crawl ended first")
            comparison.waiting.clear()
            self._settle(comparison)
        if self._log is not None:
            self._log.close()
            self._log = None

    def summary(self, file: str) -> dict[str, Any]:
        """The run report's ``mirror_divergence``; ``file`` names the JSONL file for readers."""
        return {
            "file": file,
            "articles_compared": self.compared,
            "articles_divergent": self.divergent_count,
            "articles_single_copy": self.single_copy,
            "pairs": [
                {"mirrors": list(pair), **dict(counts)} for pair, counts in self.pairs.items()
            ],
            "copies": dict(self.copies),
            "fetch_failures": {m: dict(c) for m, c in self.fetch_failures.items()},
            "articles": self.divergent,
        }


def summary_line(summary: dict[str, Any], base: str = "") -> str:
    """The printed line: ``mirror divergence: 3 articles of 20 differ (a ↔ b: 3 articles;
    2 changed, 1 removed paragraphs); see runs/<id>.mirror_divergence.jsonl``."""
    where = f"see {base}{summary['file']}"
    failures = sum(sum(c.values()) for c in summary.get("fetch_failures", {}).values())
    failed = (
        f"; {_counted(failures, 'mirror copy', 'mirror copies')} could not be compared"
        if failures
        else ""
    )
    compared = _counted(summary["articles_compared"], "article")
    if not summary["articles_divergent"]:
        return f"mirror divergence: none, {compared} compared across mirrors{failed}; {where}"
    pairs = []
    for pair in summary["pairs"]:
        parts = [_counted(pair["articles"], "article")]
        kinds = [key for key in ("changed", "removed", "added") if pair.get(key)]
        if kinds:
            total = sum(pair[key] for key in kinds)
            noun = "paragraph" if total == 1 else "paragraphs"
            parts.append(", ".join(f"{pair[key]} {key}" for key in kinds) + f" {noun}")
        if pair.get("title_changed"):
            parts.append(_counted(pair["title_changed"], "title") + " changed")
        pairs.append(f"{PAIR_SEPARATOR.join(pair['mirrors'])}: {'; '.join(parts)}")
    divergent = _counted(summary["articles_divergent"], "article")
    return (
        f"mirror divergence: {divergent} of {summary['articles_compared']} "
        f"differ{'s' if summary['articles_divergent'] == 1 else ''} ({' | '.join(pairs)}){failed}; {where}"
    )


def _counted(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
