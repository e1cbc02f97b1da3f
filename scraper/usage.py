"""The one error every ``newsarchive`` command raises for bad arguments or configuration.

Its own module, imported by the cli and every command module: a class defined in
``scraper/cli.py`` would be defined twice under ``python -m scraper.cli`` (once as
``__main__``), and one copy would escape ``main()``'s handler.
"""


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit status 2."""
