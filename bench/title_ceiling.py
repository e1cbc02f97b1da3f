"""How high can exact-title accuracy on fundus's pages go by choosing among the titles a
page states?  A by-hand analysis, not a test:

    python bench/title_ceiling.py [--fundus DIR] [--show]

A page states its headline up to five times: og:title, JSON-LD ``headline``, twitter:title,
``<title>`` and the visible ``<h1>``.  Every headline chooser picks one of them (after
cutting site affixes), so its exact-title rate is bounded by:

* **any source**: pages where at least one stated title, affixes cut, is the ground truth;
* **best fixed order**: the best of the 120 priority orders over the five sources, each
  page taking the first source it has;
* **agreement oracle**: pages are grouped by which of their sources agree with which
  (spelled alike, or alike but for case/punctuation); in each group, the one source that is
  right most often.  A rule that looks only at how a page's titles agree, however clever,
  cannot beat it, and the oracle itself is fitted to the answers: a ceiling, not a method.

When the oracle stays under a target, what remains are pages where publishers in the same
situation chose opposite sources for their ground truth (``--show`` lists those groups).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import FUNDUS, GenericArticlePage, load_fundus, read_page, title_exact

from scraper.sites.headline import site_keys, strip_affixes, title_key
from scraper.sites.html import clean_text, make_soup
from scraper.sites.metadata.jsonld import jsonld_article

SOURCES = ("og", "ld", "twitter", "title", "h1")


def stated_titles(url: str, html: str) -> dict[str, str | None]:
    soup = make_soup(html)

    def meta(*names: str) -> list[str]:
        found = []
        for tag in soup.find_all("meta"):
            key = (tag.get("property") or tag.get("name") or "").strip().lower()
            if key in names and isinstance(tag.get("content"), str):
                found.append(clean_text(tag["content"]))
        return found

    ld = jsonld_article(soup) or {}
    headline = ld.get("headline")
    h1s = [clean_text(h.get_text(" ")) for h in soup.find_all("h1")]
    h1s = [h for h in h1s if h]
    sites = site_keys(meta("og:site_name", "application-name", "twitter:site"), url)
    h1_keys = {title_key(h) for h in h1s}
    raw = {
        "og": next(iter(meta("og:title")), None),
        "ld": clean_text(headline) if isinstance(headline, str) else None,
        "twitter": next(iter(meta("twitter:title")), None),
        "title": clean_text(soup.title.get_text()) if soup.title else None,
    }
    titles = {
        name: strip_affixes(text, h1_keys, sites) if text else None for name, text in raw.items()
    }
    titles["h1"] = next((h for h in h1s if title_key(h) not in sites), None)
    return titles


def agreement(titles: dict[str, str | None]) -> tuple:
    def pattern(a: str) -> tuple:
        if not titles[a]:
            return (a, None)
        same = tuple(b for b in SOURCES if b != a and titles[b] == titles[a])
        alike = tuple(
            b
            for b in SOURCES
            if b != a
            and titles[b]
            and titles[b] != titles[a]
            and title_key(titles[b]) == title_key(titles[a])
        )
        return (a, same, alike)

    return tuple(pattern(a) for a in SOURCES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fundus", type=Path, default=FUNDUS)
    parser.add_argument(
        "--show",
        action="store_true",
        help="list the groups where the ground truth picks different sources",
    )
    args = parser.parse_args()
    pages = load_fundus(args.fundus)
    rows = []
    ours = 0
    for page in pages:
        html = read_page(page.path)
        truth = page.truth.get("title") or ""
        titles = stated_titles(page.url, html)
        right = frozenset(n for n, t in titles.items() if t and title_exact(truth, t))
        rows.append((page.site, titles, right))
        item = GenericArticlePage(page.url, html).to_item()
        ours += title_exact(truth, item.title if item else None)

    total = len(rows)
    any_source = sum(bool(right) for _, _, right in rows)
    best_order, best_hits = None, -1
    for order in itertools.permutations(SOURCES):
        hits = 0
        for _, titles, right in rows:
            first = next((n for n in order if titles[n]), None)
            hits += first in right
        if hits > best_hits:
            best_order, best_hits = order, hits
    groups: dict[tuple, list[tuple[str, frozenset[str]]]] = defaultdict(list)
    for site, titles, right in rows:
        groups[agreement(titles)].append((site, right))
    oracle = 0
    split_groups = []
    for members in groups.values():
        votes = Counter(n for _, right in members for n in right)
        best = max(votes.values(), default=0)
        oracle += best
        if best < len(members) and len(members) > 1:
            split_groups.append(members)

    print(f"{total} fundus pages: exact title")
    print(f"  ours (GenericArticlePage)           {ours / total:.3f}  ({ours})")
    print(
        f"  best fixed source order             {best_hits / total:.3f}  ({best_hits}: "
        f"{' > '.join(best_order or ())})"
    )
    print(
        f"  agreement oracle (fitted ceiling)   {oracle / total:.3f}  ({oracle}, "
        f"{len(groups)} agreement patterns)"
    )
    print(f"  any stated title                    {any_source / total:.3f}  ({any_source})")
    if args.show:
        print("\npatterns where the ground truth picks different sources:")
        for members in split_groups:
            for site, right in members:
                print(f"  {site:40} right: {', '.join(sorted(right)) or '-'}")
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
