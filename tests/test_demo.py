"""``newsarchive demo`` (issue 15, item 7): a built-in multi-mirror site on loopback, crawled
with failover, and the next commands it prints work on what it archived."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

from scraper.demo.site import generate_articles
from tests.conftest import newsarchive_command

ARTICLES = 12


def test_the_demo_archives_every_article_past_a_failing_primary_and_a_seized_mirror(
    tmp_path: Path,
) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [*newsarchive_command(), "demo", "--out", str(out), "--articles", str(ARTICLES), "--quiet"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    # the primary's 503s are told once, as failover and mirror lines, not as retry warnings;
    # the run's log file keeps every line
    assert "Gave up retrying" not in result.stderr
    [log_file] = (out / "logs").glob("demonews-*.log")
    assert "Gave up retrying" in log_file.read_text()
    [records_file] = (out / "json" / "demonews").glob("*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    assert len({r["id"] for r in records}) == len(records) == ARTICLES
    seized = [r for r in records if r["mirror"].startswith("127.0.0.2:")]
    assert not seized, seized  # the seized mirror's banner page is never an article
    # the articles the primary fails came from the healthy mirror
    failed_on_primary = {f"demonews:{a.id}" for a in generate_articles(ARTICLES)[::3]}
    assert {r["mirror"].split(":")[0] for r in records if r["id"] in failed_on_primary} == {
        "127.0.0.3"
    }

    # the result and the next steps on stdout, progress and log lines on stderr (issue 22,
    # item 14)
    assert "Next, try" not in result.stderr
    assert result.stdout.startswith(f"demonews: {ARTICLES} articles archived into {out}; report ")
    # every command it suggests runs on the archive, the site being gone
    steps = result.stdout.split("Next, try", 1)[1].splitlines()[1:]
    commands = [line.strip() for line in steps if line.strip().startswith("newsarchive ")]
    assert {c.split()[1] for c in commands} >= {"state", "verify", "export", "replay"}
    for command in commands:
        argv = shlex.split(command.split(" | ")[0])
        ran = subprocess.run(
            [*newsarchive_command(), *argv[1:]], capture_output=True, text=True, timeout=120
        )
        assert ran.returncode == 0, (command, ran.stderr[-2000:])
    replayed = list((Path(f"{out}-replayed") / "json" / "demonews").glob("*.jsonl"))
    assert sum(len(p.read_text().splitlines()) for p in replayed) == ARTICLES
