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
from archive.wording import count
from scraper.sites.profile import (
    ArticleUrl,
    ProfileError,
    SiteProfile,
    host_keys,
    parse_profile,
)
from scraper.sites.url_syntax import split_url, url_netloc

# A crawl writes one profile, of a few KB, at the start of each WARC file; a hostile file may
# carry thousands, of any size (4,000 took 1.5 GB, and every capture asked each).  Past
# these bounds a profile is not used: its file is read as if it carried none.
MAX_HELD_PROFILES = 64  # sites a replay takes from embedded profiles (each: an index, a file)
MAX_PROFILE_BYTES = 64 * 1024  # an embedded profile larger is unusable
_KEPT_NETLOCS = 50_000  # netlocs whose candidate keys are remembered


class ProfileChooser:
    def __init__(
        self, profiles: list[SiteProfile], *, forced: SiteProfile | None, embedded: bool
    ) -> None:
        # the one --site profile grows its own table of adopted hosts, not the caller's
        self.forced = replace(forced, adopted={}) if forced is not None else None
        self.embedded = embedded  # use the profile a file carries
        self.profiles: list[SiteProfile] = []
        self._names: set[str] = set()
        # every host of the profiles held -> (place, profile) of the first that names it:
        # a capture's profile found by its host, whatever the number of profiles
        self._by_host: dict[str, tuple[int, SiteProfile]] = {}
        self._keys: dict[tuple[str, str], frozenset[str]] = {}
        for profile in [self.forced] if self.forced is not None else profiles:
            self._hold(profile)
        self.held_embedded = 0
        self.not_held = 0  # embedded profiles of sites past MAX_HELD_PROFILES, not used
        self._not_held_names: list[str] = []  # the first few
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
        if len(record.payload) > MAX_PROFILE_BYTES or record.oversize:
            size = record.oversize or len(record.payload)
            return f"{source} unusable: {size:,} bytes (a profile is at most {MAX_PROFILE_BYTES:,})"
        try:
            profile = parse_profile(record.payload.decode("utf-8"), source=source)
        except (ProfileError, UnicodeDecodeError) as exc:
            return f"{source} unusable: {exc}"
        if profile.name not in self._names:
            if self.held_embedded >= MAX_HELD_PROFILES:
                self.not_held += 1  # one notice for them all (``notices``)
                if len(self._not_held_names) < 5:
                    self._not_held_names.append(profile.name)
                return None
            self.held_embedded += 1
            self._hold(profile)  # named in the report's site list
        self._file_profile = profile
        return None

    def notices(self) -> list[str]:
        """One line when embedded profiles were past the bound, else none."""
        if not self.not_held:
            return []
        names = ", ".join(self._not_held_names) + (", …" if self.not_held > 5 else "")
        return [
            f"{self.not_held} embedded profiles of sites past the first {MAX_HELD_PROFILES} "
            f"({names}) not used: their files were read as if they carried none (replay "
            "them apart, or name their site with --site)"
        ]

    def _hold(self, profile: SiteProfile) -> None:
        place = len(self.profiles)
        self.profiles.append(profile)
        self._names.add(profile.name)
        for host in profile.hosts:
            self._by_host.setdefault(host, (place, profile))

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
        keys = self._host_keys(url)
        file_profile = self._file_profile
        if file_profile is not None and not keys.isdisjoint(file_profile.hosts):
            if file_profile.owns(url):
                return file_profile
        # Only profiles that name one of the URL's host keys are asked: a profile asked about
        # every foreign host would remember each (profiles x hosts).
        held = sorted(
            (self._by_host[key] for key in keys if key in self._by_host), key=lambda p: p[0]
        )
        return next((profile for _, profile in held if profile.owns(url)), None)

    def _host_keys(self, url: str) -> frozenset[str]:
        parts = split_url(url)  # an archived URL may be anything: one that does not parse
        if parts is None:
            return frozenset()
        netloc = (parts.scheme, parts.netloc)
        keys = self._keys.get(netloc)
        if keys is None:
            if len(self._keys) >= _KEPT_NETLOCS:
                self._keys.clear()
            keys = self._keys[netloc] = host_keys(parts)
        return keys

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
        forced.adopt(parts.netloc)  # in place: a new profile per host was quadratic
        self.adopted_hosts.append(parts.netloc.lower())
        return forced

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
            f"no article URL of {names} among the {count(self.captures, 'capture')} read "
            "(check the profile's article_url)"
        )


def is_profile_record(record: ArchivedRecord) -> bool:
    content_type = (record.content_type or "").replace(" ", "").lower()
    return record.type == "metadata" and content_type == PROFILE_CONTENT_TYPE.replace(" ", "")
