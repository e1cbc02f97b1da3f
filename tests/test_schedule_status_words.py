"""The scheduler says how a crawl ended in the closing line's words (issue 22, item 4): its
"finished localnews: exit 1 (ok)" contradicted itself as the closing line did, for a run whose
pages all went well but that raised an alert."""

from __future__ import annotations

import json
from pathlib import Path

from scraper.scheduling.job_runner import _report_status


def test_a_run_with_an_alert_is_not_ok_in_the_schedulers_words(tmp_path: Path) -> None:
    report = tmp_path / "run.json"
    alerted = {"status": "ok", "counts": {}, "alerts": ["no article URL among the 11 links"]}
    report.write_text(json.dumps(alerted), encoding="utf-8")
    assert _report_status(report) == "finished with 1 alert"
    report.write_text(json.dumps({**alerted, "alerts": []}), encoding="utf-8")
    assert _report_status(report) == "ok"
