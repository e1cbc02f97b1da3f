"""The layers stay layers, and modules stay small (docs/architecture.md).

The import contracts live in pyproject.toml (``[tool.importlinter]``): page objects import
neither Scrapy nor ``archive``; ``archive`` imports no Scrapy; nothing below the commands
imports them; no package holds an import circle. ``lint-imports`` counts every import,
those inside functions and under ``TYPE_CHECKING`` too.
"""

from __future__ import annotations

import ast
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
