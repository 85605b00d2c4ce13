"""The triples of the API's JSON-LD documents, for one resource or a page of them at once.

A document about a resource holds:

1. its description: every statement about the resource and its skolem children (IRIs under ``{iri}/``: sites,
   addresses, registrations, policies, rules), and blank nodes hanging off them (as :func:`graph.describe.describe`);
2. the labels of what it links to (``skos:prefLabel``, ``skos:notation``, ``dct:title``, ``rdfs:label`` of each
   linked IRI that is not a type), so a portal can show "United Kingdom" without a second request;
3. for kinds that list reverse links (an organisation's datasets: ``?dataset dct:publisher ?org``), each such
   resource's type, title and licence, with the licence's labels.

Every triple is one the SPARQL endpoint holds, so parsing the JSON-LD gives exactly this set. A page asks the
store a handful of batched queries (VALUES over validated IRIs on the subject only), whatever its size.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence

from rdflib.term import BNode, URIRef

from graph.catalogue_terms import DCT, RDF_TYPE, RDFS, SKOS
from graph.errors import BadRequest
from graph.sparql_text import checked_iri
from graph.store import GraphStore, Node, Triple

LABEL_PROPERTIES = (SKOS + "prefLabel", SKOS + "notation", DCT + "title", RDFS + "label")
#: What an embedded reverse-linked resource (an organisation's dataset) shows about itself.
SUMMARY_PROPERTIES = (RDF_TYPE, DCT + "title", DCT + "license")
#: Reverse links listed per collection: predicate whose object is the resource.
REVERSE: dict[str, tuple[str, ...]] = {"organisations": (DCT + "publisher",)}
GENID = "/.well-known/genid/"
MAX_DEPTH = 6
BATCH = 200

_OUT = "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
_OUT_ONE = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_FILTERED = "SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER(?p IN ({properties}){literal}) }}"
_INCOMING = "SELECT ?s ?o WHERE {{ VALUES ?o {{ {values} }} ?s {predicate} ?o }}"


def _chunks(iris: Sequence[str]) -> Iterable[str]:
    for start in range(0, len(iris), BATCH):
        yield " ".join(checked_iri(i) for i in iris[start : start + BATCH])


def _in_list(properties: Iterable[str]) -> str:
    return ", ".join(checked_iri(p) for p in properties)


def _rows(store: GraphStore, template: str, iris: Sequence[str], **fields: str) -> list[dict[str, Node]]:
    rows: list[dict[str, Node]] = []
    for values in _chunks(iris):
        rows.extend(store.select(template.format(values=values, **fields)))
    return rows


def _child_of(node: Node, prefix: str) -> bool:
    if isinstance(node, BNode):
        return True
    return isinstance(node, URIRef) and (str(node).startswith(prefix) or GENID in str(node))


def descriptions(store: GraphStore, roots: Sequence[str]) -> dict[str, list[Triple]]:
    """Each root's statements and its children's, breadth first from the roots (no prefix scans)."""
    found: dict[str, dict[Triple, None]] = {root: {} for root in roots}
    owner: dict[Node, str] = {URIRef(root): root for root in roots}
    frontier: list[Node] = [URIRef(root) for root in roots]
    seen: set[Node] = set(frontier)
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        iris = [str(n) for n in frontier if isinstance(n, URIRef)]
        rows = _rows(store, _OUT, iris) if iris else []
        for blank in (n for n in frontier if isinstance(n, BNode)):
            rows.extend(store.select(_OUT_ONE, bindings={"s": blank}))
        following: list[Node] = []
        for row in rows:
            subject, predicate, obj = row["s"], row["p"], row["o"]
            root = owner[subject]
            found[root][(subject, predicate, obj)] = None
            if obj not in seen and _child_of(obj, root.rstrip("/") + "/"):
                seen.add(obj)
                owner[obj] = root
                following.append(obj)
        frontier = following
    return {root: list(triples) for root, triples in found.items()}


class _LabelCache:
    """Labels of linked things (countries, legal forms, kinds, licences) recur in nearly every document: keep them
    while the store does not change (``store.version()``), so a document costs no label query in the steady state."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.labels: dict[str, list[Triple]] = {}
        self.lock = threading.Lock()


_CACHES: weakref.WeakKeyDictionary[GraphStore, _LabelCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
LABEL_CACHE_SIZE = 100_000


def _labels(store: GraphStore, iris: Sequence[str]) -> dict[str, list[Triple]]:
    with _CACHES_LOCK:
        cache = _CACHES.setdefault(store, _LabelCache())
    version = store.version()
    with cache.lock:
        if cache.version != version or len(cache.labels) > LABEL_CACHE_SIZE:
            cache.labels, cache.version = {}, version
        known = cache.labels
        missing = [iri for iri in iris if iri not in known]
    found: dict[str, list[Triple]] = {iri: [] for iri in missing}
    if missing:
        rows = _rows(store, _FILTERED, missing, properties=_in_list(LABEL_PROPERTIES), literal=" && isLiteral(?o)")
        for row in rows:
            found[str(row["s"])].append((row["s"], row["p"], row["o"]))
        with cache.lock:
            if cache.version == version:
                cache.labels.update(found)
    return {iri: known.get(iri) or found.get(iri, []) for iri in iris}


def _reverse(store: GraphStore, roots: Sequence[str], predicates: Sequence[str]) -> dict[str, list[Triple]]:
    """Per root: the summary triples of resources linking to it (plus the link itself)."""
    out: dict[str, list[Triple]] = defaultdict(list)
    linking: dict[str, list[str]] = defaultdict(list)
    for predicate in predicates:
        for row in _rows(store, _INCOMING, roots, predicate=checked_iri(predicate)):
            subject, root = row["s"], str(row["o"])
            if isinstance(subject, URIRef):
                out[root].append((subject, URIRef(predicate), URIRef(root)))
                linking[str(subject)].append(root)
    if linking:
        summary_rows = _rows(store, _FILTERED, list(linking), properties=_in_list(SUMMARY_PROPERTIES), literal="")
        for row in summary_rows:
            for root in linking[str(row["s"])]:
                out[root].append((row["s"], row["p"], row["o"]))
    return out


def documents(store: GraphStore, collection: str, roots: Sequence[str]) -> dict[str, list[Triple]]:
    """The document triples of each root (empty list: we hold nothing about it). Raises BadRequest for an
    IRI the engine refuses."""
    try:
        described = descriptions(store, roots)
        reverse = _reverse(store, roots, REVERSE.get(collection, ()))
    except ValueError as exc:  # pragma: no cover - roots come from the catalogue or iris.thing()
        raise BadRequest(str(exc)) from exc
    docs: dict[str, list[Triple]] = {}
    targets: dict[str, set[str]] = {}
    for root in roots:
        triples = described[root]
        if triples:
            triples = triples + reverse.get(root, [])
        subjects = {s for s, _, _ in triples}
        targets[root] = {str(o) for _, p, o in triples
                         if isinstance(o, URIRef) and str(p) != RDF_TYPE and o not in subjects}
        docs[root] = triples
    wanted = sorted(set().union(*targets.values())) if targets else []
    labels = _labels(store, wanted) if wanted else {}
    for root in roots:
        if docs[root]:
            linked = [t for iri in sorted(targets[root]) for t in labels.get(iri, [])]
            docs[root] = list(dict.fromkeys(docs[root] + linked))
    return docs
