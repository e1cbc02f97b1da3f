from __future__ import annotations

import pytest

from scraper.sites.listing import GenericListingPage

LISTING = """<html><head><link rel="stylesheet" href="/s.css"></head><body>
<a href="/Detail/2023/02/19/698345/a">A</a>
<a href="https://presstv.ir/Detail/2023/02/19/698346/b">B</a>
<a href="/Detail/2023/02/19/698345/a#comments">A again</a>
<a href="ftp://x.test/file">ftp</a> <a href="tel:123">tel</a> <a href="  /Section/101 ">section</a>
</body></html>"""


def test_article_links_absolute_unique_in_order() -> None:
    page = GenericListingPage("https://www.presstv.co.uk/Section/101", LISTING)
    assert page.article_links() == [
        "https://www.presstv.co.uk/Detail/2023/02/19/698345/a",
        "https://presstv.ir/Detail/2023/02/19/698346/b",
        "https://www.presstv.co.uk/Section/101",
    ]


def test_base_href_is_honoured() -> None:
    html = '<html><head><base href="https://mirror.test/x/"></head><body><a href="y">y</a></body></html>'
    assert GenericListingPage("https://a.test/", html).article_links() == [
        "https://mirror.test/x/y"
    ]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<link rel="next" href="?page=2"><a href="/older">Older posts</a>',
            "https://x.test/s?page=2",
        ),
        ('<a href="/s/2" rel="next nofollow">2</a>', "https://x.test/s/2"),
        ('<a href="/s/1">1</a><a href="/s/3">Next ›</a>', "https://x.test/s/3"),
        ('<a href="/s/4">»</a>', "https://x.test/s/4"),
        ('<a href="/s/5" class="pagination__next"><span></span></a>', "https://x.test/s/5"),
        ('<a href="/s/6" aria-label="Next page"><svg></svg></a>', "https://x.test/s/6"),
        ('<a href="/s/7">Older entries</a>', "https://x.test/s/7"),
        ('<a href="/s/8">التالي</a>', "https://x.test/s/8"),
        ('<a href="/next-steps-for-iran">Next steps for Iran in the talks</a>', None),
        ('<a href="/s">Next</a>', None),  # points at this very page
        ("<p>no pagination</p>", None),
    ],
)
def test_next_page(html: str, expected: str | None) -> None:
    page = GenericListingPage("https://x.test/s", f"<html><head></head><body>{html}</body></html>")
    assert page.next_page() == expected
