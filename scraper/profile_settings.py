"""Where a profile's ``[access]`` value is also a Scrapy setting (user agent, download delay,
concurrency per host), what the command line set (``-s NAME=…``) wins over the profile.

Read by the spider (which sets the user agent) and the site access middleware (which sets
the delays), neither of which imports the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES

if TYPE_CHECKING:
    from scraper.sites.profile import SiteProfile

_COMMAND_LINE = SETTINGS_PRIORITIES["cmdline"]


def given(settings: Any, name: str) -> bool:
    """Set on the command line (``-s``), which wins over the profile."""
    return bool(settings.getpriority(name) >= _COMMAND_LINE)


def user_agent_of(profile: SiteProfile, settings: Any) -> str | None:
    """The profile's user agent, unless ``-s USER_AGENT`` gave one (the spider sets it as
    ``USER_AGENT`` at the spider's priority, below the command line's)."""
    agent = profile.access.user_agent
    return agent if agent and not given(settings, "USER_AGENT") else None
