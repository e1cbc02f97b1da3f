"""The web app's routes (Starlette): pages rendered with Jinja2 (autoescape on), JSON beside
them, the archived pages and files. Read-only: each request opens the indexes it needs
read-only and closes them (``snapshot.py``), so a crawl can run beside it.

Every response carries a Content-Security-Policy without scripts; archived pages and files
carry a stricter one (``sandbox``, nothing loaded from elsewhere). A bad id, site or file is
a 404 page, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archive.search.index_rows import Filters
from archive.search.query import QueryError, parse_query
from archive.search.reading import count_hits, search
from scraper.web import charts
from scraper.web.article_view import article_view, citation, citation_text, diff
from scraper.web.captures import Catalogue, record_id_text
from scraper.web.overview import (
    articles_per_day,
    coverage_series,
    mirror_health,
    site_overview,
)
from scraper.web.rewrite import safe_page
from scraper.web.snapshot import ARTICLE_ID, SITE_NAME, all_sites, snapshot

PAGE_SIZE = 20
MAX_PAGE = 500
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$")

APP_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "img-src 'self' data:; style-src 'self'; frame-src 'self'; form-action 'self'; "
    "frame-ancestors 'self'"
)
# An archived page: no script, nothing from outside the app, a sandbox of its own even when
# opened outside its frame.
CAPTURE_POLICY = (
    "sandbox allow-same-origin; default-src 'none'; script-src 'none'; object-src 'none'; "
    "base-uri 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; form-action 'none'; frame-ancestors 'self'"
)
SHOWN_TYPES = ("image/", "text/css", "font/", "audio/", "video/")


class App:
    def __init__(
        self, outs: Sequence[Path], pywb: str | None = None, waczs: Sequence[Path] = ()
    ) -> None:
        self.outs = [Path(out) for out in outs]
        self.pywb = pywb.rstrip("/") if pywb else None
        # served by name only: a name given on the command line, never a path from a URL
        self.waczs = {path.name: path for path in waczs}
        self.catalogue = Catalogue(self.outs)
        self.templates = Environment(
            loader=PackageLoader("scraper.web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.templates.filters["q"] = lambda value: quote(str(value), safe="")

    # -- helpers ---------------------------------------------------------------------------

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(outs=self.outs, **context)
        return HTMLResponse(html, status_code=status)

    def sites(self) -> list[str]:
        return all_sites(self.outs)

    def site_or_404(self, site: str) -> str:
        if not SITE_NAME.match(site) or site not in self.sites():
            raise HTTPException(404, f"no site {site!r} in this archive")
        return site

    # -- pages -----------------------------------------------------------------------------

    def home(self, request: Request) -> Response:
        sites = self.sites()
        overviews = []
        with snapshot(self.outs, sites) as opened:
            for site in sites:
                overviews.append(site_overview(self.outs, site, opened.of_site(site)))
            notes = opened.notes
        return self.page("home.html", overviews=overviews, notes=notes)

    def site(self, request: Request) -> Response:
        site = self.site_or_404(request.path_params["site"])
        with snapshot(self.outs, [site]) as opened:
            overview = site_overview(self.outs, site, opened.archives)
            days = articles_per_day(opened.archives)
            notes = opened.notes + overview.notes
        labels, series = coverage_series(overview.runs)
        return self.page(
            "site.html",
            overview=overview,
            notes=notes,
            per_day=charts.bars(f"{site}: articles per day", days),
            health={
                origin: charts.stacked(f"{origin}: requests per run", rows)
                for origin, rows in mirror_health(overview.runs).items()
            },
            coverage=charts.percent_lines(f"{site}: field coverage per run", labels, series),
        )

    def search_page(self, request: Request) -> Response:
        found = self._search(request)
        return self.page("search.html", status=found.pop("status"), **found)

    def search_api(self, request: Request) -> Response:
        found = self._search(request)
        if found["error"]:
            return JSONResponse({"error": found["error"]}, status_code=found["status"])
        return JSONResponse(
            {
                "query": found["form"]["q"],
                "total": found["total"],
                "total_exact": found["counted"].exact if found.get("counted") else True,
                "page": found["page"],
                "hits": [dict(hit.as_json(), site=hit.archive.site) for hit in found["hits"]],
            }
        )

    def _search(self, request: Request) -> dict[str, Any]:
        params = request.query_params
        form = {
            k: params.get(k, "").strip()
            for k in ("q", "site", "since", "until", "section", "author")
        }
        result: dict[str, Any] = {
            "form": form, "sites": self.sites(), "hits": [], "total": 0, "page": 1,
            "facets": {}, "notes": [], "error": None, "status": 200, "pages": 0,
        }  # fmt: skip
        try:
            page = int(params.get("page") or 1)
        except ValueError:
            page = 0
        if not 1 <= page <= MAX_PAGE:
            return {**result, "error": f"page: a number from 1 to {MAX_PAGE}", "status": 400}
        result["page"] = page
        if form["site"] and (
            not SITE_NAME.match(form["site"]) or form["site"] not in result["sites"]
        ):
            return {**result, "error": f"no site {form['site']!r} in this archive", "status": 404}
        for key in ("since", "until"):
            if form[key] and not _is_day(form[key]):
                return {**result, "error": f"{key}: a day like 2023-01-31", "status": 400}
        if not form["q"]:
            return result
        try:
            query = parse_query(form["q"])
        except QueryError as exc:
            return {**result, "error": str(exc), "status": 400}
        filters = Filters(
            form["since"] or None,
            form["until"] or None,
            form["section"] or None,
            form["author"] or None,
        )
        sites = [form["site"]] if form["site"] else result["sites"]
        with snapshot(self.outs, sites) as opened:
            result["notes"] = opened.notes
            try:
                hits = search(
                    opened.archives, query, filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
                )
                counted = count_hits(opened.archives, query, filters)
                facets = {
                    name: _merged(
                        a.index.facet(name, filters, query.expression) for a in opened.archives
                    )
                    for name in ("section", "month")
                }
            except Exception as exc:  # FTS5 refusing an expression: sqlite3.OperationalError
                return {
                    **result,
                    "error": f"the index cannot answer this query ({exc})",
                    "status": 400,
                }
            result.update(
                hits=hits,
                total=counted.total,
                counted=counted,
                facets=facets,
                months=_month_spans(facets["month"]),
            )
            result["pages"] = (counted.total + PAGE_SIZE - 1) // PAGE_SIZE
            result["snippets"] = [
                hit.snippet.render("<mark>", "</mark>", escape=_escape) for hit in hits
            ]
        return result

    def article(self, request: Request) -> Response:
        article = request.path_params["article_id"]
        if not ARTICLE_ID.match(article):
            raise HTTPException(404, "no such article")
        params = request.query_params
        with snapshot(self.outs, self.sites()) as opened:
            view = article_view(opened.archives, article, self.catalogue)
            if view is None:
                raise HTTPException(404, f"no article {article!r} in this archive")
            try:
                shown = view.version(_number(params.get("version")))
                numbers = sorted({v.number for v in view.versions if v.record is not None})
                old, new = _number(params.get("from")), _number(params.get("to"))
                if old is None and new is None and len(numbers) > 1:
                    old, new = numbers[-2], numbers[-1]
                changes = diff(view, old, new) if old is not None and new is not None else None
            except KeyError:
                raise HTTPException(404, "no such version of this article") from None
            cites = [citation(view, v) for v in view.versions]
            return self.page(
                "article.html",
                view=view,
                shown=shown,
                numbers=numbers,
                changes=changes,
                cites=[(c, citation_text(c)) for c in cites],
                captured=self.catalogue.urls(view.site),
                pywb=self.pywb,
                rid=record_id_text,
            )

    def cite_json(self, request: Request) -> Response:
        article = request.path_params["article_id"]
        if not ARTICLE_ID.match(article):
            raise HTTPException(404, "no such article")
        try:
            wanted = _number(request.query_params.get("version"))
        except KeyError:
            raise HTTPException(404, "no such version of this article") from None
        with snapshot(self.outs, self.sites()) as opened:
            view = article_view(opened.archives, article, self.catalogue)
            if view is None:
                raise HTTPException(404, f"no article {article!r} in this archive")
            cites = [
                dict(citation(view, v), text=None)
                for v in view.versions
                if wanted is None or v.number == wanted
            ]
        if not cites:
            raise HTTPException(404, "no such version of this article")
        for cited in cites:
            cited["text"] = citation_text(cited)
        return JSONResponse({"id": article, "citations": cites})

    # -- captures --------------------------------------------------------------------------

    def _capture(self, request: Request) -> Any:
        record_id = request.path_params["record_id"]
        if not RECORD_ID.match(record_id):
            raise HTTPException(404, "no such capture")
        capture = self.catalogue.by_id(self.sites(), record_id)
        if capture is None:
            raise HTTPException(404, f"no capture {record_id!r} in this archive")
        return capture

    def capture(self, request: Request) -> Response:
        capture = self._capture(request)
        record = self.catalogue.record(capture)
        original = self.catalogue.original(capture, record) if capture.is_revisit else None
        return self.page(
            "capture.html",
            waczs=sorted(self.waczs),
            capture=capture,
            record=record,
            original=original,
            record_id=record_id_text(record.record_id),
            pywb=self.pywb,
        )

    def wacz(self, request: Request) -> Response:
        path = self.waczs.get(request.path_params["name"])
        if path is None or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, media_type="application/wacz", filename=path.name)

    def capture_page(self, request: Request) -> Response:
        capture = self._capture(request)
        record = self.catalogue.record(capture)
        if capture.is_revisit:
            original = self.catalogue.original(capture, record)
            if original is None:
                raise HTTPException(404, "the capture this revisit repeats is not in the archive")
            capture, record = original, self.catalogue.record(original)
        content_type = _header(record.http_headers, "content-type") or capture.mime
        if "html" not in content_type.lower():
            return self._file(capture.site, record.payload, content_type)
        site = capture.site
        html = safe_page(
            record.payload,
            content_type,
            capture.url,
            self.catalogue.urls(site),
            link=lambda url: f"/go/{quote(site)}?frame=1&url={quote(url, safe='')}",
            asset=lambda url: f"/file/{quote(site)}?url={quote(url, safe='')}",
        )
        return Response(html, media_type="text/html; charset=utf-8", headers=_capture_headers())

    def go(self, request: Request) -> Response:
        """The newest capture of ``?url=``: its page (``frame=1``, inside the frame) or its
        wrapper page."""
        site = self.site_or_404(request.path_params["site"])
        url = request.query_params.get("url", "")
        for capture in reversed(self.catalogue.of_url(site, url)):
            record_id = record_id_text(self.catalogue.record(capture).record_id)
            if record_id:
                tail = "/page" if request.query_params.get("frame") else ""
                return RedirectResponse(f"/capture/{quote(record_id)}{tail}", status_code=303)
        raise HTTPException(404, "this address was not captured")

    def file(self, request: Request) -> Response:
        site = self.site_or_404(request.path_params["site"])
        capture = self.catalogue.payload_of(site, request.query_params.get("url", ""))
        if capture is None:
            raise HTTPException(404, "this address was not captured")
        record = self.catalogue.record(capture)
        content_type = _header(record.http_headers, "content-type") or capture.mime
        return self._file(site, record.payload, content_type)

    def _file(self, site: str, payload: bytes, content_type: str) -> Response:
        headers = _capture_headers()
        if not content_type.lower().startswith(SHOWN_TYPES) or "svg" in content_type.lower():
            headers["Content-Disposition"] = "attachment"
            content_type = "application/octet-stream"
        return Response(payload, media_type=content_type, headers=headers)

    # -- errors ----------------------------------------------------------------------------

    def not_found(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        detail = getattr(exc, "detail", "not found")
        if request.url.path.startswith("/api/") or request.url.path.endswith(".json"):
            return JSONResponse({"error": detail}, status_code=status)
        return self.page("error.html", status=status, status_code=status, detail=detail)

    def failed(self, request: Request, exc: Exception) -> Response:
        return self.page(
            "error.html", status=500, status_code=500, detail=f"{type(exc).__name__}: {exc}"
        )


def create_app(
    outs: Sequence[Path],
    *,
    pywb: str | None = None,
    waczs: Sequence[Path] = (),
    allowed_hosts: Sequence[str] | None = None,
) -> Starlette:
    """The app over the output directories ``outs``. ``waczs``: packages to offer with each
    capture. ``allowed_hosts``: the Host names it answers (the loopback names when it listens
    on loopback: no DNS rebinding)."""
    app = App(outs, pywb, waczs)
    routes = [
        Route("/", app.home),
        Route("/site/{site}", app.site),
        Route("/search", app.search_page),
        Route("/api/search", app.search_api),
        Route("/article/{article_id}", app.article),
        Route("/article/{article_id}/cite.json", app.cite_json),
        Route("/capture/{record_id}", app.capture),
        Route("/capture/{record_id}/page", app.capture_page),
        Route("/go/{site}", app.go),
        Route("/file/{site}", app.file),
        Route("/wacz/{name}", app.wacz),
        Mount("/static", StaticFiles(packages=[("scraper.web", "static")]), name="static"),
    ]
    web = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: app.not_found,
            404: app.not_found,
            Exception: app.failed,
        },
    )
    web.add_middleware(SecurityHeaders, allowed_hosts=allowed_hosts)
    return web


class SecurityHeaders:
    """Headers on every response (a capture's own policy kept), and Host checked."""

    def __init__(self, app: ASGIApp, allowed_hosts: Sequence[str] | None = None) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed:
                await Response("unknown Host", status_code=421)(scope, receive, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", APP_POLICY.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _capture_headers() -> dict[str, str]:
    return {"Content-Security-Policy": CAPTURE_POLICY}


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in headers if key.lower() == name), None)


def _merged(facets: Any) -> list[tuple[str, int]]:
    total: dict[str, int] = {}
    for facet in facets:
        for value, n in facet:
            total[value] = total.get(value, 0) + n
    return sorted(total.items(), key=lambda item: (-item[1], item[0]))


def _number(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise KeyError(value)
    return int(value)


def _month_spans(months: list[tuple[str, int]]) -> dict[str, tuple[str, str]]:
    """A facet's month (``2023-02``) as the first and last day a link narrows to."""
    spans = {}
    for value, _ in months:
        try:
            first = dt.date.fromisoformat(value + "-01")
        except ValueError:
            continue
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        spans[value] = (first.isoformat(), (following - dt.timedelta(days=1)).isoformat())
    return spans


def _is_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
