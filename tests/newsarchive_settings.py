"""newsarchive's own settings with their defaults (scraper/settings.py), for tests that run a
component under a crawl of their own settings rather than the whole project's."""

from scraper import settings

PREFIXES = ("ARCHIVE_", "NEWSARCHIVE_", "MIRROR_", "SHARED_CRAWL_")


def newsarchive_defaults() -> dict[str, object]:
    return {name: getattr(settings, name) for name in dir(settings) if name.startswith(PREFIXES)}
