"""Every option of every command, fed a bad value, is refused in one line with exit 2 (issue
15, item 4). The table is held against the parser itself: an option added without a bad
value here fails ``test_every_option_taking_a_value_has_a_bad_value_in_the_table``.

In process (``main(argv)``), so the whole table runs in seconds; test_usage_errors.py runs
its cases as real subprocesses.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pytest

from scraper.cli.main import build_parser, main

PROFILE = (
    'name = "good"\nprimary = "http://127.0.0.1:9"\n'  # nothing listens on port 9
    "article_url = '^/news/(?P<id>\\d+)'\n"
)


def value_options(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> set[str]:
    """``"crawl --out"``, ``"state expire --older-than"``, ``"replay PATHS"``…: every option
    or positional that takes a value, by command."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= value_options(sub, (*words, name))
        elif action.nargs != 0 and not isinstance(action, argparse._VersionAction):
            name = action.option_strings[0] if action.option_strings else action.dest.upper()
            found.add(" ".join((*words, name)))
    return found


# option -> [(argv after "newsarchive", words the one line must hold)]; in the argv, SITE is the
# profile above, FILE a regular file, EMPTY an empty directory.
BAD_VALUES: dict[str, list[tuple[str, str]]] = {
    "crawl SITE": [("crawl no-such-site", "unknown site"), ("crawl " + "a" * 300, "unknown site")],
    "crawl --out": [("crawl SITE --out FILE", "not a directory")],
    "crawl --mirrors": [
        ("crawl SITE --mirrors not-a-url", "must be absolute"),
        ("crawl SITE --mirrors ftp://x.org", "must be absolute"),
    ],
    "crawl --max-articles": [
        ("crawl SITE --max-articles abc", "not a whole number"),
        ("crawl SITE --max-articles 0", "at least 1"),
    ],
    "crawl --since": [
        ("crawl SITE --since 2026-13-45", "--since"),
        ("crawl SITE --since tuesday", "--since"),
    ],
    "crawl --from-warc": [
        ("crawl SITE --from-warc EMPTY", "no WARC or ARC file"),
        ("crawl SITE --from-warc EMPTY/none", "no such file"),
    ],
    "crawl --assets": [("crawl SITE --assets all", "invalid choice")],
    "crawl --redis": [("crawl SITE --redis http://x", "expected redis://")],
    "crawl -s": [
        ("crawl SITE -s DOWNLOAD_DELAY=abc", "expected a number"),
        ("crawl SITE -s X", "NAME=VALUE"),
        # an endless delay held every request for ever (issue 21, item 9)
        ("crawl SITE -s DOWNLOAD_DELAY=inf", "expected a finite number"),
        ("crawl SITE -s DOWNLOAD_DELAY=nan", "expected a finite number"),
        ("crawl SITE -s DOWNLOAD_DELAY=1e308", "expected 0 to 3600 seconds"),
        ("crawl SITE -s AUTOTHROTTLE_MAX_DELAY=-1", "expected 0 to 3600 seconds"),
        ("crawl SITE -s CLOSESPIDER_ITEMCOUNT=inf", "expected a finite number"),
        ("crawl SITE -s NEWSARCHIVE_ASSETS=bogus", "expected one of none, images, page"),
        ("crawl SITE -s MIRROR_STRATEGY=fastest", "expected one of primary-first, spread"),
        ("crawl SITE -s NEWSARCHIVE_PROGRESS=loud", "expected one of auto"),
    ],
    "crawl --tor": [
        ("crawl SITE --tor socks5://127.0.0.1:9050", "must be socks5h:// or socks4a://")
    ],
    "crawl --log-level": [("crawl SITE --log-level LOUD", "invalid choice")],
    "crawl --log-format": [("crawl SITE --log-format xml", "invalid choice")],
    "extract FILE": [
        ("extract EMPTY/none.html --url http://127.0.0.1:9/news/1", "No such file"),
        ("extract EMPTY --url http://127.0.0.1:9/news/1", "not a regular file (a directory)"),
    ],
    "extract --url": [("extract FILE --url", "expected one argument")],
    "extract --site": [
        ("extract FILE --url http://127.0.0.1:9/news/1 --site no-such", "unknown site")
    ],
    "extract --extractor": [
        ("extract FILE --url http://127.0.0.1:9/news/1 --extractor no-such", "unknown extractor")
    ],
    "state SITE": [("state no-such-site", "no index for no-such-site at")],
    "state --out": [("state SITE --out FILE", "no index")],
    "state --redis": [("state SITE --redis http://x", "expected redis://")],
    "state forget TARGET": [("state SITE forget", "required")],
    "state forget --out": [("state SITE forget x --out FILE", "no index")],
    "state expire --older-than": [
        ("state SITE expire --older-than soon", "not a duration"),
        ("state SITE expire", "required"),
    ],
    "state expire --out": [("state SITE expire --older-than 5d --out FILE", "no index")],
    "state reset --out": [("state SITE reset --yes --out FILE", "no index")],
    "export SITE": [("export no-such-site --jsonl -", "unknown site")],
    "export --out": [("export SITE --out FILE --jsonl -", "output directory")],
    "export --jsonl": [("export SITE --jsonl -", "no records")],
    "export --fields": [("export SITE --fields title", "needs --jsonl")],
    "export --wacz": [("export SITE --wacz EMPTY/x.wacz", "no closed WARC")],
    "export --redis": [
        ("export SITE --from-index --jsonl - --redis http://x", "expected redis://")
    ],
    "replay PATHS": [
        ("replay EMPTY --out EMPTY/o", "no WARC or ARC file"),
        ("replay EMPTY/none --out EMPTY/o", "no such file"),
    ],
    "replay --out": [("replay FILE --out FILE", "not a directory")],
    "replay --site": [("replay FILE --out EMPTY/o --site no-such", "unknown site")],
    "replay --index": [("replay FILE --out EMPTY/o --index EMPTY/none", "no such file")],
    "replay --workers": [
        ("replay FILE --out EMPTY/o --workers abc", "not a whole number"),
        ("replay FILE --out EMPTY/o --workers -5", "at least 0"),
    ],
    "index PATHS": [("index EMPTY", "no WARC files")],
    "verify PATHS": [("verify EMPTY", "no WARC files")],
    "schedule --config": [
        ("schedule --config EMPTY/none.toml --check", "cannot read"),
        ("schedule --config FILE --check", "not valid TOML"),
    ],
    "demo --out": [("demo --out FILE", "not a directory")],
    "demo --articles": [("demo --articles 0", "at least 1"), ("demo --articles x", "whole number")],
    "search SITE": [("search no-such-site oil --out EMPTY", "no records of no-such-site")],
    "search QUERY": [
        ("search SITE --out EMPTY", "give words to look for"),
        ("search SITE --out EMPTY -- -oil", "no word to look for"),
    ],
    "search --out": [("search SITE oil --out FILE", "not a directory")],
    "search --since": [("search SITE oil --since tuesday --out EMPTY", "--since")],
    "search --until": [("search SITE oil --until 2026-13-45 --out EMPTY", "--until")],
    "search --section": [("search SITE oil --section= --out EMPTY", "--section: give a name")],
    "search --author": [("search SITE oil --author= --out EMPTY", "--author: give a name")],
    "search --limit": [("search SITE oil --limit 0", "at least 1")],
    "list SITE": [("list no-such-site --out EMPTY", "no records of no-such-site")],
    "list --out": [("list SITE --out EMPTY/none", "no such directory")],
    "list --since": [("list SITE --since 7x --out EMPTY", "--since")],
    "list --until": [("list SITE --until later --out EMPTY", "--until")],
    "list --section": [("list SITE --section= --out EMPTY", "--section: give a name")],
    "list --author": [("list SITE --author= --out EMPTY", "--author: give a name")],
    "list --limit": [("list SITE --limit none", "not a whole number")],
    "show ARTICLE": [
        ("show no-colon --out EMPTY", "is not an article id"),
        ("show SITE:1 --out EMPTY", "no records of"),
    ],
    "show --out": [("show good:1 --out FILE", "not a directory")],
    "show --version": [("show good:1 --version 0", "at least 1")],
    "history ARTICLE": [("history :1 --out EMPTY", "is not an article id")],
    "history --out": [("history good:1 --out EMPTY/none", "no such directory")],
    "serve --out": [("serve --out EMPTY/none", "no such directory")],
    "serve --port": [("serve --out EMPTY --port 70000", "0 to 65535")],
    "serve --bind": [("serve --out EMPTY --port 0 --bind 300.1.1.1", "--bind 300.1.1.1")],
    "serve --wacz": [("serve --out EMPTY --wacz FILE", "not a WACZ file")],
    "serve --pywb": [("serve --out EMPTY --pywb ftp://x", "--pywb ftp://x")],
    "mirrors SITE": [("mirrors no-such-site", "no index for no-such-site at")],
    "mirrors --out": [("mirrors SITE --out FILE", "no mirror memory")],
    "mirrors forget HOST": [("mirrors SITE forget", "required")],
    "mirrors forget --out": [("mirrors SITE forget x.org --out FILE", "no mirror memory")],
    "mirrors trust HOST": [("mirrors SITE trust", "required")],
    "mirrors trust --out": [("mirrors SITE trust x.org --out FILE", "no mirror memory")],
    "schedule --now": [("schedule --now yesterday", "not an ISO 8601 time")],
    "sites list --profiles": [("sites list --profiles EMPTY/none", "no such file")],
    "sites import LIST": [
        ("sites import EMPTY/none.json --dir EMPTY", "No such file"),
        ("sites import FILE --dir EMPTY", "not a mirror list"),
    ],
    "sites import --dir": [
        ("sites import FILE --dir FILE", "not a directory"),
        ("sites import FILE --dir EMPTY/none/p", "parent directory does not exist"),
    ],
    "sites import --only": [("sites import FILE --dir EMPTY --only a/b", "not a host name")],
    "sites check SITE": [("sites check no-such-site", "unknown site")],
    "sites check --url": [
        ("sites check SITE --url not-a-url", "must be an http(s) URL"),
        ("sites check SITE --url http://[::1", "has no valid host"),
    ],
    "sites check --html": [
        ("sites check SITE --html EMPTY/none.html --url http://127.0.0.1:9/a", "No such file"),
        ("sites check SITE --html EMPTY --url http://127.0.0.1:9/a", "not a regular file"),
        ("sites check SITE --html FILE", "--html needs --url"),
    ],
}
CASES = [(option, argv, says) for option, cases in BAD_VALUES.items() for argv, says in cases]


def test_every_option_taking_a_value_has_a_bad_value_in_the_table() -> None:
    assert value_options(build_parser()) == set(BAD_VALUES)


def test_the_words_a_setting_takes_are_those_its_component_takes() -> None:
    from scraper.cli.arguments import CHOICES
    from scraper.extensions import progress
    from scraper.sites.profile import MIRROR_STRATEGIES
    from scraper.spiders import page_assets

    assert CHOICES == {
        "NEWSARCHIVE_ASSETS": page_assets.MODES,
        "MIRROR_STRATEGY": MIRROR_STRATEGIES,
        "NEWSARCHIVE_PROGRESS": progress.MODES,
    }


@pytest.mark.parametrize(("option", "argv", "says"), CASES, ids=[c[1][:60] for c in CASES])
def test_a_bad_value_is_one_line_and_exit_2(
    option: str, argv: str, says: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.toml").write_text(PROFILE)
    (tmp_path / "file").write_text("not a directory, not a WARC\n")
    (tmp_path / "empty").mkdir()
    words = {"SITE": str(tmp_path / "site.toml"), "FILE": str(tmp_path / "file")}
    empty = str(tmp_path / "empty")
    args = [words.get(w, w.replace("EMPTY", empty)) for w in argv.split()]
    status = run(lambda: main(args))
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert status == 2, err[-2000:]
    assert "Traceback" not in err
    assert len(lines) == 1 and " error: " in lines[0], lines
    assert says in lines[0]


def run(command: Callable[[], int]) -> int:
    try:
        return command()
    except SystemExit as exit:  # argparse's own refusals
        return int(exit.code or 0)
