"""``newsarchive serve`` in a real browser (headless Chromium from Debian's packages, driven by
Selenium through Debian's chromium-driver), used as a person uses it: the home page, a search
typed into the form, the article from the results, the version diff through the compare form,
and the page as captured. What is asserted is what a person sees: the text on the page, the
words the diff marks, the archived page's text inside its sandboxed frame. The edited article's
page carries a script that writes into the page when it runs: the browser shows it running on
the live page and not in the archive's frame.

Screenshots of each page go to ``$NEWSARCHIVE_SCREENSHOTS`` (a directory) or pytest's tmp dir.
The test skips when the browser or its driver is absent (``.ci/run`` installs both)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.model import SampleArticle
from scraper.demo.server import LoopbackServers, Reply
from scraper.demo.site import LocalSite, generate_articles
from tests.conftest import crawl_with_an_edit, newsarchive_serve

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CORRECTION = "A correction was added later."
SCRIPT_RAN = "SCRIPT RAN"
SCRIPT = f"<script>document.body.innerHTML += '<p id=\"ran\">{SCRIPT_RAN}</p>';</script>"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium: pip install '.[test]'")
if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip(
        f"no browser: {CHROMIUM} and {CHROMEDRIVER} are Debian's chromium and chromium-driver "
        "(apt-get install chromium chromium-driver; .ci/run does)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.timeout(300),
]


@dataclass(repr=False)
class ScriptedSite(LocalSite):
    """The local site, one article's page carrying a script that writes into the page."""

    scripted: int = 0

    def render(self, article: SampleArticle, other_template: bool = False) -> Reply:
        reply = super().render(article, other_template)
        if article.id != self.scripted:
            return reply
        return replace(reply, body=reply.body.replace(b"</body>", SCRIPT.encode() + b"</body>", 1))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two crawls of the local site, one article edited in between (two versions); the
    site stays up so the browser can open the live page too."""
    articles = generate_articles(6)
    changed = articles[2]
    site = ScriptedSite(articles, etags=True, scripted=changed.id)
    edited = replace(changed, paragraphs=[*changed.paragraphs, CORRECTION])
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        out, _ = crawl_with_an_edit(
            site, servers, tmp_path_factory.mktemp("browser"), changed, edited
        )
        yield {
            "out": out,
            "article": edited,
            "live": f"{servers.origins[0]}{edited.path}",
        }


@pytest.fixture(scope="module")
def server(archive: dict[str, Any]) -> Iterator[str]:
    """A real ``newsarchive serve`` on a free loopback port: its base URL."""
    with newsarchive_serve(archive["out"]) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",  # loopback only: no updates, no safe browsing
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,1000",
        "--lang=en-GB",
    ):
        options.add_argument(argument)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("NEWSARCHIVE_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for_page(driver: WebDriver, title_part: str) -> None:
    WebDriverWait(driver, 30).until(expected_conditions.title_contains(title_part))


def shot(driver: WebDriver, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    assert driver.save_screenshot(str(path)), path
    assert path.stat().st_size > 1000


def text_of(driver: WebDriver, selector: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, selector).text)


def test_a_reader_finds_reads_compares_and_opens_the_capture(
    archive: dict[str, Any], server: str, browser: WebDriver, screenshots: Path
) -> None:
    article = archive["article"]
    first_words = article.paragraphs[0].split(". ")[0]

    # the home page: the site, its runs and mirrors
    browser.get(f"{server}/")
    wait_for_page(browser, "Sites")
    home = text_of(browser, "main")
    assert "localnews" in home and "6 articles" in home
    assert "Last runs" in home and "Mirrors" in home
    shot(browser, screenshots, "home")

    # the site's charts, drawn by the browser from the app's SVG
    browser.find_element(By.LINK_TEXT, "localnews").click()
    wait_for_page(browser, "localnews")
    charts = browser.find_elements(By.CSS_SELECTOR, "main svg")
    assert len(charts) >= 3 and all(chart.size["width"] > 100 for chart in charts)
    assert "Mirror health per run" in text_of(browser, "main")
    shot(browser, screenshots, "site")
    browser.get(f"{server}/")
    wait_for_page(browser, "Sites")

    # a search typed into the form at the top and submitted, as a person does
    box = browser.find_element(By.CSS_SELECTOR, "form.quick input[name=q]")
    box.send_keys("correction")
    browser.find_element(By.CSS_SELECTOR, "form.quick button[type=submit]").click()
    wait_for_page(browser, "Search")
    count = text_of(browser, "p.count")
    assert count.startswith("1 article matches") and "correction" in count, count
    [hit] = browser.find_elements(By.CSS_SELECTOR, "article.hit")
    assert hit.find_element(By.CSS_SELECTOR, "h3").text == article.title
    snippet = hit.find_element(By.CSS_SELECTOR, "p.snippet")
    assert "correction was added later" in snippet.text.lower()
    marked = [m.text.lower() for m in snippet.find_elements(By.TAG_NAME, "mark")]
    assert marked == ["correction"]
    facets = text_of(browser, "aside.facets")
    assert f"{article.section} 1" in facets
    shot(browser, screenshots, "search")

    # the article, opened from the results
    hit.find_element(By.CSS_SELECTOR, "h3 a").click()
    wait_for_page(browser, article.title)
    assert text_of(browser, "article.record h1") == article.title
    record = text_of(browser, "article.record")
    assert "version 2 of 2" in record
    assert first_words in record and CORRECTION in record
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "figcaption")]
    assert any(image.caption in c for image in article.images for c in captions if image.caption)
    pictures = browser.find_elements(By.CSS_SELECTOR, "figure.picture img")
    # fetched from the archive (the local site's pictures are JPEG-sized noise, which no
    # browser can draw: what was served is asserted, not what was drawn)
    for picture in pictures:
        source = picture.get_attribute("src") or ""
        assert source.startswith(f"{server}/file/localnews?url="), source
        status = browser.execute_script(
            "return performance.getEntriesByName(arguments[0])[0].responseStatus", source
        )
        assert status == 200, source
    assert pictures
    versions = browser.find_elements(By.CSS_SELECTOR, "#versions + table tbody tr")
    assert [row.find_element(By.TAG_NAME, "td").text for row in versions] == ["1", "2"]
    shot(browser, screenshots, "article")

    # the diff between the two versions, through the compare form
    for name, number in (("from", "1"), ("to", "2")):
        choice = browser.find_element(By.CSS_SELECTOR, f"form.compare select[name={name}]")
        Select(choice).select_by_visible_text(number)
    browser.find_element(By.CSS_SELECTOR, "form.compare button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: "from=1" in d.current_url)
    diff = browser.find_element(By.CSS_SELECTOR, "section.diff")
    assert "What changed from version 1 to version 2" in diff.text
    inserted = [i.text for i in diff.find_elements(By.CSS_SELECTOR, ".difftext ins")]
    assert any("correction was added later." in i for i in inserted), inserted
    assert not diff.find_elements(By.CSS_SELECTOR, ".difftext del")
    # an insertion looks marked: its own background or underline, not the text around it
    mark = diff.find_element(By.CSS_SELECTOR, ".difftext ins")
    assert mark.value_of_css_property("background-color") != diff.value_of_css_property(
        "background-color"
    ) or "underline" in mark.value_of_css_property("text-decoration")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    shot(browser, screenshots, "diff")

    # the page as captured, from the article's link: its text in the sandboxed frame
    browser.find_element(By.LINK_TEXT, "the page as captured").click()
    wait_for_page(browser, "Capture of")
    facts = text_of(browser, "dl.capture-facts")
    assert article.path in facts and "200" in facts
    frame = browser.find_element(By.CSS_SELECTOR, "iframe.capture")
    assert frame.get_attribute("sandbox") == "allow-same-origin"
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    try:
        WebDriverWait(browser, 30).until(
            lambda d: article.title in d.find_element(By.TAG_NAME, "body").text
        )
        framed = text_of(browser, "body")
        assert first_words in framed and CORRECTION in framed
        # the script the archived page carries did not run: nothing it writes is there
        assert SCRIPT_RAN not in framed
        assert not browser.find_elements(By.ID, "ran")
        headline = browser.find_element(By.TAG_NAME, "h1")
        assert headline.text == article.title
        browser.execute_script("arguments[0].scrollIntoView()", headline)
    finally:
        browser.switch_to.default_content()
    assert SCRIPT_RAN not in text_of(browser, "body")
    shot(browser, screenshots, "capture")


def test_the_live_page_does_run_its_script(
    archive: dict[str, Any], browser: WebDriver, screenshots: Path
) -> None:
    """The control: the same page opened live, scripts allowed, shows what its script
    writes, so its absence in the archive's frame means the script was kept from running."""
    browser.get(archive["live"])
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.ID, "ran"))
    assert SCRIPT_RAN in text_of(browser, "body")
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "ran"))
    shot(browser, screenshots, "live")
