"""Extraction fidelity of ``GenericArticlePage`` beside trafilatura, readability-lxml and
newspaper4k, on real news pages.

A by-hand benchmark, not a test:

    python bench/extraction.py [--only body|metadata|corpora] [--extractors ours,...]
                               [--worst N] [--corpus DIR] [--fundus DIR]
                               [--corpora DIR] [--wrecks FILE]

Three sections, all run by default:

* **body**, on Scrapinghub's article-extraction-benchmark (``html/<id>.html.gz`` pages and
  ``ground-truth.json`` mapping each id to ``{"url", "articleBody"}``), scored as that
  benchmark scores: a text is its ``\\w+`` tokens, a document is the multiset of its
  4-token shingles; precision and recall are computed per document, averaged over
  documents, and F1 is that of the two means.
* **metadata**, on fundus's parser test pages (``<country>/<Publisher>.json`` holding one
  ground-truth record per parser version, ``<Publisher>_<YYYY_MM_DD>.html.gz`` pages and
  ``meta.info`` giving each page's URL): title, authors, publishing date, body, topics and
  images (URL, caption, credit), scored as the legend printed under the table says
  (``score_metadata``, ``date_scores``, ``score_images``).
* **corpora**, on the corpora ``bench/corpora.py`` rebuilds from pinned public repositories
  (trafilatura's evaluation set, Mozilla Readability's test pages) under ``--corpora``
  (default ``$NEWSARCHIVE_CORPORA``, else ``/work/corpora``; skipped, saying so, when absent):
  each corpus by half with the peers, then every page under 0.5 for ours
  (``bench/corpora_report.py``).

The peers are benchmark-only extras (``pip install -e '.[bench]'``); one that is not
installed is skipped, saying so.  Every extractor gets the same decoded HTML string and the
page's URL, in the same process, page after page (all extractors on a page, then the next
page), after one untimed warm-up call each, each call after a full garbage collection (so
none is timed collecting another's garbage); the time of a call includes its parse.  A call
that raises counts as an empty result and a failure; it never stops the run.  Network access
is refused for the whole run: nothing may be downloaded while extracting.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import logging
import os
import re
import socket
import statistics
import sys
import time
import unicodedata
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus_halves import HALVES, TUNING, half_of, publisher_of_url  # noqa: E402
from scraper.sites.generic import GenericArticlePage  # noqa: E402
from scraper.sites.html import decode_html  # noqa: E402


def _corpus_dir(name: str) -> Path:
    beside = ROOT.parent / "shared" / "corpus" / name  # ../shared/corpus, as laid for CI too
    return beside if beside.is_dir() else Path("/work/shared/corpus") / name


CORPUS = _corpus_dir("extraction-benchmark")
FUNDUS = _corpus_dir("fundus")
SHINGLE = 4
_TOKEN = re.compile(r"\w+")


# ---------------------------------------------------------------------------- body scoring


def shingles(text: str, n: int = SHINGLE) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # A text shorter than n tokens is one (short) shingle, not none.
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def precision_recall(expected: str, got: str) -> tuple[float, float]:
    truth, predicted = shingles(expected), shingles(got)
    tp = sum((truth & predicted).values())
    fp = sum((predicted - truth).values())
    fn = sum((truth - predicted).values())
    if fp == fn == 0:
        return 1.0, 1.0  # both empty, or identical
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


# ------------------------------------------------------------------------------ extractors

# The peers, bound by their Extractor's load(): optional, benchmark-only imports.
trafilatura: Any = None
readability: Any = None
newspaper: Any = None


@dataclass
class Picture:
    """One image an extractor gives; a peer that gives bare URLs leaves the rest None."""

    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class Extraction:
    """What one extractor gave for one page; a field an extractor never gives stays None."""

    title: str | None = None
    authors: list[str] | None = None
    published: datetime | date | str | None = None
    body: str = ""
    tags: list[str] | None = None
    images: list[Picture] | None = None


@dataclass
class Extractor:
    name: str
    # metadata it gives: title, authors, date, time, topics, images, captions, credits
    provides: frozenset[str]
    load: Callable[[], None]  # imports the library; raises ImportError when absent
    body: Callable[[str, str], str] = lambda url, html: ""
    metadata: Callable[[str, str], Extraction] = lambda url, html: Extraction()
    note: str = ""  # options used, printed under the tables


def _ours_body(url: str, html: str) -> str:
    item = GenericArticlePage(url, html, default_tz=None).to_item()
    return item.body if item is not None else ""


def _ours_metadata(url: str, html: str) -> Extraction:
    item = GenericArticlePage(url, html, default_tz=None).to_item()
    if item is None:
        return Extraction(authors=[], tags=[], images=[])
    return Extraction(
        title=item.title,
        authors=list(item.authors),
        published=item.published,
        body=item.body,
        tags=list(item.tags),
        images=[Picture(i.url, i.caption, i.credit) for i in item.images],
    )


def _ours_or_trafilatura_body(url: str, html: str) -> str:
    """Ours, but trafilatura's text where ours looks doubtful: what a fallback to it on
    low-confidence pages would give (issue 13 asks this measured before it is adopted)."""
    item = GenericArticlePage(url, html, default_tz=None).to_item()
    if item is not None and not _doubtful(item.title, item.body):
        return item.body
    return _trafilatura_body(url, html) or (item.body if item is not None else "")


def _doubtful(title: str | None, body: str) -> bool:
    """Short, or sharing no word of four letters or more with the headline."""
    if len(body) < 500:
        return True
    words = {w for w in re.findall(r"\w{4,}", (title or "").casefold())}
    return bool(words) and not words & set(re.findall(r"\w{4,}", body.casefold()))


def _load_trafilatura() -> None:
    global trafilatura
    import trafilatura


def _trafilatura_body(url: str, html: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def _trafilatura_metadata(url: str, html: str) -> Extraction:
    doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
    if doc is None:
        return Extraction(authors=[], tags=[])
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return Extraction(
        title=doc.title,
        authors=authors,
        published=doc.date,
        body=doc.text or "",
        tags=list(doc.tags or []),
        images=[Picture(doc.image)] if doc.image else [],
    )


def _load_readability() -> None:
    global readability
    import readability


def _readability_body(url: str, html: str) -> str:
    return html_paragraphs(readability.Document(html, url=url).summary())


def _readability_metadata(url: str, html: str) -> Extraction:
    doc = readability.Document(html, url=url)
    return Extraction(title=doc.title(), body=html_paragraphs(doc.summary()))


def _load_newspaper() -> None:
    global newspaper
    with warnings.catch_warnings():  # "nltk is not installed": we never call nlp()
        warnings.simplefilter("ignore")
        import newspaper
    # tldextract (newspaper's URL checks) fetches the public-suffix list on first use:
    # use the snapshot it ships instead.
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _newspaper_article(url: str, html: str) -> Any:
    config = newspaper.Config()
    config.fetch_images = False  # its default would download images to size them
    article = newspaper.Article(url, config=config)
    article.download(input_html=html)
    article.parse()
    return article


def _newspaper_body(url: str, html: str) -> str:
    return _newspaper_article(url, html).text or ""


def _newspaper_metadata(url: str, html: str) -> Extraction:
    article = _newspaper_article(url, html)
    urls = [article.top_image] if article.top_image else []
    urls += [u for u in article.images or [] if u and u not in urls]
    return Extraction(
        title=article.title or None,
        authors=list(article.authors or []),
        published=article.publish_date,
        body=article.text or "",
        tags=sorted(article.tags or []),
        images=[Picture(u) for u in urls],
    )


EXTRACTORS: dict[str, Extractor] = {
    "ours": Extractor(
        "ours",
        frozenset({"title", "authors", "date", "time", "topics", "images", "captions", "credits"}),
        lambda: None,
        _ours_body,
        _ours_metadata,
        "GenericArticlePage(url, html, default_tz=None).to_item()",
    ),
    "trafilatura": Extractor(
        "trafilatura",
        frozenset({"title", "authors", "date", "topics", "images"}),
        _load_trafilatura,
        _trafilatura_body,
        _trafilatura_metadata,
        "extract(html, url=url, include_comments=False), otherwise its defaults (fast=False: "
        "with its readability/jusText fallbacks; favor_precision=False, favor_recall=False, "
        "include_tables=True, deduplicate=False, output txt); metadata: bare_extraction(... "
        "with_metadata=True), dates to the day (htmldate's default output format); images: "
        "its one main image (doc.image)",
    ),
    "ours+trafilatura": Extractor(
        "ours+trafilatura",
        frozenset(),
        _load_trafilatura,
        _ours_or_trafilatura_body,
        lambda url, html: Extraction(body=_ours_or_trafilatura_body(url, html)),
        "ours, but trafilatura's body where ours is under 500 characters or shares no word "
        "(4+ letters) with its title: a fallback measured, not adopted",
    ),
    "readability": Extractor(
        "readability",
        frozenset({"title"}),
        _load_readability,
        _readability_body,
        _readability_metadata,
        "Document(html, url=url).summary(), tags stripped keeping paragraph breaks; "
        "title: Document.title()",
    ),
    "newspaper4k": Extractor(
        "newspaper4k",
        frozenset({"title", "authors", "date", "time", "topics", "images"}),
        _load_newspaper,
        _newspaper_body,
        _newspaper_metadata,
        "Article(url, config) with fetch_images=False; download(input_html=html); parse(); "
        "no nlp(); tldextract's bundled suffix list; images: top_image, then Article.images",
    ),
}
ALIASES = {"readability-lxml": "readability", "newspaper": "newspaper4k", "generic": "ours"}


def available_extractors(names: list[str]) -> list[Extractor]:
    chosen = []
    for name in names:
        extractor = EXTRACTORS[ALIASES.get(name, name)]
        try:
            extractor.load()
        except ImportError as exc:
            print(f"{extractor.name}: not installed ({exc}); skipped (pip install -e '.[bench]')")
            continue
        chosen.append(extractor)
    return chosen


_BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl
    dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
    section summary table tbody td tfoot th thead tr ul""".split()
)


def html_paragraphs(fragment: str) -> str:
    """The text of an HTML fragment, one paragraph per block element, blank-line separated."""
    import lxml.etree
    import lxml.html

    if not fragment.strip():
        return ""
    root = lxml.html.document_fromstring(fragment)
    parts: list[str] = []
    for event, element in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag in _BLOCKS:
                parts.append("\n\n")
            elif tag == "br":
                parts.append("\n")
            if tag and tag not in ("script", "style") and element.text:
                parts.append(element.text)
        else:
            if tag in _BLOCKS:
                parts.append("\n\n")
            if element.tail:
                parts.append(element.tail)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", "".join(parts)))
    return "\n\n".join(p for p in paragraphs if p)


# --------------------------------------------------------------------------------- running


@dataclass
class Timed:
    value: Any
    seconds: float
    error: str | None = None


def timed(call: Callable[[str, str], Any], url: str, html: str, empty: Any) -> Timed:
    # Each call starts from a collected heap: the garbage of the extractor that ran before
    # (a parse tree's cycles) is never collected inside another's timing.
    gc.collect()
    start = time.perf_counter()
    try:
        value = call(url, html)
    except Exception as exc:
        message = (str(exc).strip().splitlines() or [""])[0]
        return Timed(empty, time.perf_counter() - start, f"{type(exc).__name__}: {message}"[:160])
    return Timed(value, time.perf_counter() - start)


def forbid_network() -> None:
    """Refuse every connection for the rest of the run: no peer may fetch anything."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access is disabled in bench/extraction.py")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def quiet_peer_logs() -> None:
    for name in (
        "trafilatura",
        "htmldate",
        "courlan",
        "justext",
        "readability",
        "newspaper",
        "tldextract",
        "charset_normalizer",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def read_page(path: Path) -> str:
    return decode_html(gzip.decompress(path.read_bytes()), "text/html; charset=utf-8")


def timing_cells(seconds: list[float]) -> str:
    if not seconds:
        return f"{'-':>8} {'-':>8}"
    return f"{mean(seconds) * 1000:8.1f} {statistics.median(seconds) * 1000:8.1f}"


# ----------------------------------------------------------------------------- body section


@dataclass
class BodyRun:
    extractor: Extractor
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def run_body(corpus: Path, extractors: list[Extractor], worst: int) -> None:
    print(f"== body: {corpus.name} ==")
    truth_path, html_dir = corpus / "ground-truth.json", corpus / "html"
    if not truth_path.is_file() or not html_dir.is_dir():
        print(f"corpus not found at {corpus}: nothing to score\n")
        return
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    pages = [
        (key, record.get("url") or f"https://example.com/{key}", html_dir / f"{key}.html.gz")
        for key, record in sorted(truth.items())
    ]
    pages = [page for page in pages if page[2].is_file()]
    if not pages:
        print(f"no pages in {html_dir}\n")
        return

    runs = [BodyRun(extractor) for extractor in extractors]
    first_url, first_html = pages[0][1], read_page(pages[0][2])
    for run in runs:  # warm-up: one-off initialisation is not charged to page 1
        timed(run.extractor.body, first_url, first_html, "")
    for key, url, path in pages:
        html = read_page(path)
        expected = truth[key].get("articleBody") or ""
        for run in runs:
            result = timed(run.extractor.body, url, html, "")
            run.seconds.append(result.seconds)
            body = result.value or ""
            if result.error:
                run.errors[key] = result.error
            run.bodies[key] = body
            run.scores[key] = precision_recall(expected, body)

    publishers = {key: publisher_of_url(url) for key, url, _ in pages}
    print(
        f"{len(pages)} pages from {len(set(publishers.values()))} publishers; P and R averaged "
        "over pages, F1 of the means; halves by publisher (bench/corpus_halves.py)\n"
    )
    print(
        f"{'pages':<18} {'extractor':<13} {'P':>6} {'R':>6} {'F1':>6} {'ms mean':>8} "
        f"{'ms med':>8} {'errors':>6} {'empty':>6} {'<0.5':>5}"
    )
    order = [key for key, _, _ in pages]
    for label in ("all", *HALVES):
        keys = [k for k in order if label == "all" or half_of(publishers[k]) == label]
        label_cell = f"{label} ({len(keys)})"
        for run in runs:
            p = mean(run.scores[k][0] for k in keys)
            r = mean(run.scores[k][1] for k in keys)
            seconds = [run.seconds[order.index(k)] for k in keys]
            empty = sum(1 for k in keys if k not in run.errors and not run.bodies[k].strip())
            wrecked = sum(1 for k in keys if f1(*run.scores[k]) < 0.5)
            print(
                f"{label_cell:<18} {run.extractor.name:<13} {p:6.4f} {r:6.4f} {f1(p, r):6.4f} "
                f"{timing_cells(seconds)} {sum(1 for k in keys if k in run.errors):>6} "
                f"{empty:>6} {wrecked:>5}"
            )
    print("<0.5    pages whose body F1 is under 0.5 (a wreck)")
    print()
    for run in runs:
        for key, error in list(run.errors.items())[:3]:
            print(f"  {run.extractor.name} raised on {key[:16]}: {error}")
    if worst and runs:
        focus = runs[0]
        print(
            f"worst {worst} tuning-half pages for {focus.extractor.name} (F1, P, R, page, url; "
            "others' F1); the validation half is not listed, so that no rule is tuned on it:"
        )
        tuning = {k: s for k, s in focus.scores.items() if half_of(publishers[k]) == TUNING}
        ranked = sorted(tuning.items(), key=lambda item: f1(*item[1]))[:worst]
        for key, (p, r) in ranked:
            others = " ".join(
                f"{run.extractor.name}={f1(*run.scores[key]):.2f}" for run in runs[1:]
            )
            print(
                f"  {f1(p, r):.3f}  P {p:.3f}  R {r:.3f}  {key[:16]}  "
                f"{truth[key].get('url', '')}  [{others}]"
            )
    print()


# ------------------------------------------------------------------------- metadata section


@dataclass
class FundusPage:
    country: str
    publisher: str
    file: str
    url: str
    truth: dict[str, Any]
    path: Path

    @property
    def site(self) -> str:
        return f"{self.country}/{self.file.removesuffix('.html.gz')}"


_VERSION = re.compile(r"V(\d+)(?:_(\d+))?$")


def _version_key(name: str) -> tuple[int, int, str]:
    match = _VERSION.match(name)
    return (int(match[1]), int(match[2] or 0), name) if match else (1 << 30, 0, name)


def load_fundus(root: Path) -> list[FundusPage]:
    """Pair each ground-truth record with its page.

    ``<Publisher>.json`` holds one record per parser version (``V1``, ``V1_1``, ``V2``…) and
    fundus picks the version from the page's crawl date, so the publisher's pages in date
    order match its versions in version order (checked by the counts being equal).
    """
    pages: list[FundusPage] = []
    for country_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        meta_path = country_dir / "meta.info"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        for truth_path in sorted(country_dir.glob("*.json")):
            publisher = truth_path.stem
            records = json.loads(truth_path.read_text(encoding="utf-8"))
            pattern = re.compile(re.escape(publisher) + r"_\d{4}_\d{2}_\d{2}\.html\.gz")
            files = sorted(p.name for p in country_dir.iterdir() if pattern.fullmatch(p.name))
            if len(files) != len(records):
                print(
                    f"  skipped {country_dir.name}/{publisher}: {len(records)} ground-truth "
                    f"versions but {len(files)} pages"
                )
                continue
            for version, file in zip(sorted(records, key=_version_key), files):
                url = (meta.get(file) or {}).get("url") or f"https://example.com/{file}"
                pages.append(
                    FundusPage(
                        country_dir.name, publisher, file, url, records[version], country_dir / file
                    )
                )
    return pages


def fundus_body(truth: dict[str, Any]) -> str:
    """fundus's own plain text of the article: summary, then each section's headline and
    paragraphs, blank-line separated."""
    body = truth.get("body") or {}
    parts = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        parts += list(section.get("headline") or []) + list(section.get("paragraphs") or [])
    # Some ground truths are decomposed (NFD): ``\w+`` would cut "Südtiroler" at its
    # combining mark, and the same words would not match an extractor's NFC text.
    return unicodedata.normalize("NFC", "\n\n".join(parts))


# Invisible characters that only hint at line breaking: soft hyphen, zero-width space,
# word joiner, BOM.  They are not part of what a reader reads.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def _nfc_space(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").translate(_INVISIBLE).split())


def title_exact(expected: str, got: str | None) -> bool:
    return got is not None and _nfc_space(expected) == _nfc_space(got)


def title_loose(expected: str, got: str | None) -> bool:
    """Equal ignoring case, punctuation and symbols (quotes, dashes, pipes…)."""

    def key(text: str | None) -> str:
        text = unicodedata.normalize("NFKC", text or "").casefold()
        kept = "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)
        return " ".join(kept.split())

    return got is not None and key(expected) == key(got)


def name_set(names: Iterable[str] | None) -> set[str]:
    return {n for n in (_nfc_space(name).casefold() for name in names or []) if n}


def set_precision_recall(expected: set[str], got: set[str]) -> tuple[float, float]:
    if not expected and not got:
        return 1.0, 1.0  # the page has none and we give none
    hits = len(expected & got)
    return (hits / len(got) if got else 0.0, hits / len(expected) if expected else 0.0)


def parse_when(value: Any) -> datetime | date | None:
    """A prediction's date: datetime (aware or naive), a bare date, or None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        from dateutil import parser as dateutil_parser

        return dateutil_parser.isoparse(text)
    except (ValueError, OverflowError):
        return None


def date_scores(expected: datetime, got: datetime | date | None) -> tuple[bool | None, bool]:
    """(right to the minute, right to the day).

    Minute: both aware and the same instant to the minute; a prediction without a time or
    without an offset is wrong.  A ground truth without an offset cannot judge that (fundus
    gives a naive time when the page gives no offset, and midnight when it gives no time):
    None, the page does not count for the minute.  Day: the prediction in the ground truth's
    offset falls on its local date; a prediction without an offset, or any prediction
    against a naive ground truth, is taken at its own wall-clock date.
    """
    minute_known = expected.tzinfo is not None
    if got is None:
        return (False if minute_known else None), False
    if not isinstance(got, datetime):
        return (False if minute_known else None), got == expected.date()
    if got.tzinfo is None or got.utcoffset() is None or not minute_known:
        return (False if minute_known else None), got.date() == expected.date()

    def minute(moment: datetime) -> datetime:
        return moment.astimezone(timezone.utc).replace(second=0, microsecond=0)

    local_day = got.astimezone(expected.tzinfo).date()
    return minute(got) == minute(expected), local_day == expected.date()


def image_key(url: str) -> str:
    """An image URL without scheme, query and fragment: "http:"/"https:" and resize or
    cache-busting parameters name the same picture."""
    parts = urlsplit(url.strip())
    return parts.netloc.lower() + unquote(parts.path)


_CREDIT_SPLIT = re.compile(r"\s*[/,;|]\s*")


def credit_set(credits: Iterable[str | None]) -> set[str]:
    """Credit names, split where agencies and photographers are joined ("Friso Gentsch/dpa"
    is ["Friso Gentsch", "dpa"] elsewhere), NFC, casefold, whitespace."""
    return name_set(part for credit in credits if credit for part in _CREDIT_SPLIT.split(credit))


@dataclass
class ImageScore:
    """One page's images against the ground truth's."""

    expected: int
    got: int
    matched: int
    captions: list[bool]  # per matched image whose ground truth has a caption: exact?
    credits: list[tuple[float, float]]  # per matched image whose ground truth names credits
    missed: list[str]  # a version URL of each ground-truth image no image of ours matched
    extra: list[str]  # our images matching no ground-truth image
    wrong: list[tuple[str, str, Any, Any]]  # (field, url, expected, got): caption/credit misses


def score_images(truth: list[dict[str, Any]], got: list[Picture]) -> ImageScore:
    keys = [
        {image_key(v["url"]) for v in image.get("versions") or [] if v.get("url")}
        for image in truth
    ]
    taken = [False] * len(truth)
    score = ImageScore(len(truth), len(got), 0, [], [], [], [], [])
    for picture in got:
        key = image_key(picture.url)
        index = next((i for i, k in enumerate(keys) if not taken[i] and key in k), None)
        if index is None:
            score.extra.append(picture.url)
            continue
        taken[index] = True
        score.matched += 1
        expected = truth[index]
        if expected.get("caption"):
            right = _nfc_space(expected["caption"]) == _nfc_space(picture.caption)
            score.captions.append(right)
            if not right:
                score.wrong.append(("caption", picture.url, expected["caption"], picture.caption))
        if expected.get("authors"):
            pair = set_precision_recall(
                credit_set(expected["authors"]), credit_set([picture.credit])
            )
            score.credits.append(pair)
            if f1(*pair) < 1:
                score.wrong.append(("credit", picture.url, expected["authors"], picture.credit))
    score.missed = [next(iter(sorted(k)), "?") for k, hit in zip(keys, taken) if not hit]
    return score


@dataclass
class PageScore:
    page: FundusPage
    got: Extraction
    title_exact: bool
    title_loose: bool
    authors: tuple[float, float] | None  # None: no ground truth for this page
    date_minute: bool | None  # None: the ground truth has no offset
    date_day: bool
    body: tuple[float, float]
    topics: tuple[float, float] | None
    images: ImageScore | None  # None: the ground truth lists no image
    seconds: float
    error: str | None


def score_metadata(
    page: FundusPage, got: Extraction, seconds: float, error: str | None
) -> PageScore:
    truth = page.truth
    authors = (
        set_precision_recall(name_set(truth["authors"]), name_set(got.authors))
        if truth.get("authors") is not None
        else None
    )
    topics = (
        set_precision_recall(name_set(truth["topics"]), name_set(got.tags))
        if truth.get("topics") is not None
        else None
    )
    minute, day = date_scores(
        datetime.fromisoformat(truth["publishing_date"]), parse_when(got.published)
    )
    images = score_images(truth["images"], got.images or []) if truth.get("images") else None
    return PageScore(
        page,
        got,
        title_exact(truth.get("title") or "", got.title),
        title_loose(truth.get("title") or "", got.title),
        authors,
        minute,
        day,
        precision_recall(fundus_body(truth), unicodedata.normalize("NFC", got.body)),
        topics,
        images,
        seconds,
        error,
    )


def _rate(flags: list[bool]) -> str:
    return f"{mean(float(f) for f in flags):6.3f}" if flags else f"{'-':>6}"


def _set_cells(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    p, r = mean(x[0] for x in pairs), mean(x[1] for x in pairs)
    return p, r, f1(p, r)


def _image_cells(scores: list[ImageScore], has: frozenset[str]) -> str:
    if "images" not in has:
        return f"{'-':>6} {'-':>6} {'-':>6} {'-':>6}"
    expected, got = sum(s.expected for s in scores), sum(s.got for s in scores)
    matched = sum(s.matched for s in scores)
    cells = [
        f"{matched / expected if expected else 0.0:6.3f}",
        f"{matched / got if got else 0.0:6.3f}",
    ]
    captions = [flag for s in scores for flag in s.captions]
    cells.append(_rate(captions) if "captions" in has else f"{'-':>6}")
    credits = [pair for s in scores for pair in s.credits]
    cells.append(f"{_set_cells(credits)[2]:6.3f}" if "credits" in has and credits else f"{'-':>6}")
    return " ".join(cells)


def metadata_row(extractor: Extractor, scores: list[PageScore]) -> str:
    """One extractor's cells of the metadata table, over ``scores``."""
    cells = [f"{extractor.name:<13}"]
    has = extractor.provides
    cells.append(_rate([s.title_exact for s in scores]) if "title" in has else f"{'-':>6}")
    cells.append(_rate([s.title_loose for s in scores]) if "title" in has else f"{'-':>6}")
    if "authors" in has:
        ap, ar, af = _set_cells([s.authors for s in scores if s.authors is not None])
        cells.append(f"{ap:6.3f} {ar:6.3f} {af:7.3f}")
    else:
        cells.append(f"{'-':>6} {'-':>6} {'-':>7}")
    cells.append(
        _rate([s.date_minute for s in scores if s.date_minute is not None])
        if "time" in has
        else f"{'-':>6}"
    )
    cells.append(_rate([s.date_day for s in scores]) if "date" in has else f"{'-':>6}")
    bp, br, bf = _set_cells([s.body for s in scores])
    cells.append(f"{bp:6.3f} {br:6.3f} {bf:6.3f}")
    if "topics" in has:
        cells.append(f"{_set_cells([s.topics for s in scores if s.topics])[2]:6.3f}")
    else:
        cells.append(f"{'-':>6}")
    cells.append(_image_cells([s.images for s in scores if s.images is not None], has))
    cells.append(timing_cells([s.seconds for s in scores]))
    cells.append(f"{sum(1 for s in scores if s.error):>6}")
    cells.append(f"{sum(1 for s in scores if not s.error and not s.got.body.strip()):>6}")
    cells.append(f"{sum(1 for s in scores if f1(*s.body) < 0.5):>5}")
    return " ".join(cells)


def run_metadata(root: Path, extractors: list[Extractor], worst: int) -> None:
    print(f"== metadata: {root.name} ==")
    if not root.is_dir():
        print(f"corpus not found at {root}: nothing to score\n")
        return
    pages = load_fundus(root)
    if not pages:
        print(f"no pages in {root}\n")
        return
    first_html = read_page(pages[0].path)
    for extractor in extractors:
        timed(extractor.metadata, pages[0].url, first_html, Extraction())
    results: dict[str, list[PageScore]] = {e.name: [] for e in extractors}
    for page in pages:
        html = read_page(page.path)
        for extractor in extractors:
            result = timed(extractor.metadata, page.url, html, Extraction())
            got = result.value if isinstance(result.value, Extraction) else Extraction()
            results[extractor.name].append(score_metadata(page, got, result.seconds, result.error))

    naive = sum(
        1 for p in pages if datetime.fromisoformat(p.truth["publishing_date"]).tzinfo is None
    )
    with_authors = sum(1 for p in pages if p.truth.get("authors") is not None)
    with_topics = sum(1 for p in pages if p.truth.get("topics") is not None)
    truth_images = [i for p in pages for i in p.truth.get("images") or []]
    with_images = sum(1 for p in pages if p.truth.get("images"))
    captioned = sum(1 for i in truth_images if i.get("caption"))
    credited = sum(1 for i in truth_images if i.get("authors"))
    countries = len({p.country for p in pages})
    publishers = len({(p.country, p.publisher) for p in pages})
    print(
        f"{len(pages)} pages from {publishers} publishers in {countries} countries; "
        f"authors known for {with_authors}, topics for {with_topics}; "
        f"{naive} ground-truth dates have no offset\n"
    )
    header = (
        f"{'pages':<18} {'extractor':<13} {'title':>6} {'title~':>6} {'auth P':>6} {'auth R':>6} "
        f"{'auth F1':>7} {'d-min':>6} {'d-day':>6} {'body P':>6} {'body R':>6} "
        f"{'bodyF1':>6} {'topic':>6} {'img R':>6} {'img P':>6} {'captn':>6} {'credit':>6} "
        f"{'ms mean':>8} {'ms med':>8} {'errors':>6} {'empty':>6} {'<0.5':>5}"
    )
    print(header)
    for label in ("all", *HALVES):
        chosen = [label == "all" or half_of(page.publisher) == label for page in pages]
        label_cell = f"{label} ({sum(chosen)})"
        for extractor in extractors:
            scores = [s for s, keep in zip(results[extractor.name], chosen) if keep]
            print(f"{label_cell:<18} " + metadata_row(extractor, scores))
    print(f"""
title   exact after NFC + whitespace (soft hyphens, zero-width spaces dropped); title~ also
        ignoring case, punctuation and symbols
authors name sets (NFC, casefold, whitespace); P and R averaged over the {with_authors} pages whose
        ground truth has the field, F1 of the means; a page whose ground truth lists none
        scores 1 when the extractor gives none, else 0 (topics likewise, {with_topics} pages)
d-min   right to the minute as aware datetimes, over the {len(pages) - naive} pages whose ground
        truth has an offset; a prediction without a time or an offset is wrong
d-day   right local date (the ground truth's offset), all pages
body    shingle P/R against fundus's summary + subheadlines + paragraphs (both NFC)
img R/P image URLs: an extractor's image matches a ground-truth image when its URL is one of
        that image's versions (sizes), compared without scheme, query and fragment; each
        ground-truth image matched once.  R over the {len(truth_images)} ground-truth images of the
        {with_images} pages that list any, P over the images the extractor gives on those pages
        (both pooled over images, not averaged per page)
captn   caption exact after NFC + whitespace, over the matched images whose ground truth has a
        caption ({captioned} of the {len(truth_images)} have one)
credit  credit sets (split at / , ; |, NFC, casefold, whitespace), P and R averaged over the
        matched images whose ground truth names credits ({credited} of the {len(truth_images)}), F1 of
        the means
-       the extractor does not give the field (trafilatura's dates are to the day only)
<0.5    pages whose body F1 is under 0.5 (a wreck)
halves  by publisher (bench/corpus_halves.py): tune on one, keep a rule only if the other holds""")
    for extractor in extractors:
        for score in [s for s in results[extractor.name] if s.error][:3]:
            print(f"  {extractor.name} raised on {score.page.site}: {score.error}")
    print()

    focus = next((e for e in extractors if e.name == "ours"), extractors[0])
    print_breakdown(focus.name, results[focus.name])
    if worst:  # the tuning half only: no rule is tuned on the validation half's pages
        tuning = [s for s in results[focus.name] if half_of(s.page.publisher) == TUNING]
        print_worst(focus.name, tuning, worst)


def print_breakdown(name: str, scores: list[PageScore]) -> None:
    print(
        f"per country, {name}: pages, title misses, pages with author F1 < 1 (of pages with "
        "authors known), date wrong to the minute / to the day, mean body F1"
    )
    by_country: dict[str, list[PageScore]] = defaultdict(list)
    for score in scores:
        by_country[score.page.country].append(score)
    print(
        f"  {'country':<8} {'pages':>5} {'title':>5} {'auth':>7} {'min':>4} {'day':>4} {'body':>6}"
    )
    for country, rows in sorted(by_country.items()):
        known = [s for s in rows if s.authors is not None]
        author_misses = sum(1 for s in known if f1(*s.authors) < 1)  # type: ignore[misc]
        minute_misses = sum(s.date_minute is False for s in rows)
        print(
            f"  {country:<8} {len(rows):>5} {sum(not s.title_exact for s in rows):>5} "
            f"{f'{author_misses}/{len(known)}':>7} {minute_misses:>4} "
            f"{sum(not s.date_day for s in rows):>4} {mean(f1(*s.body) for s in rows):6.3f}"
        )
    print()


def _show(value: Any, limit: int = 90) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_worst(name: str, scores: list[PageScore], worst: int) -> None:
    print(f"worst {worst} per field, {name} (field, page, expected vs got):")
    titles = sorted((s for s in scores if not s.title_exact), key=lambda s: s.title_loose)
    for s in titles[:worst]:
        mark = "title~ok" if s.title_loose else "title"
        print(
            f"  {mark:<9} {s.page.site:<34} {_show(s.page.truth.get('title'))}\n"
            f"  {'':<9} {'':<34} {_show(s.got.title)}"
        )
    authors = sorted(
        (s for s in scores if s.authors is not None and f1(*s.authors) < 1),
        key=lambda s: f1(*s.authors),
    )  # type: ignore[misc]
    for s in authors[:worst]:
        print(
            f"  {'authors':<9} {s.page.site:<34} {_show(s.page.truth.get('authors'))}\n"
            f"  {f'F1 {f1(*s.authors):.2f}':<9} {'':<34} "  # type: ignore[misc]
            f"{_show(s.got.authors)}"
        )
    dates = sorted(
        (s for s in scores if not s.date_day or s.date_minute is False), key=lambda s: s.date_day
    )
    for s in dates[:worst]:
        mark = "date" if not s.date_day else "date-min"
        got = s.got.published
        shown = got.isoformat() if isinstance(got, date | datetime) else got
        print(
            f"  {mark:<9} {s.page.site:<34} {s.page.truth.get('publishing_date')!s}  got "
            f"{_show(shown)}"
        )
    bodies = sorted(scores, key=lambda s: f1(*s.body))[:worst]
    for s in bodies:
        if f1(*s.body) >= 0.99:
            break
        p, r = s.body
        print(
            f"  {'body':<9} {s.page.site:<34} F1 {f1(p, r):.3f}  P {p:.3f}  R {r:.3f}  "
            f"({len(_TOKEN.findall(fundus_body(s.page.truth)))} tokens expected, "
            f"{len(_TOKEN.findall(s.got.body))} got)  {s.page.url}"
        )
    print_worst_images(scores, worst)
    print()


def print_worst_images(scores: list[PageScore], worst: int) -> None:
    def recall(score: PageScore) -> float:
        images = score.images
        return images.matched / images.expected if images and images.expected else 1.0

    def precision(score: PageScore) -> float:
        images = score.images
        return images.matched / images.got if images and images.got else 1.0

    missing = sorted((s for s in scores if recall(s) < 1), key=recall)[:worst]
    for s in missing:
        assert s.images is not None
        print(
            f"  {'images':<9} {s.page.site:<34} {s.images.matched}/{s.images.expected} found, "
            f"{len(s.images.extra)} extra; missed {_show(s.images.missed, 150)}"
        )
        if s.images.extra:
            print(f"  {'':<9} {'':<34} extra {_show(s.images.extra, 150)}")
    extra = sorted((s for s in scores if precision(s) < 1 and recall(s) == 1), key=precision)
    for s in extra[:worst]:
        assert s.images is not None
        print(
            f"  {'img-extra':<9} {s.page.site:<34} {len(s.images.extra)} extra "
            f"{_show(s.images.extra, 150)}"
        )
    wrong = [(s, w) for s in scores if s.images for w in s.images.wrong]
    for kind in ("caption", "credit"):
        for s, (field_name, _url, expected, got) in [x for x in wrong if x[1][0] == kind][:worst]:
            print(
                f"  {field_name:<9} {s.page.site:<34} {_show(expected, 150)}\n"
                f"  {'':<9} {'':<34} {_show(got, 150)}"
            )


# -------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("body", "metadata", "corpora"), help="run one section")
    parser.add_argument(
        "--extractors",
        default="ours,trafilatura,readability,newspaper4k",
        help="comma-separated, from: " + ", ".join(EXTRACTORS),
    )
    parser.add_argument(
        "--worst", type=int, default=0, help="list the N worst pages per field for our extractor"
    )
    parser.add_argument(
        "--corpus", type=Path, default=CORPUS, help="the extraction-benchmark corpus (body section)"
    )
    parser.add_argument(
        "--fundus", type=Path, default=FUNDUS, help="fundus's test pages (metadata section)"
    )
    parser.add_argument(
        "--corpora",
        type=Path,
        default=Path(os.environ.get("NEWSARCHIVE_CORPORA") or "/work/corpora"),
        help="the corpora bench/corpora.py rebuilds (corpora section)",
    )
    parser.add_argument(
        "--wrecks", type=Path, help="also write the corpora section's pages under 0.5 here"
    )
    args = parser.parse_args()

    names = [n.strip() for n in args.extractors.split(",") if n.strip()]
    unknown = [n for n in names if ALIASES.get(n, n) not in EXTRACTORS]
    if unknown or not names:
        parser.error(
            f"unknown extractor(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(EXTRACTORS)}"
        )
    quiet_peer_logs()
    # Peers warn on what they parse (dateutil's unknown "CEST", …): figures, not warnings.
    warnings.simplefilter("ignore")
    extractors = available_extractors(names)
    forbid_network()
    if not extractors:
        print("no extractor to run")
        return 0
    for extractor in extractors:
        print(f"{extractor.name}: {extractor.note}")
    print()
    if args.only in (None, "body"):
        run_body(args.corpus, extractors, args.worst)
    if args.only in (None, "metadata"):
        run_metadata(args.fundus, extractors, args.worst)
    if args.only in (None, "corpora"):
        from bench.corpora_report import run_corpora

        run_corpora(args.corpora, extractors, timed, Extraction, args.wrecks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
