"""The corpora section of ``bench/extraction.py``: every corpus ``bench/corpora.py`` rebuilt,
by half, ours beside the peers, and every page under 0.5 for ours (issue 26).

Every extractor gets the same decoded page and URL, page after page, after one untimed
warm-up call each, timed as ``bench/extraction.py`` times (``timed``: a full collection
before each call, the parse included).  On a corpus with titles each extractor's metadata
call is timed (it gives the title and the body), elsewhere its body call.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench.corpora_read import Corpus, PageScore, load_corpora, score_page, summary
from bench.corpus_halves import HALVES


def _rate(flags: list[bool | None]) -> str:
    known = [f for f in flags if f is not None]
    return f"{sum(known) / len(known):6.3f}" if known else f"{'-':>6}"


def run_corpus(corpus: Corpus, extractors: list[Any], timed: Any, empty: Any) -> dict:
    """Each extractor's PageScores on ``corpus``, in page order."""
    titled = corpus.titled
    results: dict[str, list[PageScore]] = {e.name: [] for e in extractors}
    first = corpus.pages[0]
    first_html = first.html()
    for extractor in extractors:  # warm-up: one-off initialisation is not charged to page 1
        call = extractor.metadata if titled else extractor.body
        timed(call, first.url, first_html, empty() if titled else "")
    for page in corpus.pages:
        html = page.html()
        for extractor in extractors:
            if titled:
                result = timed(extractor.metadata, page.url, html, empty())
                got = result.value
                body, title = got.body or "", got.title
                if "title" not in extractor.provides:
                    title = None
            else:
                result = timed(extractor.body, page.url, html, "")
                body, title = result.value or "", None
            results[extractor.name].append(
                score_page(page, body, title, result.seconds, result.error)
            )
    return results


def _row(label: str, extractor: Any, scores: list[PageScore], titled: bool) -> str:
    precision, recall, f = summary(scores)
    seconds = [s.seconds for s in scores]
    has_title = titled and "title" in extractor.provides
    cells = [
        f"{label:<18} {extractor.name:<16}",
        f"{precision:6.3f} {recall:6.3f} {f:6.3f}",
        f"{sum(1 for s in scores if s.f1 < 0.5):>5}",
        _rate([s.title_exact for s in scores]) if has_title else f"{'-':>6}",
        _rate([s.title_loose for s in scores]) if has_title else f"{'-':>6}",
        f"{statistics.fmean(seconds) * 1000:8.1f}" if seconds else f"{'-':>8}",
        f"{statistics.median(seconds) * 1000:8.1f}" if seconds else f"{'-':>8}",
        f"{sum(1 for s in scores if s.error):>6}",
        f"{sum(1 for s in scores if s.empty):>6}",
    ]
    return " ".join(cells)


def print_corpus(corpus: Corpus, extractors: list[Any], results: dict) -> None:
    source = corpus.source
    pin = f"{source.get('repository', '?')}@{str(source.get('commit', '?'))[:12]}"
    publishers = len({p.publisher for p in corpus.pages})
    truth = "with/without snippets (trafilatura's scoring)" if corpus.snippets else "shingles"
    print(
        f"== corpus: {corpus.name} ({pin}, {source.get('licence', 'licence ?')}) ==\n"
        f"{len(corpus.pages)} pages from {publishers} publishers; body scored by {truth}"
        + ("; titles exact" if corpus.titled else "")
        + "\n"
    )
    print(
        f"{'pages':<18} {'extractor':<16} {'P':>6} {'R':>6} {'F1':>6} {'<0.5':>5} "
        f"{'title':>6} {'title~':>6} {'ms mean':>8} {'ms med':>8} {'errors':>6} {'empty':>6}"
    )
    for label in ("all", *HALVES):
        keep = [label == "all" or page.half == label for page in corpus.pages]
        for extractor in extractors:
            scores = [s for s, k in zip(results[extractor.name], keep) if k]
            print(_row(f"{label} ({sum(keep)})", extractor, scores, corpus.titled))
    for extractor in extractors:
        errors = [s for s in results[extractor.name] if s.error][:3]
        for s in errors:
            print(f"  {extractor.name} raised on {s.page.id[:40]}: {s.error}")
    print()


def wreck_lines(corpora: list[Corpus], all_results: dict[str, dict], focus: str) -> list[str]:
    """Every page under 0.5 for ``focus``: corpus, half, its F1, trafilatura's, page, URL."""
    lines = []
    for corpus in corpora:
        results = all_results[corpus.name]
        ours = results.get(focus, [])
        peer = results.get("trafilatura")
        rows = []
        for index, score in enumerate(ours):
            if score.f1 < 0.5:
                theirs = f"{peer[index].f1:.2f}" if peer else "-"
                rows.append((score.page.half, score.f1, theirs, score))
        for half, f, theirs, score in sorted(rows, key=lambda r: (r[0], r[1])):
            empty = " empty" if score.empty else ""
            lines.append(
                f"{corpus.name:<17} {half:<10} {f:5.2f} {theirs:>5}  "
                f"P {score.precision:.2f} R {score.recall:.2f}{empty}  {score.page.id[:60]}  "
                f"{score.page.url}"
            )
    return lines


def run_corpora(
    root: Path, extractors: list[Any], timed: Any, empty: Any, wrecks: Path | None
) -> None:
    if not root.is_dir():
        print(f"== corpora: none at {root} (python bench/corpora.py rebuilds them) ==\n")
        return
    corpora = [c for c in load_corpora(root) if c.pages]
    if not corpora:
        print(f"== corpora: no corpus under {root} ==\n")
        return
    all_results = {}
    for corpus in corpora:
        all_results[corpus.name] = run_corpus(corpus, extractors, timed, empty)
        print_corpus(corpus, extractors, all_results[corpus.name])
    print(
        "P R F1  snippet corpora: pooled over the pages' snippet counts, as trafilatura's\n"
        "        evaluation; shingle corpora: P and R averaged over pages, F1 of the means\n"
        "<0.5    pages whose own F1 is under 0.5 (a wreck)\n"
        "title   exact after NFC + whitespace; title~ also ignoring case, punctuation, symbols\n"
        "halves  by publisher (bench/corpus_halves.py)\n"
    )
    focus = next((e.name for e in extractors if e.name == "ours"), extractors[0].name)
    lines = wreck_lines(corpora, all_results, focus)
    header = (
        f"every page under 0.5 for {focus} ({len(lines)}): corpus, half, its F1, "
        "trafilatura's F1, its P and R, page, URL"
    )
    print(header)
    for line in lines:
        print("  " + line)
    print()
    if wrecks is not None:
        wrecks.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"(written to {wrecks})\n")
