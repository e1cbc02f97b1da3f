"""What became of a mirror's requests, in words that add up (the closing summary's mirror
lines and the live panel say the same).

Every download attempt sent to a mirror (``requests``, Scrapy's retries included) ends one
way: ``ok`` (it served the page, checked by the spider where a page is checked), ``failed``
(the mirror's fault: an error, a 5xx, a block page, a wrong page another mirror got right; by
reason), ``retried`` (Scrapy asked the same mirror again: a 503 retried twice is 2 retried and
1 failed) or, for the rest, no verdict: a 404 or a wrong page that every mirror gave (the
site's doing, not the mirror's), or a request still out when the run stopped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archive.wording import noun


def mirror_tally(mirror: Mapping[str, Any]) -> str:
    """``111 requests: 72 ok, 13 failed (http_503 13), 26 retried``, and ``, 2 no verdict``
    when some had none (see the module's docstring)."""
    failures: Mapping[str, int] = mirror.get("failures") or {}
    requests = int(mirror.get("requests", 0))
    ok, retried = int(mirror.get("successes", 0)), int(mirror.get("retries", 0))
    failed = sum(failures.values())
    reasons = ", ".join(f"{reason} {n}" for reason, n in failures.items())
    line = f"{requests:,} {noun(requests, 'request')}: {ok:,} ok, {failed:,} failed"
    line += f" ({reasons})" if reasons else ""
    if retried:
        line += f", {retried:,} retried"
    rest = requests - ok - failed - retried
    if rest > 0:
        line += f", {rest:,} no verdict"
    return line
