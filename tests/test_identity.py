"""Identity across mirrors: every URL of a site, on any host and in any spelling, gives one
canonical URL on the primary and one article id; a page's own canonical is trusted only when it
stays inside the site and names the same article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.sites.identity import choose_canonical, site_canonical_url
from scraper.sites.profile import SiteProfile, load_profile, parse_profile, with_origins
from scraper.sites.url_normalisation import is_tracking_parameter, rebased_url, without_tracking

SAMPLES = json.loads(
    (Path(__file__).parent / "fixtures" / "presstv" / "url_samples.json").read_text(
        encoding="utf-8"
    )
)

# What a person reading each real URL would call it: the id-only form Press TV's own
# rel=canonical uses, on www.presstv.ir, whatever the host, scheme, case or slug.
EXPECTED = {
    "https://www.presstv.ir/Detail/2023/08/29/709841/Press-TV-s-news-headlines": (
        "https://www.presstv.ir/Detail/2023/08/29/709841",
        "presstv:709841",
    ),
    "https://www.presstv.ir/Detail/2023/09/27/711642/Press-TV-s-news-headlines-": (
        "https://www.presstv.ir/Detail/2023/09/27/711642",
        "presstv:711642",
    ),
    "https://www.presstv.ir/Detail/2023/03/29/700635/Press-Tv-s-news-headlines-": (
        "https://www.presstv.ir/Detail/2023/03/29/700635",
        "presstv:700635",
    ),
    "https://www.presstv.ir/Detail/2022/11/19/693027/Press-TV-news-headlines": (
        "https://www.presstv.ir/Detail/2022/11/19/693027",
        "presstv:693027",
    ),
    "https://www.presstv.com/Detail/2019/03/17/591277/SyriaIran-meeting-Iran-and-US-in-Iraq-Trump-a-liar": (
        "https://www.presstv.ir/Detail/2019/03/17/591277",
        "presstv:591277",
    ),
    "https://www.presstv.co.uk/Detail/2026/02/11/763881/Press-TV-s-news-headlines": (
        "https://www.presstv.ir/Detail/2026/02/11/763881",
        "presstv:763881",
    ),
    "https://www.presstv.co.uk/Detail/2026/08/27/775150/Aerial-footage-shows-massive-floods-in-Nepal-Rasuwa-district": (
        "https://www.presstv.ir/Detail/2026/08/27/775150",
        "presstv:775150",
    ),
    "http://www.presstv.ir/Detail/2016/04/09/459911/Australian-sewerage-treatment-facility-/": (
        "https://www.presstv.ir/Detail/2016/04/09/459911",
        "presstv:459911",
    ),
    "https://www.presstv.co.uk/Detail/2026/09/16/776408/Yemeni-Armed-Forces-target-Aramco-facilities,-King-Khalid-Air-Base-in-Saudi-Arabia": (
        "https://www.presstv.ir/Detail/2026/09/16/776408",
        "presstv:776408",
    ),
    "https://presstv.ir/Detail/2026/08/15/774402/Hezbollah-condemns-Israeli-%E2%80%98massacre%E2%80%99-in-southern-Lebanon-vows-response": (
        "https://www.presstv.ir/Detail/2026/08/15/774402",
        "presstv:774402",
    ),
    "https://presstv.ir/Detail/2026/08/15/774378/Rashida-Tlaib-rally-cancelled-Florida-antisemitism-%C2%A0": (
        "https://www.presstv.ir/Detail/2026/08/15/774378",
        "presstv:774378",
    ),
    "https://www.presstv.com/Detail/2018/12/19/583358/Lebanon-US-Israel-Hezbollah-influence-political-system-war": (
        "https://www.presstv.ir/Detail/2018/12/19/583358",
        "presstv:583358",
    ),
    "http://www.presstv.com/detail/2013/11/12/334416/us-writers-scared-silent-by-nsa-spying/": (
        "https://www.presstv.ir/Detail/2013/11/12/334416",
        "presstv:334416",
    ),
    "https://www.presstv.ir/Detail/2014/12/31/390988/About-PressTV": (
        "https://www.presstv.ir/Detail/2014/12/31/390988",
        "presstv:390988",
    ),
}

SEED = "https://www.presstv.ir/Detail/2023/02/19/698345"

LOOK_ALIKE_HOSTS = [
    "presstv.ir.evil.com",
    "www.presstv.ir.evil.com",
    "evilpresstv.ir",
    "wwwpresstv.ir",
    "www.evilpresstv.ir",
    "presstv.irr",
    "presstv.ir.com",
    "presstv.co",
    "www.presstv.uk",
    "www.www.presstv.ir",
    "ww.presstv.ir",
    "xn--presstv-3ya.ir",
]


@pytest.fixture(scope="module")
def presstv() -> SiteProfile:
    return load_profile("presstv")


def generic_profile_text(
    primary: str = "https://www.example.com",
    mirror: str = "https://example.net",
    article_url: str = r"^/news/[a-z0-9-]+$",
) -> str:
    return (
        'name = "example"\n'
        f'primary = "{primary}"\n'
        f'mirrors = ["{mirror}"]\n'
        f"article_url = '{article_url}'\n"
    )


# -- the real Press TV URLs ---------------------------------------------------------------


def test_expectations_cover_every_sample_article_url() -> None:
    assert len(SAMPLES["article_urls"]) == len(EXPECTED) == 14
    assert set(SAMPLES["article_urls"]) == set(EXPECTED)


@pytest.mark.parametrize("url", list(EXPECTED))
def test_real_article_url_canonicalises_as_a_human_would(presstv: SiteProfile, url: str) -> None:
    canonical, article_id = EXPECTED[url]
    article = presstv.match_article(url)
    assert article is not None, url
    assert presstv.canonical_url(article) == canonical
    assert presstv.article_id(article) == article_id
    assert choose_canonical(presstv, url, None) == canonical
    assert site_canonical_url(presstv, url) == canonical


@pytest.mark.parametrize("url", list(EXPECTED))
def test_real_article_url_is_the_same_article_on_every_mirror(
    presstv: SiteProfile, url: str
) -> None:
    canonical, article_id = EXPECTED[url]
    path = url.split("/", 3)[3]
    for origin in (
        *presstv.origins,
        "http://presstv.ir",
        "https://www.presstv.tv",
        "https://presstv.com",
    ):
        article = presstv.match_article(f"{origin}/{path}")
        assert article is not None, origin
        assert (presstv.canonical_url(article), presstv.article_id(article)) == (
            canonical,
            article_id,
        )


@pytest.mark.parametrize(
    "url", SAMPLES["listing_urls"] + SAMPLES["feed_urls"] + SAMPLES["sitemap_urls"]
)
def test_listing_feed_and_sitemap_urls_are_the_sites_but_not_articles(
    presstv: SiteProfile, url: str
) -> None:
    assert presstv.owns(url)
    assert presstv.match_article(url) is None
    path = url.split("/", 3)[3]
    assert site_canonical_url(presstv, url) == f"https://www.presstv.ir/{path}"


@pytest.mark.parametrize("host", SAMPLES["site_hosts"])
def test_every_host_of_press_tv_is_the_sites(presstv: SiteProfile, host: str) -> None:
    url = f"https://{host}/Detail/2023/02/19/698345/x"
    assert presstv.owns(url)
    article = presstv.match_article(url)
    assert article is not None and presstv.canonical_url(article) == SEED


@pytest.mark.parametrize("host", SAMPLES["other_hosts"] + LOOK_ALIKE_HOSTS)
def test_other_and_look_alike_hosts_are_never_the_sites(presstv: SiteProfile, host: str) -> None:
    for scheme in ("http", "https"):
        url = f"{scheme}://{host}/Detail/2023/02/19/698345/x"
        assert not presstv.owns(url), url
        assert presstv.match_article(url) is None, url
        assert site_canonical_url(presstv, url) is None, url
        assert choose_canonical(presstv, url, SEED) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://www.presstv.ir@evil.com/Detail/2023/02/19/698345/x",  # the host is evil.com
        "https://evil.com/www.presstv.ir/Detail/2023/02/19/698345/x",
        "https://evil.com/?u=https://www.presstv.ir/Detail/2023/02/19/698345/x",
        "https://evil.com:443/Detail/2023/02/19/698345/x",
        "https://www.presstv.ir:8443/Detail/2023/02/19/698345/x",  # another port is another site
        "//evil.com/Detail/2023/02/19/698345/x",
        "mailto:editor@www.presstv.ir",
        "javascript:location='https://www.presstv.ir/'",
        "/Detail/2023/02/19/698345/x",
    ],
)
def test_urls_that_only_mention_the_site_are_not_the_sites(presstv: SiteProfile, url: str) -> None:
    assert not presstv.owns(url)
    assert presstv.match_article(url) is None


# -- spellings of one article ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        SEED,
        f"{SEED}/",
        f"{SEED}/Kremlin-West-not-willing-to-engage-in-Ukraine-peace-efforts",
        f"{SEED}/Kremlin-West-not-willing-",  # trailing '-'
        f"{SEED}/Kremlin-West-not-willing/",  # trailing '/'
        f"{SEED}/-Kremlin-West-not-willing",  # leading '-'
        f"{SEED}/Kremlin--West--not-willing",  # double hyphens
        f"{SEED}/Kremlin,-West,-not-willing",  # commas
        f"{SEED}/Kremlin-%E2%80%98West%E2%80%99",  # encoded curly quotes
        f"{SEED}/Kremlin-‘West’",  # the same quotes unencoded
        f"{SEED}/Kremlin-West-%C2%A0",  # encoded NBSP
        f"{SEED}/Kremlin-West-\u00a0",  # raw NBSP
        f"{SEED}/an-entirely-different-slug",  # the site renamed the article
        f"{SEED}/Kremlin?utm_source=twitter&utm_medium=social#comments",
        "https://www.presstv.ir/detail/2023/02/19/698345/x",
        "https://www.presstv.ir/DETAIL/2023/02/19/698345/x",
        "HTTPS://WWW.PRESSTV.IR/Detail/2023/02/19/698345/x",
        "https://www.presstv.ir.:443/Detail/2023/02/19/698345/x",  # trailing dot, default port
        "http://www.presstv.ir:80/Detail/2023/02/19/698345/x",
        "https://presstv.tv:443/Detail/2023/02/19/698345/x",
        "http://www.presstv.tv/Detail/2023/02/19/698345",
        "https://www.presstv.co.uk/Detail/2023/02/19/698345/x",
        "http://presstv.com/Detail/2023/02/19/698345/x",
    ],
)
def test_every_spelling_of_one_article_is_one_canonical_url_and_id(
    presstv: SiteProfile, url: str
) -> None:
    article = presstv.match_article(url)
    assert article is not None, url
    assert presstv.canonical_url(article) == SEED
    assert presstv.article_id(article) == "presstv:698345"


def test_different_ids_stay_different_articles(presstv: SiteProfile) -> None:
    one = presstv.match_article(f"{SEED}/same-slug")
    other = presstv.match_article("https://www.presstv.ir/Detail/2023/02/19/698346/same-slug")
    assert one is not None and other is not None
    assert presstv.article_id(one) != presstv.article_id(other)
    assert presstv.canonical_url(one) != presstv.canonical_url(other)


def test_www_variants_are_automatic_for_every_declared_host(presstv: SiteProfile) -> None:
    # presstv.toml lists no aliases: bare and www. forms come from the origins alone
    assert presstv.aliases == ()
    assert set(SAMPLES["site_hosts"]) <= presstv.hosts
    assert presstv.hosts == {
        "www.presstv.ir",
        "presstv.ir",
        "www.presstv.co.uk",
        "presstv.co.uk",
        "www.presstv.com",
        "presstv.com",
        "presstv.tv",
        "www.presstv.tv",
    }


def test_loopback_and_single_label_hosts_get_no_www_variant() -> None:
    profile = parse_profile(generic_profile_text("http://127.0.0.1:8081", "http://localhost:8082"))
    assert profile.owns("http://127.0.0.1:8081/news/a")
    assert profile.owns("http://localhost:8082/news/a")
    assert not profile.owns("http://www.127.0.0.1:8081/news/a")
    assert not profile.owns("http://www.localhost:8082/news/a")
    assert profile.hosts == {"127.0.0.1:8081", "localhost:8082"}


def test_removing_www_never_leaves_a_bare_top_level_domain() -> None:
    profile = parse_profile(generic_profile_text("http://www.test:8081", "http://www.example.net"))
    assert profile.owns("http://www.test:8081/news/a")
    assert not profile.owns("http://test:8081/news/a")
    assert profile.hosts == {"www.test:8081", "www.example.net", "example.net"}


def test_www_variant_keeps_the_port() -> None:
    profile = parse_profile(
        generic_profile_text("http://news.test:8081", "http://www.mirror.test:8082")
    )
    assert profile.owns("http://www.news.test:8081/news/a")
    assert profile.owns("http://mirror.test:8082/news/a")
    assert not profile.owns("http://www.news.test/news/a")
    assert not profile.owns("http://mirror.test:8081/news/a")


def test_aliases_are_normalised_and_get_www_variants_too() -> None:
    profile = parse_profile(generic_profile_text() + 'aliases = ["Example.ORG."]\n')
    assert profile.owns("https://example.org/news/a")
    assert profile.owns("https://www.example.org/news/a")
    assert not profile.owns("https://example.org.evil.com/news/a")


def test_ipv6_origin_is_owned_as_urls_spell_it() -> None:
    profile = parse_profile(generic_profile_text("http://[::1]:8081", "http://[::1]:8082"))
    assert profile.owns("http://[::1]:8081/news/a")
    assert not profile.owns("http://[::1]:8083/news/a")
    article = profile.match_article("http://[::1]:8082/news/a")
    assert article is not None and profile.canonical_url(article) == "http://[::1]:8081/news/a"


def test_unusual_spellings_of_foreign_hosts_are_remembered_not_trusted(
    presstv: SiteProfile,
) -> None:
    # the answer for a netloc is cached: asking twice must not flip it
    for _ in range(2):
        assert not presstv.owns("https://user@evil.com/x")
        assert presstv.owns("https://user@www.presstv.ir/x")
        assert not presstv.owns("https://EVIL.com/x")


# -- canonical URL without canonical_path: the fetched URL, normalised, on the primary ------


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example.net/news/a", "https://www.example.com/news/a"),
        ("https://EXAMPLE.net:443/news/a#top", "https://www.example.com/news/a"),
        ("http://www.example.net:80/news/a", "https://www.example.com/news/a"),
        ("https://example.com./news/a", "https://www.example.com/news/a"),
        (
            "https://www.example.com/news/a?utm_source=x&utm_campaign=y",
            "https://www.example.com/news/a",
        ),
        ("https://www.example.com/news/a?UTM_Medium=x", "https://www.example.com/news/a"),
        (
            "https://www.example.com/news/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&_ga=5&ref_src=twsrc",
            "https://www.example.com/news/a",
        ),
        (
            "https://www.example.com/news/a?page=2&utm_source=x",
            "https://www.example.com/news/a?page=2",
        ),
        ("https://www.example.com/news/a?b=2&a=1", "https://www.example.com/news/a?a=1&b=2"),
        ("https://www.example.com/news/a?ref=rss", "https://www.example.com/news/a?ref=rss"),
        ("https://www.example.com/news/a?", "https://www.example.com/news/a"),
    ],
)
def test_without_canonical_path_the_url_is_normalised_on_the_primary(
    url: str, canonical: str
) -> None:
    profile = parse_profile(generic_profile_text() + 'aliases = ["example.com"]\n')
    article = profile.match_article(url)
    assert article is not None, url
    assert profile.canonical_url(article) == canonical
    assert profile.article_id(article) == f"example:{canonical}"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://example.net/a/%e2%80%98q%e2%80%99",
            "https://www.example.com/a/%E2%80%98q%E2%80%99",
        ),
        ("https://example.net/a/‘q’", "https://www.example.com/a/%E2%80%98q%E2%80%99"),
        ("https://example.net/a/b c", "https://www.example.com/a/b%20c"),
        ("https://example.net/a/./b/../c", "https://www.example.com/a/c"),
        (
            "https://example.net/a%2Fb",
            "https://www.example.com/a%2Fb",
        ),  # an encoded '/' is not a '/'
    ],
)
def test_path_percent_encoding_is_normalised(url: str, canonical: str) -> None:
    profile = parse_profile(generic_profile_text(article_url="^/.*"))
    article = profile.match_article(url)
    assert article is not None, url
    assert profile.canonical_url(article) == canonical


def test_site_canonical_url_of_a_bare_origin_is_its_root() -> None:
    profile = parse_profile(generic_profile_text())
    assert site_canonical_url(profile, "https://example.net") == "https://www.example.com/"
    assert (
        site_canonical_url(profile, "http://www.example.net:80?utm_source=x")
        == "https://www.example.com/"
    )
    assert site_canonical_url(profile, "https://example.org") is None


def test_without_an_id_group_spellings_of_one_url_share_one_id() -> None:
    profile = parse_profile(generic_profile_text())
    ids = set()
    for url in (
        "https://www.example.com/news/a",
        "http://example.net/news/a?utm_source=x#c",
        "https://EXAMPLE.NET:443/news/a",
    ):
        article = profile.match_article(url)
        assert article is not None, url
        ids.add(profile.article_id(article))
    assert ids == {"example:https://www.example.com/news/a"}
    other = profile.match_article("https://www.example.com/news/b")
    assert (
        other is not None and profile.article_id(other) == "example:https://www.example.com/news/b"
    )


def test_default_port_spelled_in_the_primary_is_dropped_from_canonical_urls() -> None:
    profile = parse_profile(generic_profile_text(primary="https://www.example.com:443"))
    article = profile.match_article("https://example.net/news/a")
    assert (
        article is not None and profile.canonical_url(article) == "https://www.example.com/news/a"
    )


def test_local_test_profile_keeps_primary_plus_path() -> None:
    # scraper/demo/site.py::write_profile has no canonical_path: the crawl e2e test expects
    # canonical_url == primary + article path, fetched from any of its mirrors
    text = generic_profile_text(
        "http://127.0.0.1:8081",
        "http://127.0.0.2:8082",
        load_profile("presstv").article_url.pattern.replace("(?i:detail)", "[Dd]etail"),
    ).replace("example", "localnews")
    profile = parse_profile(text)
    path = "/Detail/2024/01/02/100007/Officials-said-the-talks-would-resume"
    article = profile.match_article(f"http://127.0.0.2:8082{path}")
    assert article is not None
    assert profile.canonical_url(article) == f"http://127.0.0.1:8081{path}"
    assert profile.article_id(article) == "localnews:100007"


def test_with_origins_moves_canonical_urls_to_the_new_primary(presstv: SiteProfile) -> None:
    local = with_origins(presstv, ["http://127.0.0.1:9001", "http://127.0.0.2:9002"])
    article = local.match_article("http://127.0.0.2:9002/Detail/2023/02/19/698345/x")
    assert article is not None
    assert local.canonical_url(article) == "http://127.0.0.1:9001/Detail/2023/02/19/698345"
    assert local.article_id(article) == "presstv:698345"
    assert not local.owns("https://www.presstv.ir/Detail/2023/02/19/698345/x")


# -- tracking parameters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "utm_source",
        "UTM_CAMPAIGN",
        "utm_id",
        "fbclid",
        "gclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "_hsenc",
        "__hstc",
        "pk_campaign",
        "mtm_source",
        "igshid",
        "yclid",
    ],
)
def test_tracking_parameters_are_recognised(name: str) -> None:
    assert is_tracking_parameter(name)


@pytest.mark.parametrize("name", ["id", "page", "p", "q", "ref", "lang", "utm", "sort", "gclidx"])
def test_content_parameters_are_not_tracking(name: str) -> None:
    assert not is_tracking_parameter(name)


def test_without_tracking_keeps_other_parameters_exactly() -> None:
    assert (
        without_tracking("https://x.test/a?q=%41+b&utm_source=n&empty&q=2&fbclid=z#f")
        == "https://x.test/a?q=%41+b&empty&q=2"
    )
    assert without_tracking("https://x.test/a?q=1#f") == "https://x.test/a?q=1"


def test_rebased_url_ignores_the_serving_host() -> None:
    assert (
        rebased_url("http://mirror.test:8080/p?utm_term=x", "https://www.site.test")
        == "https://www.site.test/p"
    )


# -- choose_canonical: when a page's own canonical is trusted --------------------------------


FETCHED = "https://www.presstv.co.uk/Detail/2023/02/19/698345/Kremlin-West-not-willing"


@pytest.mark.parametrize(
    "page_canonical",
    [
        SEED,
        "https://www.presstv.co.uk/Detail/2023/02/19/698345/Kremlin",  # a mirror advertising itself
        "http://presstv.ir/detail/2023/02/19/698345/",
        "/Detail/2023/02/19/698345/relative-link",
        "//www.presstv.com/Detail/2023/02/19/698345",
        f"  {SEED}  ",
    ],
)
def test_page_canonical_inside_the_site_for_the_same_article_is_rebased(
    presstv: SiteProfile, page_canonical: str
) -> None:
    assert choose_canonical(presstv, FETCHED, page_canonical) == SEED


def test_page_canonical_gives_the_date_when_it_names_the_same_id(presstv: SiteProfile) -> None:
    # the link carried a wrong date; the page's own canonical knows better
    fetched = "https://www.presstv.co.uk/Detail/2023/02/18/698345/Kremlin"
    assert choose_canonical(presstv, fetched, SEED) == SEED
    assert (
        choose_canonical(presstv, fetched, None)
        == "https://www.presstv.ir/Detail/2023/02/18/698345"
    )


@pytest.mark.parametrize(
    "page_canonical",
    [
        None,
        "",
        "   ",
        "https://presstv.ir.evil.com/Detail/2023/02/19/698345/x",  # look-alike host
        "https://evilpresstv.ir/Detail/2023/02/19/698345/x",
        "https://seized.example/Detail/2023/02/19/698345/x",  # a seizure page pointing away
        "https://www.presstv.ir/Detail/2023/02/19/698346/another-article",  # another id
        "https://www.presstv.ir/",  # the homepage (a common CMS mistake)
        "https://www.presstv.ir/Section/101",
        "https://french.presstv.co.uk/Detail/2023/02/19/698345/x",  # another edition, same id
        "not a url at all",
        "ftp://www.presstv.ir/Detail/2023/02/19/698345/x",
    ],
)
def test_page_canonical_elsewhere_is_ignored(
    presstv: SiteProfile, page_canonical: str | None
) -> None:
    assert choose_canonical(presstv, FETCHED, page_canonical) == SEED


def test_page_canonical_picks_the_slug_when_the_profile_keeps_slugs() -> None:
    # an id group but no canonical_path: the page's canonical spelling of the same id wins
    profile = parse_profile(
        generic_profile_text(article_url=r"^/news/(?P<id>\d+)(?:/(?P<slug>[^?#]*))?$")
    )
    fetched = "https://example.net/news/7/old-slug?utm_source=x"
    assert choose_canonical(profile, fetched, None) == "https://www.example.com/news/7/old-slug"
    assert (
        choose_canonical(profile, fetched, "https://example.net/news/7/new-slug")
        == "https://www.example.com/news/7/new-slug"
    )
    assert choose_canonical(profile, fetched, "https://www.example.com/news/8/new-slug") == (
        "https://www.example.com/news/7/old-slug"
    )


def test_without_an_id_group_a_different_page_canonical_is_another_article() -> None:
    # the id is the canonical URL itself, so a canonical naming another URL names another id
    profile = parse_profile(generic_profile_text())
    fetched = "https://example.net/news/a-b?utm_source=x"
    assert choose_canonical(profile, fetched, "https://www.example.com/news/a-b#top") == (
        "https://www.example.com/news/a-b"
    )
    assert choose_canonical(profile, fetched, "https://www.example.com/news/other") == (
        "https://www.example.com/news/a-b"
    )


def test_fetched_url_that_is_not_an_article(presstv: SiteProfile) -> None:
    assert (
        choose_canonical(presstv, "https://presstv.com/Section/101?utm_source=x", SEED)
        == "https://www.presstv.ir/Section/101"
    )
    assert (
        choose_canonical(presstv, "https://evil.com/x?utm_source=y", SEED)
        == "https://evil.com/x?utm_source=y"
    )
