"""Pages for people: the landscape at a glance (``/``), search and map (``/organisations``), contribute
(``/contribute``), and the static files they use (``/static/``). The SPARQL editor is ``/sparql``'s page for
browsers (template ``query.html``); resource pages are ``/doc/``.

Server-rendered HTML that works without JavaScript; the scripts in ``api/static`` add the map, auto-applied
filters, the editor's highlighting and the contribution upload. Nothing comes from a CDN: Leaflet and its
marker clustering are the PyPI packages ``xstatic-leaflet`` and ``xstatic-leaflet-markercluster``, served from
their installed folders. Each page's server time is in its ``Server-Timing`` header.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response, StreamingResponse
from starlette.staticfiles import StaticFiles

from api import web_views
from api.api_listing import catalogue_for
from api.deps import Services, ServicesDep
from api.http_cache import etag_for, is_not_modified, not_modified
from api.pages import environment, render
from api.web_views import PER_PAGE, FilterLinks, bars, paging
from graph.catalogue import Criteria
from graph.catalogue_stats import compute
from graph.errors import BadRequest
from graph.landscape import Landscape, landscape_for

router = APIRouter(include_in_schema=False)

T = TypeVar("T")
#: URL prefix under /static/ -> folder (the vendored components come from their installed packages).
STATIC_ROOTS: dict[str, StaticFiles] = {
    "vendor/leaflet/": StaticFiles(directory=leaflet.BASE_DIR),
    "vendor/leaflet.markercluster/": StaticFiles(directory=markercluster.BASE_DIR),
    "": StaticFiles(directory=Path(__file__).resolve().parent.parent / "static"),
}
STATIC_CACHE = "public, max-age=3600"
environment().globals["sparql_examples"] = web_views.examples  # the editor's library (query.html)


async def _in_worker(services: Services, work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(services.query_executor, work)


def _landscape(request: Request, services: Services) -> Landscape:
    """The landscape of the app's catalogue (the one the JSON-LD API uses: same filters, same counts)."""
    snapshot = catalogue_for(request.app.state, services.store, services.iris).snapshot()
    return landscape_for(services.store, snapshot)


def _timed(response: Response, started: float) -> Response:
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response


def _criteria(landscape: Landscape, links: FilterLinks) -> tuple[Criteria, list[dict[str, Any]]]:
    """The selection's criteria, leaving out values we do not know (reported, with suggestions)."""
    values, q = links.values, (links.values.get("q") or [None])[0]
    try:
        return landscape.criteria(values, q), []
    except BadRequest as exc:
        bad = {(str(p.get("field")), str(p.get("value"))) for p in exc.errors}
        kept = {name: [v for v in vs if (name, v) not in bad] for name, vs in values.items()}
        return landscape.criteria(kept, q), exc.errors


# ------------------------------------------------------------------ pages
@router.api_route("/", methods=["GET", "HEAD"], summary="The landscape at a glance")
async def home(request: Request, services: ServicesDep) -> Response:
    started = time.perf_counter()

    def work() -> dict[str, Any]:
        landscape = _landscape(request, services)
        stats = compute(landscape.snapshot, services.store)
        return {"stats": stats, "stated": landscape.stated_legal_forms()}

    data = await _in_worker(services, work)
    stats, orgs = data["stats"], data["stats"]["organisations"]

    def chart(key: str, facet: str, collection: str = "organisations", limit: int | None = None) -> list[Any]:
        codes = [e["code"].lower() if facet == "country" else e["code"] for e in stats[collection].get(key, [])]
        rows = [(code, _capital(e["label"]), e["count"],
                 f"/organisations?{urlencode({facet: code})}" if collection == "organisations" else None)
                for code, e in zip(codes, stats[collection].get(key, []), strict=True)]
        return bars(rows, limit=limit)

    kinds = {e["code"]: e["count"] for e in orgs.get("byKind", [])}
    with_form = sum(e["count"] for e in orgs.get("byLegalForm", []))
    context = {
        "active_page": "home", "stats": stats, "kinds": kinds,
        "by_country": chart("byCountry", "country", limit=12), "countries": len(orgs.get("byCountry", [])),
        "by_kind": chart("byKind", "kind", limit=12), "kinds_more": max(0, len(orgs.get("byKind", [])) - 12),
        "by_form": chart("byLegalForm", "legal_form", limit=10),
        "by_source": chart("bySource", "source"), "without_form": orgs["total"] - with_form,
        "stated": bars([(t, t, n, None) for t, n in data["stated"]], limit=8),
        "datasets_permit": chart("byPermittedAction", "permits", "datasets"),
        "licences_permit": chart("byPermittedAction", "permits", "licences"),
        "examples": web_views.examples()[:5],
    }
    return _timed(render(request, "home.html", context), started)


def _doc_href(services: Services) -> Callable[[str], str]:
    """Our things link to their /doc/ page on this host; others to themselves."""
    prefix = services.iris.base + "id/"
    return lambda iri: "/doc/" + iri[len(prefix):] if iri.startswith(prefix) else iri


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@router.api_route("/organisations", methods=["GET", "HEAD"], summary="Search and browse organisations")
async def organisations(request: Request, services: ServicesDep) -> Response:
    started = time.perf_counter()
    links = FilterLinks(request.query_params.multi_items())
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        page = 1

    def work() -> dict[str, Any]:
        landscape = _landscape(request, services)
        criteria, problems = _criteria(landscape, links)
        total = landscape.select(criteria).total
        pager = paging(links, total, page)
        browse = landscape.browse(criteria, start=(pager.page - 1) * PER_PAGE, limit=PER_PAGE)
        return {"browse": browse, "problems": problems, "pager": pager}

    data = await _in_worker(services, work)
    chips = [(facet.label, value.label, links.toggle(facet.name, value.code))
             for facet in data["browse"].facets for value in facet.values if value.selected]
    q = (links.values.get("q") or [""])[0]
    if q:
        chips.insert(0, ("Text", f"“{q}”", links.without("q")))
    context = {**data, "active_page": "explore", "links": links, "q": q, "chips": chips,
               "csv_href": links.twin("/organisations.csv"), "points_href": links.twin("/organisations/points.json"),
               "api_href": links.twin("/api/v1/organisations"), "doc_href": _doc_href(services)}
    return _timed(render(request, "search.html", context), started)


@router.get("/organisations/points.json", summary="Coordinates of the selected organisations, for the map")
async def points(request: Request, services: ServicesDep) -> Response:
    """``{"total": n, "points": [[lat, long, name, id], ...]}``; ``id`` is the part of the IRI after
    ``{base}id/`` (the page is ``/doc/{id}``), or the whole IRI when it is not ours."""
    started = time.perf_counter()
    links = FilterLinks(request.query_params.multi_items())
    prefix = services.iris.base + "id/"

    def work() -> tuple[str, bytes]:
        landscape = _landscape(request, services)
        criteria, _problems = _criteria(landscape, links)
        found = landscape.points(criteria)
        body = orjson.dumps({"total": landscape.select(criteria).total, "points": [
            [round(lat, 5), round(long, 5), name, iri[len(prefix):] if iri.startswith(prefix) else iri]
            for lat, long, name, iri in found]})
        return etag_for(landscape.snapshot.token, links.url()), body

    etag, body = await _in_worker(services, work)
    headers = {"ETag": etag, "Cache-Control": "public, no-cache"}
    if is_not_modified(request, etag, None):
        return not_modified(headers)
    return _timed(Response(body, media_type="application/json", headers=headers), started)


@router.get("/organisations.csv", summary="The selected organisations as CSV")
async def organisations_csv(request: Request, services: ServicesDep) -> Response:
    links = FilterLinks(request.query_params.multi_items())

    def work() -> Any:
        landscape = _landscape(request, services)
        criteria, _problems = _criteria(landscape, links)
        return landscape.csv_lines(criteria)

    lines = await _in_worker(services, work)
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="ourdata-organisations.csv"'})


@router.api_route("/contribute", methods=["GET", "HEAD"], summary="Contribute: template, upload, validation report")
async def contribute(request: Request, services: ServicesDep) -> Response:
    settings = services.settings
    context = {"active_page": "contribute", "max_bytes": settings.contribution_max_bytes,
               "max_records": settings.contribution_max_records,
               "default_licence": settings.contribution_licence}
    return render(request, "contribute.html", context)


# ------------------------------------------------------------------ static files
@router.api_route("/static/{path:path}", methods=["GET", "HEAD"], summary="Stylesheets, scripts, images")
async def static(path: str, request: Request) -> Response:
    for prefix, files in STATIC_ROOTS.items():
        if path.startswith(prefix):
            try:
                response = await files.get_response(path[len(prefix):], request.scope)
            except HTTPException as exc:
                if exc.status_code == 404:
                    raise HTTPException(404, f"There is no static file '{path}'.") from exc
                raise
            response.headers["Cache-Control"] = STATIC_CACHE
            return response
    raise HTTPException(404, f"There is no static file '{path}'.")  # pragma: no cover - "" matches everything

