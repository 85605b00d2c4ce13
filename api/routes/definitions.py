"""``/def/``: the ontology and every concept scheme, for people (HTML) and machines (RDF by negotiation).

``/def/`` lists our terms, every skos:ConceptScheme in the store and the sources we credit; ``/def/{name}`` is a
term (``/def/sourceFamily``) or a scheme (``/def/institution-kind``, ``/def/legal-form?page=2``);
``/def/{scheme}/{code}`` is a concept, by its IRI or its notation. Formats: ``Accept`` (text/html, Turtle,
JSON-LD, RDF/XML, N-Triples) or a suffix (``.html .ttl .jsonld .rdf .nt``); every answer varies on Accept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from rdflib import Graph, URIRef
from starlette.responses import Response

from api.definitions_views import DefinitionViews
from api.deps import ServicesDep
from api.errors import problem_for
from api.negotiation import prefers_html
from api.pages import render
from api.rdf_response import negotiate_rdf, rdf_response
from graph.errors import BadRequest, NotFound, OurdataError
from graph.formats import RDF_BY_NAME, Format
from graph.iris import Iris
from ontology import load_context
from ontology.lookup import PAGE_SIZE, Definitions

router = APIRouter(tags=["Definitions"])

#: Graph formats a definition is served in (datasets formats make no sense for one description).
FORMATS: tuple[Format, ...] = tuple(RDF_BY_NAME[n] for n in ("turtle", "jsonld", "rdfxml", "ntriples"))
SUFFIXES: dict[str, Format | None] = {".ttl": RDF_BY_NAME["turtle"], ".jsonld": RDF_BY_NAME["jsonld"],
                                      ".rdf": RDF_BY_NAME["rdfxml"], ".nt": RDF_BY_NAME["ntriples"], ".html": None}
VARY = {"Vary": "Accept"}
HTML = "html"
Choice = Format | str  # a Format, or HTML
Page = Annotated[int, Query(ge=1, le=100_000, description="Page of concepts (schemes with many concepts).")]


Handler = TypeVar("Handler", bound=Callable[..., Response])


def vary_on_errors(handler: Handler) -> Handler:
    """Problem responses of these routes say ``Vary: Accept`` too: a cache must not serve a 406 to a browser."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return handler(*args, **kwargs)
        except OurdataError as exc:
            response = problem_for(exc)
            response.headers["Vary"] = "Accept"
            return response

    return wrapper  # type: ignore[return-value]


def split_suffix(segment: str) -> tuple[str, Choice | None]:
    """``legal-form.ttl`` -> (``legal-form``, Turtle); a segment without a known suffix is returned whole."""
    for suffix, fmt in SUFFIXES.items():
        if segment.endswith(suffix) and len(segment) > len(suffix):
            return segment[: -len(suffix)], fmt if fmt is not None else HTML
    return segment, None


def choose(request: Request, forced: Choice | None) -> Choice:
    if forced is not None:
        return forced
    accept = request.headers.get("accept")
    return HTML if prefers_html(accept) else negotiate_rdf(accept, FORMATS)


def rdf(graph: Graph, fmt: Format, headers: dict[str, str] | None = None) -> Response:
    """Turtle, RDF/XML, N-Triples as rdflib writes them; JSON-LD compacted with our published context."""
    if fmt.name == "jsonld":
        context = load_context()["@context"]
        # the context goes inline (it is the one published at /api/v1/context.jsonld): the document stands alone
        body = graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")
        return Response(body, media_type=fmt.content_type, headers={**VARY, **(headers or {})})
    return rdf_response(graph, fmt, headers=headers)


def answer(request: Request, choice: Choice, template: str, html: Callable[[], dict[str, object]],
           graph: Callable[[], Graph], canonical: str, headers: dict[str, str] | None = None) -> Response:
    """HTML (with ``canonical``, the path without a suffix, for the format links) or the graph in ``choice``."""
    merged = {**VARY, **(headers or {})}
    if choice == HTML:
        return render(request, template, {**html(), "canonical": canonical}, headers=merged)
    assert isinstance(choice, Format)
    return rdf(graph(), choice, headers=merged)


def _views(services: ServicesDep) -> tuple[Definitions, DefinitionViews]:
    definitions = Definitions(services.store, services.iris)
    return definitions, DefinitionViews(definitions)


@router.api_route("/def/", methods=["GET", "HEAD"], summary="The ontology and every concept scheme")
@vary_on_errors
def index(request: Request, services: ServicesDep) -> Response:
    _, views = _views(services)
    return answer(request, choose(request, None), "definitions_index.html", views.index, views.index_graph, "/def")


@router.api_route("/def.{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
@vary_on_errors
def index_with_suffix(request: Request, services: ServicesDep, suffix: str) -> Response:
    _, forced = split_suffix("def." + suffix)
    if forced is None:
        raise NotFound(f"No definitions in the format '.{suffix}' (use .ttl, .jsonld, .rdf, .nt or .html).")
    _, views = _views(services)
    return answer(request, forced, "definitions_index.html", views.index, views.index_graph, "/def")


@router.api_route("/def/{name}", methods=["GET", "HEAD"], summary="A term of the ontology, or a concept scheme")
@vary_on_errors
def term_or_scheme(request: Request, services: ServicesDep, name: str, page: Page = 1) -> Response:
    definitions, views = _views(services)
    iri, forced = _resolve(definitions, name)
    choice = choose(request, forced)
    canonical = f"/def/{split_suffix(name)[0] if forced is not None else name}"
    if definitions.is_scheme(iri):
        total = definitions.concept_count(iri)
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            raise NotFound(f"The scheme has {total:,} concepts in {pages} page(s); there is no page {page}.")
        return answer(request, choice, "definitions_scheme.html", lambda: views.scheme(iri, page, total),
                      lambda: views.scheme_graph(iri, page), canonical, _paging(request, page, pages))
    return answer(request, choice, "definitions_term.html", lambda: views.term(iri),
                  lambda: views.describe_graph(iri), canonical)


@router.api_route("/def/{scheme}/{code}", methods=["GET", "HEAD"], summary="A concept of a scheme")
@vary_on_errors
def concept(request: Request, services: ServicesDep, scheme: str, code: str) -> Response:
    definitions, views = _views(services)
    iri, forced = _resolve_concept(definitions, scheme, code)
    canonical = f"/def/{scheme}/{split_suffix(code)[0] if forced is not None else code}"
    return answer(request, choose(request, forced), "definitions_concept.html", lambda: views.concept(iri),
                  lambda: views.describe_graph(iri), canonical)


def _resolve(definitions: Definitions, name: str) -> tuple[URIRef, Choice | None]:
    """The IRI ``/def/{name}`` names (trying the name whole, then without a format suffix); 404 otherwise."""
    stem, forced = split_suffix(name)
    attempts = [(name, None)] + ([(stem, forced)] if forced is not None else [])
    for candidate, fmt in attempts:
        found = definitions.find(candidate) if _is_slug(candidate) else None
        if found is not None:
            return found, fmt
    raise NotFound(f"There is no term or concept scheme '/def/{stem}'. The list is at /def/.")


def _resolve_concept(definitions: Definitions, scheme: str, code: str) -> tuple[URIRef, Choice | None]:
    """``/def/{scheme}/{code}``: a concept with that IRI, or the concept of the scheme with that notation."""
    stem, forced = split_suffix(code)
    if not _is_slug(scheme):
        raise NotFound(f"There is no concept scheme '/def/{scheme}'.")
    attempts = [(code, None)] + ([(stem, forced)] if forced is not None else [])
    for candidate, fmt in attempts:
        found = definitions.find(scheme, candidate) if _is_slug(candidate) else None
        if found is not None:
            return found, fmt
    for scheme_iri in definitions.candidates(scheme):
        if definitions.is_scheme(scheme_iri):
            for candidate, fmt in attempts:
                found = definitions.concept_by_notation(scheme_iri, candidate)
                if found is not None:
                    return found, fmt
    raise NotFound(f"There is no concept '{stem}' in '/def/{scheme}'.")


def _is_slug(text: str) -> bool:
    try:
        Iris.checked_slug(text)
    except BadRequest:
        return False
    return True


def _paging(request: Request, page: int, pages: int) -> dict[str, str]:
    links = []
    url = request.url.remove_query_params("page")
    if page < pages:
        links.append(f'<{url.include_query_params(page=page + 1)}>; rel="next"')
    if page > 1:
        links.append(f'<{url.include_query_params(page=page - 1)}>; rel="prev"')
    return {"Link": ", ".join(links)} if links else {}
