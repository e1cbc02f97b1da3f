"""The run report: what one run did, what failed and why, as ``runs/<run-id>.json``."""
from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# Failures listed in full; beyond this only counted, so a run against a dead site cannot
# produce a report bigger than its archive.
MAX_LISTED_FAILURES = 10_000


def new_run_id(site: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{site}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class Failure:
    url: str
    reason: str
    page_type: str

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "reason": self.reason, "page_type": self.page_type}


@dataclass
class RunReport:
    run_id: str
    site: str
    started_at: str
    options: dict[str, Any] = field(default_factory=dict)
    finished_at: str | None = None
    finish_reason: str | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] += n

    def fail(self, url: str, reason: str, page_type: str) -> None:
        self.failure_count += 1
        self.outcomes[f"failed/{page_type}"] += 1
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append(Failure(url, reason, page_type))

    @property
    def status(self) -> str:
        if self.finish_reason not in (None, "finished", "closespider_itemcount"):
            return "interrupted" if self.finish_reason == "shutdown" else "failed"
        return "failed" if self.failure_count else "ok"

    def to_dict(self) -> dict[str, Any]:
        by_reason = Counter(f.reason.split(":")[0] for f in self.failures)
        return {
            "run_id": self.run_id,
            "site": self.site,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "finish_reason": self.finish_reason,
            "options": self.options,
            "counts": dict(sorted(self.outcomes.items())),
            "failure_count": self.failure_count,
            "failures_by_reason": dict(by_reason.most_common()),
            "failures": [f.to_dict() for f in self.failures],
            "stats": self.stats,
        }

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.run_id}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")
        os.replace(tmp, path)  # a reader never sees half a report
        return path
