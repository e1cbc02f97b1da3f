"""The article's own pictures, with captions and credits (``scraper.sites.figures.collect``), and how
``read_metadata`` merges them with the cover the markup states."""

from __future__ import annotations

import json

import pytest

from scraper.sites.article import Image
from scraper.sites.figures.collect import article_figures, merge_images
from scraper.sites.figures.credits import split_credit
from scraper.sites.figures.urls import picture_key
from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import make_soup
from scraper.sites.metadata.read import read_metadata

URL = "https://news.example.com/2026/03/09/story.html"
PROSE = (
    "<p>"
    + "A sentence of the article, long enough to be prose, with commas, and a point. " * 4
    + "</p>"
)


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>Story</title>{head}</head><body><article><h1>Story</h1>"
        f"{PROSE}{body}{PROSE}</article></body></html>"
    )


def figures(body: str, head: str = "") -> list[Image]:
    return article_figures(make_soup(page(body, head)), URL)


def test_figure_with_figcaption_and_credit_span() -> None:
    found = figures(
        '<figure><img src="/img/tanks.jpg" width="800" height="450">'
        '<figcaption>Tanks at the border. <span class="credit">Photo: Jane Doe/Reuters</span>'
        "</figcaption></figure>"
    )
    assert found == [
        Image("https://news.example.com/img/tanks.jpg", "Tanks at the border.", "Jane Doe/Reuters")
    ]


def test_figure_footer_is_its_credit() -> None:
    found = figures(
        '<figure><img src="/a.jpg"><figcaption>Demo in Hamburg.</figcaption>'
        "<footer>Imago/Blaulicht</footer></figure>"
    )
    assert found == [Image("https://news.example.com/a.jpg", "Demo in Hamburg.", "Imago/Blaulicht")]


def test_lazy_loaded_image_takes_the_real_address_not_the_placeholder() -> None:
    found = figures(
        '<figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
        'data-src="//cdn.example.com/photos/harbour-1200.jpg" class="lazyload">'
        "<figcaption>The harbour.</figcaption></figure>"
        '<figure><img src="/static/blank.gif" data-srcset="/p/market-400.jpg 400w, /p/market-1600.jpg 1600w">'
        "<figcaption>The market.</figcaption></figure>"
    )
    assert [image.url for image in found] == [
        "https://cdn.example.com/photos/harbour-1200.jpg",
        "https://news.example.com/p/market-1600.jpg",
    ]


def test_picture_sources_stand_in_for_a_placeholder_img() -> None:
    found = figures(
        '<figure><picture><source srcset="/p/a-640.webp 640w, /p/a-1280.webp 1280w">'
        '<img src="data:,x"></picture></figure>'
    )
    assert [image.url for image in found] == ["https://news.example.com/p/a-1280.webp"]


def test_trailing_foto_credit_leaves_the_caption() -> None:
    found = figures(
        '<figure><img src="/a.jpg"><figcaption>Die Demonstranten vor dem Kanzleramt '
        "(Foto: dpa)</figcaption></figure>"
    )
    assert found == [
        Image("https://news.example.com/a.jpg", "Die Demonstranten vor dem Kanzleramt", "dpa")
    ]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            "A soldier in Kupyansk, October 4, 2022. (File photo by AP)",
            ("A soldier in Kupyansk, October 4, 2022.", "AP"),
        ),
        (
            "Rescue workers at the site (Photo by Reuters)",
            ("Rescue workers at the site", "Reuters"),
        ),
        ("Crowds in Berlin. Foto: Kay Nietfeld/dpa", ("Crowds in Berlin.", "Kay Nietfeld/dpa")),
        ("Der Bundesrat in Bern. Bild: Keystone", ("Der Bundesrat in Bern.", "Keystone")),
        ("The summit in Rome © AFP", ("The summit in Rome", "AFP")),
        ("Storm damage in Texas. Credit: Jane Doe", ("Storm damage in Texas.", "Jane Doe")),
        (
            "Barr: »Es gibt Mängel« Andrew Harnik / AP",
            ("Barr: »Es gibt Mängel«", "Andrew Harnik / AP"),
        ),
        (
            "More than 3,000 documents were released. (AP)",
            ("More than 3,000 documents were released.", "AP"),
        ),
        # not credits
        (
            "Ein Mitglied der Brigade bei einer Kundgebung. (Archivbild)",
            ("Ein Mitglied der Brigade bei einer Kundgebung. (Archivbild)", None),
        ),
        ("Joe Biden (left) and Kamala Harris", ("Joe Biden (left) and Kamala Harris", None)),
        ("Die Quelle: ein Brunnen im Park", ("Die Quelle: ein Brunnen im Park", None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str | None, str | None]) -> None:
    assert split_credit(caption) == expected


def test_teasers_and_chrome_are_not_the_articles_pictures() -> None:
    found = figures(
        '<figure><img src="/own.jpg"><figcaption>Our own picture.</figcaption></figure>'
        '<a href="/2026/03/08/other-story.html"><figure><img src="/teaser.jpg">'
        "<figcaption>Another story</figcaption></figure></a>"
        '<figure><a href="/2026/03/07/third.html"><img src="/teaser2.jpg"></a></figure>'
        '<aside><figure><img src="/aside.jpg"><figcaption>In the margin</figcaption></figure></aside>'
        '<div class="related-articles"><figure><img src="/related.jpg"></figure></div>'
        '<nav><figure><img src="/nav.jpg"></figure></nav>'
        '<footer><figure><img src="/footer.jpg"></figure></footer>'
    )
    assert [image.url for image in found] == ["https://news.example.com/own.jpg"]


def test_a_link_to_the_full_size_picture_is_not_a_teaser() -> None:
    found = figures('<figure><a href="/img/big.jpg"><img src="/img/small.jpg"></a></figure>')
    assert [image.url for image in found] == ["https://news.example.com/img/small.jpg"]


def test_tracking_pixels_logos_and_icons_are_left_out() -> None:
    found = figures(
        '<figure><img src="https://t.example.net/px.gif?id=1" width="1" height="1"></figure>'
        '<figure><img src="/brand/site-logo.png"></figure>'
        '<figure><img class="avatar" src="/authors/jane.jpg"></figure>'
        '<figure><img src="/photos/real.jpg" width="1200" height="675"></figure>'
    )
    assert [image.url for image in found] == ["https://news.example.com/photos/real.jpg"]


def test_a_captioned_image_outside_a_figure() -> None:
    found = figures(
        '<div class="media"><img src="/photos/flood.jpg">'
        '<p class="image-caption">The flooded street. Foto: THW</p></div>'
    )
    assert found == [
        Image("https://news.example.com/photos/flood.jpg", "The flooded street.", "THW")
    ]


def test_jsonld_image_object_credit_text() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Story",
        "image": {
            "@type": "ImageObject",
            "url": "https://cdn.example.com/lead.jpg",
            "caption": "The lead picture",
            "creditText": "Photo: Jane Doe / AFP",
        },
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    data = read_metadata(make_soup(page("", head)), URL)
    assert data.images == [
        Image("https://cdn.example.com/lead.jpg", "The lead picture", "Jane Doe / AFP")
    ]


def test_image_object_copyright_holder_and_author() -> None:
    for node, credit in [
        ({"copyrightHolder": {"@type": "Organization", "name": "Reuters"}}, "Reuters"),
        ({"author": [{"@type": "Person", "name": "Jane Doe"}, "AP"]}, "Jane Doe / AP"),
    ]:
        ld = {"@type": "NewsArticle", "image": {"@type": "ImageObject", "url": "/lead.jpg", **node}}
        head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        assert read_metadata(make_soup(page("", head)), URL).images[0].credit == credit


def test_microdata_image_object_credit() -> None:
    found = figures(
        '<figure itemscope itemtype="https://schema.org/ImageObject">'
        '<img itemprop="contentUrl" src="/m.jpg"><figcaption itemprop="caption">Harbour</figcaption>'
        '<span itemprop="copyrightHolder">Keystone</span></figure>'
    )
    assert found == [Image("https://news.example.com/m.jpg", "Harbour", "Keystone")]


def test_cover_and_the_same_figure_are_one_image() -> None:
    head = (
        '<meta property="og:image" content="https://cdn.example.com/photos/1200x630/harbour-at-dawn.jpg">'
        '<meta property="og:image:alt" content="Harbour">'
    )
    body = (
        '<figure><img src="https://cdn.example.com/photos/800x450/harbour-at-dawn.jpg?w=800">'
        "<figcaption>The harbour at dawn. Photo: Jane Doe</figcaption></figure>"
        '<figure><img src="https://cdn.example.com/photos/800x450/market.jpg">'
        "<figcaption>The market.</figcaption></figure>"
    )
    data = read_metadata(make_soup(page(body, head)), URL)
    assert data.images == [
        # the cover's place, the rendition and caption the article shows
        Image(
            "https://cdn.example.com/photos/800x450/harbour-at-dawn.jpg?w=800",
            "The harbour at dawn.",
            "Jane Doe",
        ),
        Image("https://cdn.example.com/photos/800x450/market.jpg", "The market.", None),
    ]


def test_the_same_url_twice_is_one_image_and_different_pictures_stay_apart() -> None:
    merged = merge_images(
        [Image("https://x.test/a.jpg")],
        [
            Image("https://x.test/a.jpg", "A", "dpa"),
            Image("https://x.test/img/1.jpg"),
            Image("https://x.test/img/2.jpg"),
        ],
    )
    assert merged == [
        Image("https://x.test/a.jpg", "A", "dpa"),
        Image("https://x.test/img/1.jpg"),
        Image("https://x.test/img/2.jpg"),
    ]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        (
            "https://static.example.com/1080x608_cmsv2_13a842da-8406340.jpg",
            "https://static.example.com/1440x810_cmsv2_13a842da-8406340.jpg",
            True,
        ),
        (
            "https://example.com/wp-content/uploads/2025/10/GettyImages-2242056166-1024x683.jpg",
            "https://example.com/wp-content/uploads/2025/10/GettyImages-2242056166.jpg",
            True,
        ),
        (
            "https://img.example.com/photo.jpg?w=400",
            "https://img.example.com/photo.jpg?w=1200",
            None,
        ),
        (
            "https://resizer.example.com/abc=/500x0/https%3A%2F%2Fcdn.example.com%2Ffs%2F1bfb0c76-d878",
            "https://cdn.example.com/fs/1bfb0c76-d878",
            True,
        ),
        # different pictures of one article, sharing the article's id and date
        (
            "https://images.example.com/publication/C-16879335/bc1bd0eee50f522a.jpg",
            "https://images.example.com/publication/C-16879335/77aa2f3310c4e9d1.jpg",
            False,
        ),
        ("https://x.test/img/1.jpg", "https://x.test/img/2.jpg", False),
    ],
)
def test_picture_key(first: str, second: str, same: bool | None) -> None:
    if same is None:  # a key too weak to tell pictures apart: never merged by it
        assert picture_key(first) is None or picture_key(first) == picture_key(second)
    elif same:
        assert picture_key(first) is not None and picture_key(first) == picture_key(second)
    else:
        assert picture_key(first) != picture_key(second) or picture_key(first) is None


def test_generic_page_gives_figures_with_credits() -> None:
    html = page('<figure><img src="/a.jpg"><figcaption>The scene (Foto: dpa)</figcaption></figure>')
    item = GenericArticlePage(URL, html).to_item()
    assert item is not None
    assert item.images == [Image("https://news.example.com/a.jpg", "The scene", "dpa")]
    assert item.to_dict()["images"] == [
        {"url": "https://news.example.com/a.jpg", "caption": "The scene", "credit": "dpa"}
    ]


def test_deeply_nested_figure_is_walked_without_recursion() -> None:
    deep = (
        "<div>" * 50_000
        + '<figure><img src="/deep.jpg"><figcaption>Deep</figcaption></figure>'
        + "</div>" * 50_000
    )
    soup = make_soup(f"<html><body><article>{deep}</article></body></html>")
    assert [image.url for image in article_figures(soup, URL)] == [
        "https://news.example.com/deep.jpg"
    ]


def test_a_caption_ending_in_an_unmarked_credit_element() -> None:
    found = figures(
        '<figure><img src="/a.jpg"><figcaption><span>Rescue workers at the site.</span>'
        "<span>Alketa Misja (dpa/picture alliance)</span></figcaption></figure>"
    )
    assert found == [
        Image(
            "https://news.example.com/a.jpg",
            "Rescue workers at the site.",
            "Alketa Misja (dpa/picture alliance)",
        )
    ]


def test_a_lead_named_teaser_is_the_articles_when_it_links_nowhere() -> None:
    found = figures(
        '<div class="header-teaser"><figure><img src="/lead.jpg"></figure></div>'
        '<div class="teaser"><figure><img src="/other.jpg"></figure>'
        '<h3><a href="/2026/03/01/other.html">Another story</a></h3></div>'
    )
    assert [image.url for image in found] == ["https://news.example.com/lead.jpg"]


def test_author_portraits_are_not_the_articles_pictures() -> None:
    found = figures(
        '<figure><img src="/p/harbour.jpg"></figure>'
        '<div class="author-box"><figure><img src="/p/jane.jpg"></figure></div>'
        '<figure><img src="https://cdn.example.com/authors/john.jpg"></figure>'
    )
    assert [image.url for image in found] == ["https://news.example.com/p/harbour.jpg"]


def test_structured_data_crops_of_one_picture_are_one_cover() -> None:
    ld = {
        "@type": "NewsArticle",
        "image": [
            "https://img.example.com/4711/4711_1762438625_v4_3_800.jpeg",
            "https://img.example.com/4711/4711_1762438625_v1_1_400.jpeg",
            "https://img.example.com/4711/4711_1762438625_v16_9_1200.jpeg",
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    body = (
        '<figure><img src="https://img.example.com/4711/4711_1762438625_v16_9_1200.jpeg">'
        "<figcaption>The harbour.</figcaption></figure>"
    )
    data = read_metadata(make_soup(page(body, head)), URL)
    assert data.images == [
        Image("https://img.example.com/4711/4711_1762438625_v16_9_1200.jpeg", "The harbour.", None)
    ]


def test_numbered_pictures_of_one_article_stay_apart() -> None:
    ld = {
        "@type": "NewsArticle",
        "image": [
            "https://media.example.com/assets/d41586-025-04160-8_52015120.jpg",
            "https://media.example.com/assets/d41586-025-04160-8_52015114.jpg",
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    data = read_metadata(make_soup(page("", head)), URL)
    assert len(data.images) == 2
    gallery = merge_images(
        [],
        [
            Image("https://x.test/gallery/flood-in-valencia/01.jpg"),
            Image("https://x.test/gallery/flood-in-valencia/02.jpg"),
        ],
    )
    assert len(gallery) == 2


def test_amp_image_with_its_caption_and_credit_in_microdata() -> None:
    found = figures(
        '<figure itemprop="image" itemscope itemtype="http://schema.org/ImageObject">'
        '<meta itemprop="url" content="https://cdn.example.com/ivy-615.jpg">'
        '<meta itemprop="description" content="English Ivy is easy to grow">'
        '<meta itemprop="author" content="(Image: Getty Images/iStockphoto)">'
        '<amp-img class="image" src="https://cdn.example.com/ivy-615.jpg" width="615" height="442">'
        "</amp-img></figure>"
    )
    assert found == [
        Image(
            "https://cdn.example.com/ivy-615.jpg",
            "English Ivy is easy to grow",
            "Getty Images/iStockphoto",
        )
    ]


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Вид на город. Фото: РИА Новости", ("Вид на город.", "РИА Новости")),
        ("Akşam saatleri. Fotoğraf: AA", ("Akşam saatleri.", "AA")),
        ("De haven bij nacht. Beeld: ANP", ("De haven bij nacht.", "ANP")),
    ],
)
def test_credit_labels_in_more_languages(caption: str, expected: tuple[str, str]) -> None:
    assert split_credit(caption) == expected
