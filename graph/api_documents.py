"""The triples of the API's JSON-LD documents, for one resource or a page of them at once.

A document about a resource holds:

1. its description: every statement about the resource and its skolem children (IRIs under ``{iri}/``: sites,
   addresses, registrations, policies, rules), and blank nodes hanging off them (as :func:`graph.describe.describe`);
2. the labels of what it links to (``skos:prefLabel``, ``skos:notation``, ``dct:title``, ``rdfs:label`` of each
   linked IRI that is not a type), so a portal can show "United Kingdom" without a second request;
3. for kinds that list reverse links (an organisation's datasets: ``?dataset dct:publisher ?org``), each such
   resource's type, title and licence, with the licence's labels.

Every triple is one the SPARQL endpoint holds, so parsing the JSON-LD gives exactly this set. Reads go through
:mod:`graph.statement_reads` (the engine's indexes on the embedded store): the roots' statements and the links to
them, then one read per level of children (an organisation: its site and identifier, then the site's address).
Labels come from a cache kept per store version, so in the steady state a document costs no label read. Terms are
:mod:`graph.plain_terms` (strings and tuples): rdflib terms hash and compare in Python, which cost more than the
reads on a cold document.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from graph.catalogue_terms import DCT, RDF_TYPE, RDFS, SKOS
from graph.errors import BadRequest
from graph.plain_terms import Blank, PlainTriple, Subject
from graph.statement_reads import StatementReads, reads_for
from graph.store import GraphStore

LABEL_PROPERTIES = (SKOS + "prefLabel", SKOS + "notation", DCT + "title", RDFS + "label")
#: What an embedded reverse-linked resource (an organisation's dataset) shows about itself.
SUMMARY_PROPERTIES = (RDF_TYPE, DCT + "title", DCT + "license")
#: Reverse links listed per collection: predicate whose object is the resource.
REVERSE: dict[str, tuple[str, ...]] = {"organisations": (DCT + "publisher",)}
GENID = "/.well-known/genid/"
MAX_DEPTH = 6


@dataclass
class Document:
    """What one resource's JSON-LD is framed from: its statements (with the reverse links to it and their
    summaries), and the label statements of each IRI it links to, in IRI order (empty tuple: no label).

    Label tuples come from the shared label cache: the same object for the same IRI while the store is unchanged,
    so a framer may memoise what it makes of them."""

    triples: list[PlainTriple] = field(default_factory=list)
    labels: dict[str, tuple[PlainTriple, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.triples)

    def all_triples(self) -> list[PlainTriple]:
        """Every triple of the document, labels last."""
        return self.triples + [t for labels in self.labels.values() for t in labels]


def _child_of(node: object, prefix: str) -> bool:
    if type(node) is str:
        return node.startswith(prefix) or GENID in node
    return type(node) is Blank


class OverBudget(Exception):
    """The documents hold more statements than the caller's budget (raised before the rest is read)."""


def _check(budget: int | None, statements: int) -> None:
    if budget is not None and statements > budget:
        raise OverBudget(f"more than {budget} statements")


def _descriptions(reads: StatementReads, roots: Sequence[str], budget: int | None = None
                  ) -> dict[str, dict[PlainTriple, None]]:
    """Each root's statements and its children's, breadth first from the roots (no prefix scans)."""
    found: dict[str, dict[PlainTriple, None]] = {root: {} for root in roots}
    read = 0
    owner: dict[Subject, str] = {root: root for root in roots}
    prefixes = {root: root.rstrip("/") + "/" for root in roots}
    seen: set[object] = set(roots)
    frontier: list[Subject] = list(roots)
    for _depth in range(MAX_DEPTH):
        if not frontier:
            break
        following: list[Subject] = []
        level = reads.about(frontier)
        read += len(level)
        _check(budget, read)
        for triple in level:
            subject, _predicate, obj = triple
            root = owner[subject]
            found[root][triple] = None
            if obj not in seen and _child_of(obj, prefixes[root]):
                seen.add(obj)
                owner[obj] = root  # type: ignore[index]
                following.append(obj)  # type: ignore[arg-type]
        frontier = following
    return found


class _LabelCache:
    """Labels of linked things (countries, legal forms, kinds, licences) recur in nearly every document: keep them
    while the store does not change (``store.version()``), so a document costs no label read in the steady state."""

    def __init__(self) -> None:
        self.version: int | None = None
        self.labels: dict[str, tuple[PlainTriple, ...]] = {}
        self.lock = threading.Lock()


_CACHES: weakref.WeakKeyDictionary[GraphStore, _LabelCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()
LABEL_CACHE_SIZE = 100_000


def _labels(store: GraphStore, reads: StatementReads, iris: Sequence[str]) -> dict[str, tuple[PlainTriple, ...]]:
    with _CACHES_LOCK:
        cache = _CACHES.get(store)
        if cache is None:
            cache = _CACHES[store] = _LabelCache()
    version = store.version()
    with cache.lock:
        if cache.version != version or len(cache.labels) > LABEL_CACHE_SIZE:
            cache.labels, cache.version = {}, version
        known = {iri: cache.labels.get(iri) for iri in iris}
    missing = [iri for iri, labels in known.items() if labels is None]
    if not missing:
        return known  # type: ignore[return-value]
    found: dict[str, dict[PlainTriple, None]] = {iri: {} for iri in missing}
    for triple in reads.about_with(missing, LABEL_PROPERTIES, literals_only=True):
        found[triple[0]][triple] = None  # type: ignore[index]
    fresh = {iri: tuple(triples) for iri, triples in found.items()}
    with cache.lock:
        if cache.version == version:
            cache.labels.update(fresh)
    known.update(fresh)
    return known  # type: ignore[return-value]


def _reverse(reads: StatementReads, roots: Sequence[str], predicates: Sequence[str], budget: int | None = None
             ) -> dict[str, list[PlainTriple]]:
    """Per root: the links to it and the summary triples of the resources linking (as they come)."""
    out: dict[str, list[PlainTriple]] = defaultdict(list)
    linking: dict[str, list[str]] = defaultdict(list)
    for predicate in predicates:
        for subject, _predicate, root in reads.linking(roots, predicate):
            out[root].append((subject, predicate, root))  # type: ignore[index]
            linking[subject].append(root)  # type: ignore[index, arg-type]
    if budget is not None:
        _check(budget, len(linking) * (1 + len(SUMMARY_PROPERTIES)))
    if linking:
        for triple in reads.about_with(list(linking), SUMMARY_PROPERTIES):
            for root in linking[triple[0]]:  # type: ignore[index]
                out[root].append(triple)
    return out


def documents(store: GraphStore, collection: str, roots: Sequence[str], *, budget: int | None = None
              ) -> dict[str, Document]:
    """The document of each root (empty: we hold nothing about it). Raises BadRequest for an IRI the engine
    refuses, and OverBudget as soon as the description, or the resources linking to the roots, are found to hold
    more than ``budget`` statements (so a caller on the event loop can hand a large document to a thread)."""
    reads = reads_for(store)
    try:
        described = _descriptions(reads, roots, budget)
        if budget is not None:
            budget -= sum(len(found) for found in described.values())
        reverse = _reverse(reads, roots, REVERSE.get(collection, ()), budget)
    except ValueError as exc:  # pragma: no cover - roots come from the catalogue or iris.thing()
        raise BadRequest(str(exc)) from exc
    docs: dict[str, Document] = {}
    targets: dict[str, list[str]] = {}
    for root in roots:
        triples = list(described[root])
        if triples:
            triples = list(dict.fromkeys(triples + reverse.get(root, [])))
        subjects = {s for s, _, _ in triples}
        targets[root] = sorted({o for _, p, o in triples  # type: ignore[misc]
                                if type(o) is str and p != RDF_TYPE and o not in subjects})
        docs[root] = Document(triples)
    wanted = sorted({iri for linked in targets.values() for iri in linked})
    labels = _labels(store, reads, wanted) if wanted else {}
    for root in roots:
        docs[root].labels = {iri: labels.get(iri, ()) for iri in targets[root]}
    return docs
