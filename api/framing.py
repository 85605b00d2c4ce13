"""JSON-LD for the API: a document's triples framed around its resource and compacted with our published context.

Not rdflib's serializer: lists need the same shape as single resources, and rdflib compacts to a flat
``@graph``. The rules are those of JSON-LD 1.1 compaction and framing, applied to a known small graph:

- the resource is the top node; what it links to is embedded where first reached (framing's ``@embed: @once``,
  depth first, keys and values in a fixed order), so its country, legal form and kind appear as objects with
  their labels; resources linking to it through a reverse term of the context (``datasets``) are embedded there;
- a property gets the context's term whose ``@type`` / ``@language`` / ``@container`` fits the value
  (``name`` is a language map; a plain string goes under ``@none``), else a compact IRI (``org:siteAddress``);
- every link is an object with at least ``id``; ``type`` and multi-valued properties are always arrays;
  properties listed in :data:`SINGLE` are a single value unless the data holds several;
- literals keep their exact lexical form (value objects with ``@type``), except canonical ``xsd:integer`` and
  ``xsd:boolean`` which become JSON numbers and booleans (they read back identically).

Parsing the output with the same context gives back exactly the input triples (tests/test_api_resource.py).
Terms are :mod:`graph.plain_terms` (strings and tuples): a cold document is framed in a fraction of the time
rdflib terms took. A linked thing that has only labels in the document (a country, a kind, a legal form) frames
the same way in every document: that part is made once per label tuple (see
:class:`graph.api_documents.Document`) and shared, so framed documents must not be mutated.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graph.catalogue_terms import DCT, ORG, RDF_TYPE, ROV, SKOS
from graph.plain_terms import Blank, Lit, PlainTriple, Subject, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
LOCN = "http://www.w3.org/ns/locn#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ESS = "http://purl.org/essglobal/vocab/"
OD = "https://ourdata.coop/def/"

#: Properties a resource normally has once: written as one value (an array only if the data holds several).
SINGLE = frozenset({
    ROV + "legalName", ROV + "orgType", DCT + "modified", DCT + "created", DCT + "issued", DCT + "description",
    DCT + "title", DCT + "publisher", DCT + "license", DCT + "identifier", DCT + "source", DCT + "spatial",
    SKOS + "notation", SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "definition",
    ORG + "hasRegisteredSite", ORG + "siteAddress", LOCN + "address", LOCN + "postCode", LOCN + "postName",
    LOCN + "adminUnitL1", LOCN + "adminUnitL2", LOCN + "thoroughfare", LOCN + "fullAddress",
    GEO + "lat", GEO + "long", "http://www.w3.org/2002/07/owl#deprecated", "http://xmlns.com/foaf/0.1/homepage",
    "http://www.w3.org/ns/adms#schemaAgency", ESS + "organisationalStructure", ESS + "baseMembershipType",
    ESS + "primarySector", ESS + "totalOfMembers", OD + "legalFormText", OD + "ownershipClassification",
})
#: Keys written first, in this order; the others follow alphabetically.
FIRST_KEYS = ("name", "title", "notation", "legalName", "description")
_CANONICAL_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
#: Framed label-only nodes kept per framer (entries are small; cleared when full), and compacted IRIs kept.
LABEL_NODES = 50_000
COMPACTED = 10_000


@dataclass(frozen=True)
class ContextTerm:
    name: str
    iri: str
    type: str | None  # "@id", "@vocab", a datatype IRI, or None
    language: str | None
    container: str | None
    reverse: bool


class Context:
    """The parts of a JSON-LD context compaction needs: prefixes, terms by IRI, keyword aliases."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        inner = context.get("@context", context)
        if not isinstance(inner, Mapping):
            raise ValueError("the JSON-LD context must be an object")
        self.prefixes: list[tuple[str, str]] = []  # (namespace, prefix), longest namespace first
        self.terms: dict[str, list[ContextTerm]] = defaultdict(list)
        self.aliases: dict[str, str] = {}
        self.default_language = inner.get("@language")
        raw_prefixes = {k: v for k, v in inner.items() if isinstance(v, str) and not k.startswith("@")}
        for name, value in raw_prefixes.items():
            if value.startswith("@"):
                self.aliases[value] = name
            elif value.endswith(_GEN_DELIMS) and ":" not in name:
                self.prefixes.append((value, name))
        self.prefixes.sort(key=lambda pair: (-len(pair[0]), pair[1]))
        for name, value in inner.items():
            if name.startswith("@") or not isinstance(value, (str, Mapping)):
                continue
            definition = {"@id": value} if isinstance(value, str) else value
            if isinstance(value, str) and value.startswith("@"):
                continue
            reverse = "@reverse" in definition
            iri = self.expand(str(definition.get("@reverse") if reverse else definition.get("@id", name)))
            kind = definition.get("@type")
            kind = self.expand(kind) if kind and not kind.startswith("@") else kind
            self.terms[iri].append(ContextTerm(name, iri, kind, definition.get("@language"),
                                               definition.get("@container"), reverse))
        for candidates in self.terms.values():
            candidates.sort(key=lambda t: (len(t.name), t.name))
        self._chosen: dict[tuple[str, str, str], tuple[str, str]] = {}
        self._compact: dict[str, str] = {}
        self.id_key = self.aliases.get("@id", "@id")
        self.type_key = self.aliases.get("@type", "@type")

    def expand(self, value: str) -> str:
        prefix, colon, local = value.partition(":")
        if colon and not local.startswith("//"):
            for namespace, name in self.prefixes:
                if name == prefix:
                    return namespace + local
        return value

    def compact_iri(self, iri: str) -> str:
        """The compact IRI (``org:Site``); memoised for the IRIs that recur (types, datatypes, predicates)."""
        found = self._compact.get(iri)
        if found is None:
            found = self._compact_iri(iri)
            if len(self._compact) < COMPACTED:
                self._compact[iri] = found
        return found

    def _compact_iri(self, iri: str) -> str:
        for namespace, prefix in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def reverse_term(self, predicate: str) -> str | None:
        return next((t.name for t in self.terms.get(predicate, []) if t.reverse), None)

    def choose(self, predicate: str, value: Term) -> tuple[str, str]:
        """(key, how to write the value): ``ref``, ``map`` (language map), ``plain`` (bare string), ``native``
        (JSON number/boolean) or ``object`` (value object). Memoised per predicate and kind of value."""
        if type(value) is Lit:
            if value.language:
                signature: tuple[str, str, str] = (predicate, "@" + value.language, "")
            else:
                signature = (predicate, value.datatype, "native" if _is_native(value) else "")
        else:
            signature = (predicate, "", "ref")
        chosen = self._chosen.get(signature)
        if chosen is None:
            chosen = self._chosen[signature] = self._choose(predicate, value)
        return chosen

    def _choose(self, predicate: str, value: Term) -> tuple[str, str]:
        terms = [t for t in self.terms.get(predicate, []) if not t.reverse and t.container in (None, "@set",
                                                                                             "@language")]
        if type(value) is not Lit:
            for preferred in ("@id", "@vocab", None):
                for term in terms:
                    if term.type == preferred and term.language is None and term.container != "@language":
                        return term.name, "ref"
            return self.compact_iri(predicate), "ref"
        untyped = [t for t in terms if t.type is None and t.container != "@language"]
        if value.language:
            for term in terms:
                if term.container == "@language":
                    return term.name, "map"
            for term in untyped:
                if term.language == value.language:
                    return term.name, "plain"
            for term in untyped:
                if term.language is None:
                    return term.name, "object"
            return self.compact_iri(predicate), "object"
        datatype = value.datatype or XSD + "string"
        if datatype == XSD + "string":
            for term in terms:
                if term.container == "@language":
                    return term.name, "map"
            for term in untyped:
                if term.language is None:
                    return term.name, "object" if self.default_language else "plain"
            return self.compact_iri(predicate), "object" if self.default_language else "plain"
        for term in terms:
            if term.type == datatype:
                return term.name, "plain"
        native = _is_native(value)
        for term in untyped:
            if term.language is None:
                return term.name, "native" if native else "object"
        return self.compact_iri(predicate), "native" if native else "object"


def _is_native(value: Lit) -> bool:
    datatype = value.datatype
    if datatype == XSD + "boolean":
        return value.value in ("true", "false")
    return datatype == XSD + "integer" and bool(_CANONICAL_INTEGER.fullmatch(value.value))


def _native(value: Lit) -> bool | int:
    if value.datatype == XSD + "boolean":
        return value.value == "true"
    return int(value.value)


def _value_sort(node: Term) -> tuple[int, str, str]:
    kind = type(node)
    if kind is str:
        return (0, node, "")  # type: ignore[return-value]
    if kind is Blank:
        return (1, "", "")
    return (2, node.language or node.datatype, node.value)  # type: ignore[union-attr]


def _entry_sort(entry: tuple[str, str, Term]) -> tuple[int, str, str]:
    return _value_sort(entry[2])


class Framer:
    """Frames documents with one context; reusable and thread-safe."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = Context(context)
        self._label_nodes: dict[str, tuple[tuple[PlainTriple, ...], dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def frame(self, root: str, triples: Iterable[PlainTriple], reverse: Iterable[str] = (),
              labels: Mapping[str, tuple[PlainTriple, ...]] | None = None) -> dict[str, Any]:
        """The framed document about ``root``; ``labels`` are the label statements of linked IRIs (each IRI with
        labels is embedded as a node holding them where first reached)."""
        return _Framing(self, root, list(triples), tuple(reverse), labels or {}).run()

    def label_node(self, iri: str, labels: tuple[PlainTriple, ...]) -> dict[str, Any]:
        """The framed node of a linked IRI that has only its labels in the document: made once per label tuple."""
        found = self._label_nodes.get(iri)
        if found is not None and found[0] is labels:
            return found[1]
        framing = _Framing(self, iri, list(labels), (), {})
        node = framing.node(iri, frozenset({iri}))
        with self._lock:
            if len(self._label_nodes) >= LABEL_NODES:
                self._label_nodes.clear()
            self._label_nodes[iri] = (labels, node)
        return node


class _Framing:
    def __init__(self, framer: Framer, root: str, triples: list[PlainTriple], reverse: tuple[str, ...],
                 labels: Mapping[str, tuple[PlainTriple, ...]]) -> None:
        self.framer = framer
        self.ctx = framer.context
        self.root = root
        self.labels = labels
        self.out: dict[Subject, list[tuple[str, Term]]] = defaultdict(list)
        self.reverse: dict[str, list[Subject]] = defaultdict(list)
        for s, p, o in dict.fromkeys(triples):
            if p in reverse and o == root and s != root:
                self.reverse[p].append(s)
            else:
                self.out[s].append((p, o))
        self.embedded: set[Term] = {root}
        self.blank_ids: dict[Blank, str] = {}

    def run(self) -> dict[str, Any]:
        node = self.node(self.root, frozenset({self.root}))
        for predicate in sorted(self.reverse):
            subjects = sorted(set(self.reverse[predicate]), key=_value_sort)
            values = [self.reference(s, frozenset({self.root})) for s in subjects]
            term = self.ctx.reverse_term(predicate)
            if term is not None:
                node[term] = values
            else:
                node.setdefault("@reverse", {})[self.ctx.compact_iri(predicate)] = values
        return node

    def identifier(self, node: Subject) -> str:
        if type(node) is Blank:
            return self.blank_ids.setdefault(node, f"_:b{len(self.blank_ids)}")  # type: ignore[arg-type]
        return node  # type: ignore[return-value]

    def reference(self, node: Term, path: frozenset[Term]) -> dict[str, Any]:
        if node not in self.embedded and node not in path:
            if node in self.out:
                self.embedded.add(node)
                return self.node(node, path | {node})  # type: ignore[arg-type]
            labels = self.labels.get(node) if type(node) is str else None  # type: ignore[call-overload]
            if labels:
                self.embedded.add(node)
                return self.framer.label_node(node, labels)  # type: ignore[arg-type]
        return {self.ctx.id_key: self.identifier(node)}  # type: ignore[arg-type]

    def node(self, subject: Subject, path: frozenset[Term]) -> dict[str, Any]:
        ctx = self.ctx
        result: dict[str, Any] = {ctx.id_key: self.identifier(subject)}
        entries = self.out.get(subject, [])
        types = sorted(ctx.compact_iri(o if type(o) is str else o[0]) for p, o in entries if p == RDF_TYPE)
        if types:
            result[ctx.type_key] = types
        grouped: dict[str, list[tuple[str, str, Term]]] = {}
        for predicate, value in entries:
            if predicate == RDF_TYPE:
                continue
            key, how = ctx.choose(predicate, value)
            group = grouped.get(key)
            if group is None:
                grouped[key] = [(predicate, how, value)]
            else:
                group.append((predicate, how, value))
        for key in sorted(grouped, key=_key_order):
            group = grouped[key]
            if len(group) > 1:
                group.sort(key=_entry_sort)
            result[key] = self.values(group, path)
        return result

    def values(self, entries: Sequence[tuple[str, str, Term]], path: frozenset[Term]) -> Any:
        if entries[0][1] == "map":
            language_map: dict[str, Any] = {}
            for _p, _how, value in entries:
                tag = value.language or "@none"  # type: ignore[union-attr]
                existing = language_map.get(tag)
                if existing is None:
                    language_map[tag] = value.value  # type: ignore[union-attr]
                else:
                    language_map[tag] = (existing if isinstance(existing, list) else [existing]) + [value.value]  # type: ignore[union-attr]
            return language_map
        written = [self.value(how, value, path) for _p, how, value in entries]
        if len(written) == 1 and entries[0][0] in SINGLE:
            return written[0]
        return written

    def value(self, how: str, value: Term, path: frozenset[Term]) -> Any:
        if how == "ref":
            return self.reference(value, path)
        assert type(value) is Lit
        if how == "plain":
            return value.value
        if how == "native":
            return _native(value)
        if value.language:
            return {"@value": value.value, "@language": value.language}
        datatype = value.datatype or XSD + "string"
        if datatype == XSD + "string":
            return {"@value": value.value}
        return {"@value": value.value, "@type": self.ctx.compact_iri(datatype)}


def _key_order(key: str) -> tuple[int, str]:
    if key in FIRST_KEYS:
        return (FIRST_KEYS.index(key), key)
    return (len(FIRST_KEYS), key.lower())
