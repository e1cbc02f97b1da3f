"""Spider names are site names: ``scrapy crawl presstv`` runs the news spider on the built-in
``presstv`` profile, and ``scrapy crawl news -a profile=site.toml`` on any profile file."""

from __future__ import annotations

from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from scraper.sites.profile import builtin_profile_names
from scraper.spiders.news import NewsSpider


class ProfileSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        for name in builtin_profile_names():
            self._spiders.setdefault(
                name,
                type(f"{name.title()}Spider", (NewsSpider,), {"name": name, "profile_name": name}),
            )
