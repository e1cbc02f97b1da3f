"""Deutsche Welle's page object on real pages of both of its templates, and its profile.

The pages are in tests/fixtures/dw (sources and licences in its LICENSE.md); every value
expected below was read off the page itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.sites import article_page_class
from scraper.sites.article import ArticleData, Image
from scraper.sites.dw import DwArticlePage
from scraper.sites.profile import load_profile

FIXTURES = Path(__file__).parent / "fixtures" / "dw"
LEGACY_URL = "https://www.dw.com/de/ukrainische-gegenoffensive-ziele-chancen-risiken/a-65464327"
CURRENT_URL = (
    "https://www.dw.com/de/russland-wahl-nadeschdin-setzt-auf-ein-ende-der-putin-%C3%A4ra"
    "/a-68117411"
)


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def read(url: str, html: str) -> ArticleData:
    item = DwArticlePage(url, html).to_item()
    assert item is not None
    return item


@pytest.fixture(scope="module")
def legacy() -> ArticleData:
    return read(LEGACY_URL, page("dw_65464327_2023.html"))


@pytest.fixture(scope="module")
def current() -> ArticleData:
    return read(CURRENT_URL, page("dw_68117411_2024.html"))


def test_the_dw_extractor_is_registered() -> None:
    assert article_page_class("dw") is DwArticlePage


def test_legacy_template_fields(legacy: ArticleData) -> None:
    assert legacy.title == "Ukrainische Gegenoffensive: Ziele, Chancen, Risiken"
    # "Datum 28.04.2023" under the text; the metadata's 2023-04-24 dates an earlier draft
    assert legacy.published == "2023-04-28"
    assert legacy.authors == ["Roman Goncharenko"]  # "Autorin/Autor Roman Goncharenko"
    assert legacy.section == "Krieg in der Ukraine"
    assert legacy.description == (
        "Die Ukraine bereitet sich auf eine womöglich entscheidende Gegenoffensive vor, um "
        "die von Russland besetzten Gebiete zu befreien. Je länger Kiew wartet, desto besser "
        "scheinen seine Chancen."
    )
    assert legacy.fallbacks == []


def test_legacy_template_body_and_pictures(legacy: ArticleData) -> None:
    paragraphs = legacy.body.split("\n\n")
    assert len(paragraphs) == 17  # 13 paragraphs, 4 sub-headings
    assert paragraphs[0].startswith("Eine Autobahn in Polen nahe der Grenze zur Ukraine.")
    assert "Kämpfe um Bachmut, um Zeit zu gewinnen" in paragraphs
    assert paragraphs[-1].endswith(
        "Er hofft deshalb auf weitere Konvois mit schwerem Kriegsgerät aus dem Westen."
    )
    for chrome in ("Die Redaktion empfiehlt", "Ukraine: Besuch an der Front", "Datum"):
        assert chrome not in legacy.body
    assert legacy.images[0] == Image(
        url="https://static.dw.com/image/65453399_303.jpg",
        caption="Ukrainische Kriegstechnik bei den Kämpfen um Bachmut, 24. April 2023",
    )
    assert len(legacy.images) == 3


def test_current_template_fields(current: ArticleData) -> None:
    assert current.title == "Russland-Wahl: Nadeschdin setzt auf ein Ende der Putin-Ära"
    # printed "30.01.2024"; the structured instant falls on it
    assert current.published == "2024-01-30T14:13:12.269000+00:00"
    assert current.authors == ["Jennifer Pahlke"]
    assert current.section == "Politik"
    assert current.description is not None
    assert current.description.startswith("Tausende standen für ihn stundenlang in der Kälte")
    assert current.fallbacks == []


def test_current_template_body_and_pictures(current: ArticleData) -> None:
    paragraphs = current.body.split("\n\n")
    assert len(paragraphs) == 17  # 13 paragraphs, 4 sub-headings
    assert paragraphs[0].startswith("Die erste Hürde hat er gemeistert: Boris Nadeschdin")
    assert "Wer ist Boris Nadeschdin?" in paragraphs
    assert paragraphs[-1].endswith("würde sichtbare Kratzer bekommen.")
    for chrome in ("Anzeige", "Ihr Feedback", "Alles streng im Blick", "Bild:"):
        assert chrome not in current.body
    assert current.images == [
        Image(
            url="https://static.dw.com/image/68059583_605.jpg",
            caption="Gilt als einziger Antikriegskandidat für die russische "
            "Präsidentschaftswahl: Boris Nadeschdin",
            credit="Mikhail Sinitsyn/TASS/dpa/picture alliance",
        ),
        # in the text, a script's placeholder whose address is a template: the lead's format
        Image(
            url="https://static.dw.com/image/59234409_605.jpg",
            caption="Alles streng im Blick: Bilder von Überwachungskameras in Wahllokalen "
            "während der Parlamentswahl 2021",
            credit="Shamil Zhumatov/REUTERS",
        ),
        Image(
            url="https://static.dw.com/image/67807421_605.jpg",
            caption="Wollte gegen Putin antreten, wurde aber von der Wahl ausgeschlossen: die "
            "Journalistin Ekaterina Duntzova",
            credit="Alexander Zemlianichenko/AP Photo/picture alliance",
        ),
        Image(
            url="https://static.dw.com/image/64566788_605.jpg",
            caption="Wladimir Putin auf einer Wahlkampfveranstaltung im Moskauer Luschniki-Stadion",
            credit="Pavel Golovkin/dpa/picture alliance",
        ),
    ]


def test_a_page_printing_no_day_takes_the_metadata_date_as_a_fallback() -> None:
    html = page("dw_68117411_2024.html").replace(
        '<time aria-hidden="true">30.01.2024</time>',
        '<time aria-hidden="true">vor 3 Stunden</time>',
    )
    item = read(CURRENT_URL, html)
    assert item.published == "2024-01-30T14:13:12.269000+00:00"
    assert item.fallbacks == ["published"]


def test_a_redesigned_text_container_falls_back_to_the_generic_body() -> None:
    html = page("dw_68117411_2024.html").replace(" rich-text has-italic", " story has-italic")
    item = read(CURRENT_URL, html)
    assert item.fallbacks == ["body"]
    assert item.body.startswith("Die erste Hürde hat er gemeistert")
    assert item.body.endswith("würde sichtbare Kratzer bekommen.")


# Links of the two pages: articles, and what is not one.
ARTICLES = {
    "/de/bachmut-die-umkämpfte-stadt/a-65223166": "dw:65223166",
    "/de/wahlkommission-in-russland-lässt-putin-gegnerin-nicht-zu/a-67811822": "dw:67811822",
    "/a-18265186": "dw:18265186",  # linked so on both pages
    "/de/definition-und-nutzung-von-daten-durch-die-deutsche-welle-gemäß-eu-dsgvo/a-18265186": (
        "dw:18265186"
    ),
    "/de/russland-wahl-nadeschdin-setzt-auf-ein-ende-der-putin-%C3%A4ra/a-68117411": (
        "dw:68117411"
    ),
}
NOT_ARTICLES = [
    "/de/ukrainischer-militärgeheimdienst-zuversichtlich/av-65422743",  # a video
    "/de/russland/t-17284476",  # a topic
    "/de/europa/s-12322",  # a section
    "/ru/темы-дня/s-9119",
    "/overlay/media/de/ukraine-besuch-an-der-front/65445082/65464327",
    "/de/live-tv/channel-english",
    "/de/themen-von-a-bis-z/index-de/a",
    "/search/de",
    "/",
]


@pytest.mark.parametrize("origin", ["https://www.dw.com", "https://dzads5diaxooi.cloudfront.net"])
def test_the_dw_profile_matches_articles_on_every_host(origin: str) -> None:
    profile = load_profile("dw")
    assert profile.extractor == "dw"
    assert origin in profile.origins
    for path, article_id in ARTICLES.items():
        match = profile.match_article(origin + path)
        assert match is not None, path
        assert profile.article_id(match) == article_id
        assert profile.canonical_url(match) == f"https://www.dw.com/a-{article_id[3:]}"
    for path in NOT_ARTICLES:
        assert profile.match_article(origin + path) is None, path


def test_the_dw_profile_finds_its_feeds_itself() -> None:
    profile = load_profile("dw")
    assert profile.finds_feeds  # no feed named: DW's pages declare none on their host


@pytest.mark.parametrize("printed", ["31.02.2024", "00.13.2024", "99.99.99999"])
def test_an_impossible_printed_day_is_no_day(printed: str) -> None:
    html = page("dw_68117411_2024.html").replace(
        '<time aria-hidden="true">30.01.2024</time>', f'<time aria-hidden="true">{printed}</time>'
    )
    item = read(CURRENT_URL, html)
    assert item.published == "2024-01-30T14:13:12.269000+00:00"
    assert item.fallbacks == ["published"]
