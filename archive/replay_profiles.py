"""Which site profile reads each archived capture in a replay.

Given ``--site`` profiles, those; one ``--site`` takes every article URL its ``article_url``
matches whatever the host (an archive of a mirror the profile does not name): such a host
becomes one of its aliases for the replay, and the report names it.  Without
``--site``, the profile a newsarchive crawl wrote at the start of each WARC file (its TOML
text in a metadata record) reads that file, so a crawl's WARCs replay to the crawl's records
even when its profile was a file nobody kept; other files go by host to the built-in
profiles.  Captures no profile claims are counted by host: a replay that writes nothing
says which hosts it saw and how to name their site.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from archive.warc_reader import ArchivedRecord
from archive.warc_records import PROFILE_CONTENT_TYPE
from scraper.sites.profile import ArticleUrl, ProfileError, SiteProfile, parse_profile
from scraper.sites.url_syntax import split_url, url_netloc


class ProfileChooser:
    def __init__(
        self, profiles: list[SiteProfile], *, forced: SiteProfile | None, embedded: bool
    ) -> None:
        self.profiles = [forced] if forced is not None else list(profiles)
        self.forced = forced
        self.embedded = embedded  # use the profile a file carries
        self._file_profile: SiteProfile | None = None
        self.unclaimed_hosts: Counter[str] = Counter()
        self.adopted_hosts: list[str] = []  # hosts the one --site profile was given
        self.captures = 0  # HTTP captures seen, claimed or not

    def start_file(self) -> None:
        self._file_profile = None

    def read_embedded(self, record: ArchivedRecord) -> str | None:
        """Take the profile a crawl wrote into this file; a line saying why not, when the
        record holds none that parses (the file is read with the other profiles)."""
        if not self.embedded:
            return None
        source = f"{record.filename} at offset {record.offset}: embedded profile"
        try:
            profile = parse_profile(record.payload.decode("utf-8"), source=source)
        except (ProfileError, UnicodeDecodeError) as exc:
            return f"{source} unusable: {exc}"
        self._file_profile = profile
        if all(known.name != profile.name for known in self.profiles):
            self.profiles.append(profile)  # named in the report's site list
        return None

    def article(self, url: str) -> tuple[SiteProfile, ArticleUrl] | None:
        """The profile that reads ``url``, and the article it names; None for a capture that
        is no article of any profile."""
        self.captures += 1
        profile = self._profile_for(url)
        if profile is None:
            self.unclaimed_hosts[url_netloc(url).lower() or url[:40]] += 1
            return None
        article = profile.match_article(url)
        return None if article is None else (profile, article)

    def _profile_for(self, url: str) -> SiteProfile | None:
        if self.forced is not None:
            return self._forced_for(url)
        if self._file_profile is not None and self._file_profile.owns(url):
            return self._file_profile
        return next((profile for profile in self.profiles if profile.owns(url)), None)

    def _forced_for(self, url: str) -> SiteProfile:
        """The one ``--site`` profile, made to own the host of an article URL it matches on a
        host it does not name (as an alias: ids, canonical URLs and records then follow)."""
        forced = self.forced
        assert forced is not None
        parts = split_url(url)  # an archived URL may be anything: one that does not parse
        if (
            parts is None
            or forced.owns(url)
            or not parts.netloc
            or not forced.article_url.match(parts.path)
        ):
            return forced
        self.forced = replace(forced, aliases=(*forced.aliases, parts.netloc.lower()))
        self.profiles = [self.forced]
        self.adopted_hosts.append(parts.netloc.lower())
        return self.forced

    def nothing_written(self) -> str:
        """Why a replay that read captures found no article among them, in one line."""
        if self.unclaimed_hosts:
            hosts = ", ".join(f"{host} ({n})" for host, n in self.unclaimed_hosts.most_common(5))
            return (
                f"no site profile matches the archive's hosts: {hosts}; name the site with "
                "--site NAME or --site PROFILE.toml (one --site reads every article URL its "
                "article_url matches, whatever the host)"
            )
        names = ", ".join(profile.name for profile in self.profiles)
        return (
            f"none of the {self.captures} captures read is an article URL of {names} "
            "(check the profile's article_url)"
        )


def is_profile_record(record: ArchivedRecord) -> bool:
    content_type = (record.content_type or "").replace(" ", "").lower()
    return record.type == "metadata" and content_type == PROFILE_CONTENT_TYPE.replace(" ", "")
