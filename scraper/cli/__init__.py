"""The ``newsarchive`` command line: one module per command."""

from scraper.cli.main import main

__all__ = ["main"]
