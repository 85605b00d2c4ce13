"""The documents behind ``/doc/{kind}/{slug}``: one resource in HTML, Turtle, JSON-LD, N-Triples or RDF/XML.

A request path maps onto the configured base, whatever host served it: ``/doc/organisation/x`` on any
host describes ``{base}id/organisation/x``. Built documents are cached per store version (a write
invalidates all), so repeated and conditional requests cost a lookup; the ETag hashes the bytes sent.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDF

from api import resource_extras
from api.http_cache import etag_for
from api.jsonld import graph_to_jsonld, script_safe
from api.negotiation import choose, prefers_html
from api.pages import environment
from api.predicate_labels import PREFIXES
from api.rdf_response import serialize_graph
from api.resource_view import LinkMapper, build_page
from graph.catalogue import Catalogue
from graph.describe import described_subjects, last_modified, statement_sources
from graph.errors import BadRequest, NotAcceptable, NotFound
from graph.formats import RDF_BY_NAME, Format
from graph.iris import Iris
from graph.sparql_text import checked_iri
from graph.store import GraphStore

HTML = "html"
#: The RDF formats of a resource document, in the order we prefer them when the client does not say.
DOC_FORMATS: tuple[Format, ...] = tuple(RDF_BY_NAME[n] for n in ("turtle", "jsonld", "ntriples", "rdfxml"))
SUFFIXES: dict[str, str] = {".html": HTML, ".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples", ".rdf": "rdfxml"}
HTML_TYPE = "text/html; charset=utf-8"
CACHE_SIZE = 512


@dataclass(frozen=True)
class Representation:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


# ------------------------------------------------------------------ request path -> IRI, format
def thing_iri(iris: Iris, kind: str, rest: str) -> str:
    """``{base}id/{kind}/{slug}[/{child}...]``; each segment must be IRI-safe (BadRequest otherwise)."""
    segments = rest.split("/")
    if not rest or any(not s for s in segments):
        raise NotFound(f"There is no resource at '{kind}/{rest}'.")
    head = iris.thing(kind, segments[0])
    return "/".join([head, *(iris.checked_slug(s) for s in segments[1:])])


def is_held(store: GraphStore, iri: str) -> bool:
    return bool(store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", bindings={"s": URIRef(iri)}))


def resolve(store: GraphStore, iris: Iris, kind: str, rest: str) -> tuple[str, str | None]:
    """(the IRI we hold, the representation its suffix asks for). A suffix is only a suffix when the
    path without it names a held resource, so slugs that happen to end in '.nt' still work."""
    for suffix, name in SUFFIXES.items():
        if rest.endswith(suffix) and len(rest) > len(suffix):
            try:
                iri = thing_iri(iris, kind, rest[: -len(suffix)])
            except BadRequest:
                continue
            if is_held(store, iri):
                return iri, name
    iri = thing_iri(iris, kind, rest)
    if not is_held(store, iri):
        raise NotFound(f"We hold nothing about <{iri}>.")
    return iri, None


def negotiate(accept: str | None, suffix: str | None) -> str:
    """``html`` or an RDF format name: the suffix decides if given, else the Accept header.

    Browsers (text/html preferred) get HTML; other clients get Turtle unless they ask for another format.
    """
    if suffix is not None:
        return suffix
    if prefers_html(accept):
        return HTML
    offered = [mt for f in DOC_FORMATS for mt in f.media_types] + ["text/html"]
    chosen = choose(offered, accept)
    if chosen is None:
        raise NotAcceptable(f"Cannot send this resource as any of: {accept}.",
                            available=["text/html"] + [f.media_type for f in DOC_FORMATS])
    if chosen == "text/html":
        return HTML
    return next(f.name for f in DOC_FORMATS if chosen in f.media_types)


def document_iri(iris: Iris, iri: str) -> str:
    return iris.base + "doc/" + iri[len(iris.base + "id/"):]


# ------------------------------------------------------------------ building
def resource_graph(store: GraphStore, iris: Iris, iri: str) -> Graph:
    """The description, plus the document's own two triples (it is a foaf:Document about the thing)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for triples in described_subjects(store, iri).values():
        for triple in triples:
            graph.add(triple)
    doc = URIRef(document_iri(iris, iri))
    graph.add((doc, RDF.type, FOAF.Document))
    graph.add((doc, FOAF.primaryTopic, URIRef(iri)))
    return graph


class _StoreClock:
    """When this process first saw each store version: Last-Modified for data without recorded dates."""

    def __init__(self) -> None:
        self._seen: weakref.WeakKeyDictionary[GraphStore, tuple[int, datetime]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, store: GraphStore) -> datetime:
        version = store.version()
        with self._lock:
            seen = self._seen.get(store)
            if seen is None or seen[0] != version:
                seen = (version, datetime.now(UTC).replace(microsecond=0))
                self._seen[store] = seen
            return seen[1]


store_clock = _StoreClock()


class _DocumentCache:
    """Built representations per store (weakly held) and version; a write to the store empties it in effect."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._by_store: weakref.WeakKeyDictionary[GraphStore, OrderedDict[tuple[object, ...], Representation]] = (
            weakref.WeakKeyDictionary())
        self._lock = threading.Lock()

    def get(self, store: GraphStore, key: tuple[object, ...]) -> Representation | None:
        with self._lock:
            entries = self._by_store.get(store)
            if entries is None or key not in entries:
                return None
            entries.move_to_end(key)
            return entries[key]

    def put(self, store: GraphStore, key: tuple[object, ...], value: Representation) -> None:
        with self._lock:
            entries = self._by_store.setdefault(store, OrderedDict())
            entries[key] = value
            while len(entries) > self._size:
                entries.popitem(last=False)


_cache = _DocumentCache(CACHE_SIZE)


def represent(store: GraphStore, iris: Iris, iri: str, rep: str, *, root: str,
              catalogue: Catalogue | None = None) -> Representation:
    """The document in representation ``rep`` (``html`` or an RDF format name) for a reader on ``root``;
    with the app's ``catalogue``, HTML pages add what :mod:`api.resource_extras` computes."""
    key = (store.version(), iri, rep, root if rep == HTML else "")
    cached = _cache.get(store, key)
    if cached is not None:
        return cached
    modified = last_modified(store, iri, meta_graph=iris.meta_graph) or store_clock(store)
    graph = resource_graph(store, iris, iri)
    if rep == HTML:
        body = _html(store, iris, iri, graph, root, catalogue)
        content_type = HTML_TYPE
    else:
        fmt = RDF_BY_NAME[rep]
        body = graph_to_jsonld(graph) if fmt.name == "jsonld" else serialize_graph(graph, fmt)
        content_type = fmt.content_type
    built = Representation(body, content_type, etag_for(content_type, body), modified)
    _cache.put(store, key, built)
    return built


def _html(store: GraphStore, iris: Iris, iri: str, graph: Graph, root: str, catalogue: Catalogue | None) -> bytes:
    link = LinkMapper(iris, root)
    statements = statement_sources(store, iri, meta_graph=iris.meta_graph)
    query = f"SELECT ?s ?p WHERE {{ ?s ?p {checked_iri(iri)} }}"  # a link to the editor; the IRI checked anyway
    sparql = f"{root}sparql?q={quote(query, safe='')}"  # the query editor, which runs a shared query
    page = build_page(store, iris, iri, statements, link, sparql_href=sparql)
    doc = link(iri)
    formats = [(name.lstrip(".").upper(), doc + name, RDF_BY_NAME[fmt].media_type)
               for name, fmt in SUFFIXES.items() if fmt != HTML]
    html = environment().get_template("resource.html").render(
        page=page, formats=formats, id_href=root + "id/" + iri[len(iris.base + "id/"):],
        jsonld=script_safe(graph_to_jsonld(graph)), **resource_extras.context(store, iris, iri, catalogue))
    return html.encode("utf-8")
