"""What the front page and a site's page show: each site's articles, last runs (ok or failed,
articles, alerts), mirrors, and the figures its charts are drawn from. Read from the run
reports (``runs/*.json``), the mirror memory (``state/<site>.mirrors.json``) and the search
index, never trusting a file's shape: a report that does not read is left out and said so.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.layout import OutputLayout
from archive.mirror_memory import MirrorMemory, MirrorMemoryError
from archive.search.index_rows import Filters, sort_time
from archive.search.reading import SiteArchive

RUNS_SHOWN = 30  # run reports read per site (the newest)
DAYS_SHOWN = 60  # days in the articles-per-day chart (the newest with articles)
ROWS_READ = 20_000  # latest versions read for the articles-per-day chart


@dataclass
class RunLine:
    run_id: str
    status: str
    started_at: str
    finished_at: str
    articles: int
    failures: int
    alerts: list[str]
    mirrors: dict[str, dict[str, Any]]
    coverage: dict[str, float]


@dataclass
class MirrorLine:
    origin: str
    status: str
    learnt: str
    last_seen: str
    last_failure: str
    runs: int
    failing_runs: int


@dataclass
class SiteOverview:
    site: str
    articles: int = 0
    runs: list[RunLine] = field(default_factory=list)  # oldest first
    mirrors: list[MirrorLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def last_run(self) -> RunLine | None:
        return self.runs[-1] if self.runs else None


def site_overview(outs: Sequence[Path], site: str, archives: list[SiteArchive]) -> SiteOverview:
    overview = SiteOverview(site)
    overview.articles = sum(archive.index.article_count() for archive in archives)
    for out in outs:
        layout = OutputLayout(out)
        for path in layout.run_reports_of(site)[-RUNS_SHOWN:]:
            line = _run_line(path)
            if line is None:
                overview.notes.append(f"{path.name}: not a run report, left out")
            else:
                overview.runs.append(line)
        overview.mirrors += _mirrors(layout.mirror_memory(site), overview.notes)
    overview.runs.sort(key=lambda run: (run.started_at, run.run_id))
    overview.runs = overview.runs[-RUNS_SHOWN:]
    return overview


def _run_line(path: Path) -> RunLine | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "run_id" not in data:
        return None
    counts = _dict(data.get("counts"))
    mirrors = _dict(data.get("mirrors"))
    fields = _dict(_dict(data.get("coverage")).get("fields"))
    alerts = data.get("alerts")
    return RunLine(
        run_id=str(data["run_id"]),
        status=str(data.get("status", "?")),
        started_at=str(data.get("started_at") or ""),
        finished_at=str(data.get("finished_at") or ""),
        articles=_int(counts.get("article")),
        failures=_int(data.get("failure_count")),
        alerts=[str(a) for a in alerts] if isinstance(alerts, list) else [],
        mirrors={str(k): v for k, v in mirrors.items() if isinstance(v, dict)},
        coverage={str(k): float(v) for k, v in fields.items() if isinstance(v, int | float)},
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _mirrors(path: Path, notes: list[str]) -> list[MirrorLine]:
    try:
        memory = MirrorMemory.load(path, warn=notes.append)
    except MirrorMemoryError as exc:
        notes.append(str(exc))
        return []
    return [
        MirrorLine(
            origin=memo.origin,
            status=memo.status,
            learnt=memo.learnt,
            last_seen=memo.last_seen or "",
            last_failure=memo.last_failure or "",
            runs=len(memo.runs),
            failing_runs=memo.failing_runs(),
        )
        for memo in memory.mirrors.values()
    ]


# -- the charts' figures -------------------------------------------------------------------


def articles_per_day(archives: list[SiteArchive]) -> list[tuple[str, int]]:
    """Articles by the day they were published (captured where the page gave none), the
    newest ``DAYS_SHOWN`` days that have any, oldest first."""
    days: Counter[str] = Counter()
    for archive in archives:
        for row in archive.index.latest(Filters(), limit=ROWS_READ):
            day = sort_time(row.published, row.fetched_at)[:10]
            if len(day) == 10:
                days[day] += 1
    return sorted(days.items())[-DAYS_SHOWN:]


def mirror_health(runs: list[RunLine]) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """Per mirror, per run: requests served and failed by reason."""
    per_mirror: dict[str, list[tuple[str, dict[str, int]]]] = {}
    for run in runs:
        for origin, figures in run.mirrors.items():
            parts = {"served": _int(figures.get("successes"))}
            failures = figures.get("failures")
            if isinstance(failures, dict):
                for reason, n in failures.items():
                    if isinstance(n, int) and n:
                        parts[str(reason)] = n
            per_mirror.setdefault(origin, []).append((_short_run(run.run_id), parts))
    return per_mirror


def coverage_series(runs: list[RunLine]) -> tuple[list[str], dict[str, list[float]]]:
    """Field coverage per run (runs that kept records), each field a series."""
    kept = [run for run in runs if run.coverage]
    names = sorted({name for run in kept for name in run.coverage})
    labels = [_short_run(run.run_id) for run in kept]
    return labels, {name: [run.coverage.get(name, 0.0) for run in kept] for name in names}


def _short_run(run_id: str) -> str:
    """``site-20261207T120305Z-b5d555`` as ``12-07 12:03``."""
    for part in run_id.split("-"):
        if len(part) == 16 and part[8] == "T":
            return f"{part[4:6]}-{part[6:8]} {part[9:11]}:{part[11:13]}"
    return run_id[-12:]
