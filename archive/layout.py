"""The output directory (``--out``, ``ARCHIVE_DIR``): every path under it, named once.

```
<out>/warc/<site>/<name>.warc.gz (+ .cdxj)   the exchanges, ``.open`` while written
<out>/json/<site>/<run-id>.jsonl             one article version per line
<out>/runs/<run-id>.json                     the run report
<out>/runs/<run-id>.mirror_divergence.jsonl  compare mode's findings
<out>/state/<site>.sqlite                    the dedup index
<out>/state/<site>.search.sqlite             the full-text index of the records (a cache)
<out>/state/<site>.lock                      one run per site and directory
<out>/state/<site>.recovered.jsonl           records a recovery already fed back
<out>/state/<site>.mirrors.json              what the runs learnt about the site's mirrors
<out>/state/<site>.mirror-lists/<name>.json  the copy of each mirror list fetched by URL
<out>/state/schedule.json                    the scheduler's memory of its jobs
<out>/logs/<job>.log                         a scheduled job's output
<out>/logs/<run-id>.log                      every line of one crawl's log
```

Crawl, replay, state, export, verify, the scheduler and crash recovery all find their files
here, so a crawl's output and the tools reading it cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# What the crawl is given when no --out is: relative to the working directory.
DEFAULT_OUT = "data"


@dataclass(frozen=True)
class OutputLayout:
    root: Path

    @classmethod
    def at(cls, root: str | Path) -> OutputLayout:
        return cls(Path(root))

    # -- WARC files ------------------------------------------------------------------------

    @property
    def warc_root(self) -> Path:
        return self.root / "warc"

    def warc_dir(self, site: str) -> Path:
        return self.warc_root / site

    def is_crawl_dir(self) -> bool:
        """Whether ``root`` looks like a crawl's output (it has WARCs), not a WARC folder."""
        return self.warc_root.is_dir()

    # -- records ---------------------------------------------------------------------------

    def records_dir(self, site: str) -> Path:
        return self.root / "json" / site

    def records_file(self, site: str, run_id: str) -> Path:
        return self.records_dir(site) / f"{run_id}.jsonl"

    def records_files(self, site: str) -> list[Path]:
        """The site's JSON Lines records, one file a run, in name (time) order."""
        return sorted(self.records_dir(site).glob("*.jsonl"))

    def all_records_files(self) -> list[Path]:
        return sorted((self.root / "json").glob("*/*.jsonl"))

    # -- run reports -----------------------------------------------------------------------

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    def run_report(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def divergence_file(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.mirror_divergence.jsonl"

    def run_reports_of(self, site: str) -> list[Path]:
        """The site's run reports, oldest first (run ids start with the site and sort by time)."""
        return sorted(self.runs_dir.glob(f"{site}-*.json"))

    # -- state -----------------------------------------------------------------------------

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    def index_file(self, site: str) -> Path:
        return self.state_dir / f"{site}.sqlite"

    def search_index(self, site: str) -> Path:
        return self.state_dir / f"{site}.search.sqlite"

    def site_lock(self, site: str) -> Path:
        return self.state_dir / f"{site}.lock"

    def recovered_marker(self, site: str) -> Path:
        return self.state_dir / f"{site}.recovered.jsonl"

    def mirror_memory(self, site: str) -> Path:
        return self.state_dir / f"{site}.mirrors.json"

    def mirror_lists(self, site: str) -> Path:
        """The copies of the site's mirror lists fetched by URL (``archive.mirror_list_source``)."""
        return self.state_dir / f"{site}.mirror-lists"

    @property
    def schedule_state(self) -> Path:
        return self.state_dir / "schedule.json"

    # -- logs ------------------------------------------------------------------------------

    def job_log(self, job: str) -> Path:
        return self.root / "logs" / f"{job}.log"

    def run_log(self, run_id: str) -> Path:
        """Every line of one crawl at INFO and up (stderr shows the concise part)."""
        return self.root / "logs" / f"{run_id}.log"


def index_root(index_file: Path) -> OutputLayout:
    """The output directory an index file ``<out>/state/<site>.sqlite`` belongs to."""
    return OutputLayout(index_file.parent.parent)
