"""The layers stay layers, and modules stay small (docs/architecture.md).

The import contracts live in pyproject.toml (``[tool.importlinter]``): page objects import
neither Scrapy nor ``archive``; ``archive`` imports no Scrapy; nothing below the commands
imports them; the crawl components (spiders, middlewares, extensions, pipelines) import none
of each other; no package holds an import circle. ``lint-imports`` counts every import,
those inside functions and under ``TYPE_CHECKING`` too.

docs/architecture.md has a row for every module, and no row for a module that is gone.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_CODE_LINES = 500
SIZE_EXCEPTIONS: set[str] = set()


def test_import_contracts_hold() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run(
        [lint, str(REPO / "pyproject.toml")], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert "Contracts:" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout[-4000:]


def code_lines(path: Path) -> int:
    """Lines that are neither blank, nor comments, nor docstrings."""
    source = path.read_text(encoding="utf-8")
    docstring_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            docstring_lines.update(
                range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1)
            )
    return sum(
        1
        for number, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#") and number not in docstring_lines
    )


def project_modules() -> list[Path]:
    return sorted(p for package in ("scraper", "archive") for p in (REPO / package).rglob("*.py"))


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_module_stays_small(path: Path) -> None:
    name = str(path.relative_to(REPO))
    if name in SIZE_EXCEPTIONS:
        pytest.skip(f"{name}: left whole on purpose (see SIZE_EXCEPTIONS)")
    assert code_lines(path) <= MAX_CODE_LINES, (
        f"{name}: split it along its seams (docs/architecture.md)"
    )


def test_code_lines_counts_neither_docstrings_nor_comments(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Doc\n\nstring."""\n# comment\n\nx = 1\n\n\ndef f():\n    """Doc."""\n    return x\n'
    )
    assert code_lines(module) == 3


# -- docs/architecture.md names every module ------------------------------------------------

ARCHITECTURE = REPO / "docs" / "architecture.md"
_CODE = re.compile(r"`([^`\s]+)`")


def documented_modules(text: str, root: Path) -> tuple[set[str], list[str]]:
    """(modules the document's tables name, names in them that are no file), as paths
    relative to ``root``.

    A module table's header names its package in its first cell (``| `archive/` | concern |``).
    In its rows a name ending in ``.py`` is a module of that package, or of a directory the
    row's first cell names (``| `index/` | `model.py` (its protocol)… |``); a name with a
    slash is taken from the package, else from the repository's root."""
    documented: set[str] = set()
    stale: list[str] = []
    package: str | None = None  # None: outside a table; "": a table that is no module table
    for line in text.splitlines():
        if not line.startswith("|"):
            package = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if package is None:
            names = _CODE.findall(cells[0])
            package = names[0] if len(names) == 1 and names[0].endswith("/") else ""
            continue
        if not package or not cells[0].strip("-: "):
            continue
        directories = [package + name for name in _CODE.findall(cells[0]) if name.endswith("/")]
        for name in _CODE.findall(line):
            if not name.endswith(".py"):
                continue
            if "/" in name:
                candidates = [package + name, name]
            else:
                candidates = [directory + name for directory in (*directories, package)]
            found = next((c for c in candidates if (root / c).is_file()), None)
            if found is None:
                stale.append(candidates[0])
            else:
                documented.add(found)
    return documented, stale


def modules_to_document(root: Path) -> set[str]:
    """Every module of ``scraper/`` and ``archive/`` but the packages' ``__init__.py`` and
    ``__main__.py`` (a package's row stands for them)."""
    return {
        str(path.relative_to(root))
        for package in ("scraper", "archive")
        for path in (root / package).rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    }


def test_architecture_names_every_module_and_no_other() -> None:
    documented, stale = documented_modules(ARCHITECTURE.read_text(encoding="utf-8"), REPO)
    assert not stale, f"docs/architecture.md names modules that do not exist: {stale}"
    missing = sorted(modules_to_document(REPO) - documented)
    assert not missing, (
        "docs/architecture.md: give these modules a row in their package's table "
        f"(a line from the docstring): {missing}"
    )


def test_documented_modules_reads_packages_directories_and_stale_names(tmp_path: Path) -> None:
    for name in ("pkg/a.py", "pkg/sub/b.py", "pkg/c.py", "other/d.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    text = (
        "| `pkg/` | concern |\n|---|---|\n"
        "| `a.py`, `sub/` | the a; `b.py` within sub; `gone.py` |\n"
        "| `x` | `other/d.py` and `ignored.json` |\n"
        "\nprose `c.py`\n\n"
        "| module | concern |\n|---|---|\n| `c.py` | not a module table |\n"
    )
    documented, stale = documented_modules(text, tmp_path)
    assert documented == {"pkg/a.py", "pkg/sub/b.py", "other/d.py"}
    assert stale == ["pkg/sub/gone.py"]


def test_no_component_looks_another_up() -> None:
    """Components share state through the run (``ArchiveRun``), never by asking the crawler
    for another component: the import contract alone would not see a look-up of a class
    named in a string, or of one of Scrapy's own."""
    lookups = re.compile(
        r"\.get_(downloader_middleware|spider_middleware|extension|item_pipeline)\("
    )
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for path in project_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if lookups.search(line)
    ]
    assert not found, f"a component reaching into another: {found}"
