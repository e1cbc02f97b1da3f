"""What became of a page, in the words the crawl's stats, its run report and replay's share.

The article keeper (``archive.article_keeper``) decides them for a crawl and a replay alike;
the run report reads them back (its ``incremental`` summary). Defined here once, so a count
cannot be spelled one way where it is made and another where it is read.
"""

from __future__ import annotations

# Why a page is no record (a crawl fails the page over to the next mirror for these but the
# first; replay counts them).
TOO_LARGE = "too_large"
NOT_A_PAGE = "not_a_page"
BLOCKED = "blocked"
NO_ARTICLE = "no_article"
# What the index made of a kept article's text, and the counts a written record adds.
NEW = "new"
CHANGED = "changed"
MINOR_CHANGE = "changed/minor"
DUPLICATE = "duplicate"
UNCHANGED = "unchanged/same_text"
NOT_MODIFIED = "unchanged/not_modified"  # a 304 (crawl) or its revisit (replay): nothing read
ARTICLE = "article"  # one record written
NOT_WRITTEN = "not_written"  # a crawl stopping (a full disk): fetched again next run
