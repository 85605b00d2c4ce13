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
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib.term import BNode, Literal, URIRef

from graph.catalogue_terms import DCT, ORG, RDF_TYPE, ROV, SKOS
from graph.store import Node, Triple

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


@dataclass(frozen=True)
class Term:
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
        self.terms: dict[str, list[Term]] = defaultdict(list)
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
            self.terms[iri].append(Term(name, iri, self.expand(kind) if kind and not kind.startswith("@") else kind,
                                        definition.get("@language"), definition.get("@container"), reverse))
        for candidates in self.terms.values():
            candidates.sort(key=lambda t: (len(t.name), t.name))
        self._chosen: dict[tuple[str, str, str], tuple[str, str]] = {}
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
        for namespace, prefix in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def reverse_term(self, predicate: str) -> str | None:
        return next((t.name for t in self.terms.get(predicate, []) if t.reverse), None)

    def choose(self, predicate: str, value: Node) -> tuple[str, str]:
        """(key, how to write the value): ``ref``, ``map`` (language map), ``plain`` (bare string), ``native``
        (JSON number/boolean) or ``object`` (value object). Memoised per predicate and kind of value."""
        if isinstance(value, Literal):
            if value.language:
                signature: tuple[str, str, str] = (predicate, "@" + value.language, "")
            else:
                native = _is_native(value)
                signature = (predicate, str(value.datatype or ""), "native" if native else "")
        else:
            signature = (predicate, "", "ref")
        chosen = self._chosen.get(signature)
        if chosen is None:
            chosen = self._chosen[signature] = self._choose(predicate, value)
        return chosen

    def _choose(self, predicate: str, value: Node) -> tuple[str, str]:
        terms = [t for t in self.terms.get(predicate, []) if not t.reverse and t.container in (None, "@set",
                                                                                             "@language")]
        if isinstance(value, (URIRef, BNode)):
            for preferred in ("@id", "@vocab", None):
                for term in terms:
                    if term.type == preferred and term.language is None and term.container != "@language":
                        return term.name, "ref"
            return self.compact_iri(predicate), "ref"
        assert isinstance(value, Literal)
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
        datatype = str(value.datatype) if value.datatype else XSD + "string"
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


def _is_native(value: Literal) -> bool:
    datatype = str(value.datatype)
    if datatype == XSD + "boolean":
        return str(value) in ("true", "false")
    return datatype == XSD + "integer" and bool(_CANONICAL_INTEGER.fullmatch(str(value)))


def _native(value: Literal) -> bool | int:
    if str(value.datatype) == XSD + "boolean":
        return str(value) == "true"
    return int(str(value))


def _value_sort(node: Node) -> tuple[int, str, str]:
    if isinstance(node, URIRef):
        return (0, str(node), "")
    if isinstance(node, BNode):
        return (1, "", "")
    assert isinstance(node, Literal)
    return (2, node.language or str(node.datatype or ""), str(node))


class Framer:
    """Frames documents with one context; reusable and thread-safe."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = Context(context)

    def frame(self, root: str, triples: Iterable[Triple], reverse: Iterable[str] = ()) -> dict[str, Any]:
        return _Framing(self.context, URIRef(root), list(triples), tuple(reverse)).run()


class _Framing:
    def __init__(self, context: Context, root: URIRef, triples: list[Triple], reverse: tuple[str, ...]) -> None:
        self.ctx = context
        self.root = root
        self.out: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        self.reverse: dict[str, list[Node]] = defaultdict(list)
        for s, p, o in dict.fromkeys(triples):
            if str(p) in reverse and o == root and s != root:
                self.reverse[str(p)].append(s)
            else:
                self.out[s].append((p, o))
        self.embedded: set[Node] = {root}
        self.blank_ids: dict[Node, str] = {}

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

    def identifier(self, node: Node) -> str:
        if isinstance(node, BNode):
            return self.blank_ids.setdefault(node, f"_:b{len(self.blank_ids)}")
        return str(node)

    def reference(self, node: Node, path: frozenset[Node]) -> dict[str, Any]:
        if node in self.out and node not in self.embedded and node not in path:
            self.embedded.add(node)
            return self.node(node, path | {node})
        return {self.ctx.id_key: self.identifier(node)}

    def node(self, subject: Node, path: frozenset[Node]) -> dict[str, Any]:
        result: dict[str, Any] = {self.ctx.id_key: self.identifier(subject)}
        types = sorted(self.ctx.compact_iri(str(o)) for p, o in self.out.get(subject, []) if str(p) == RDF_TYPE)
        if types:
            result[self.ctx.type_key] = types
        grouped: dict[str, list[tuple[Node, str, Node]]] = defaultdict(list)
        for predicate, value in self.out.get(subject, []):
            if str(predicate) == RDF_TYPE:
                continue
            key, how = self.ctx.choose(str(predicate), value)
            grouped[key].append((predicate, how, value))
        for key in sorted(grouped, key=_key_order):
            entries = sorted(grouped[key], key=lambda e: _value_sort(e[2]))
            result[key] = self.values(entries, path)
        return result

    def values(self, entries: list[tuple[Node, str, Node]], path: frozenset[Node]) -> Any:
        if entries[0][1] == "map":
            language_map: dict[str, Any] = {}
            for _p, _how, value in entries:
                assert isinstance(value, Literal)
                tag = value.language or "@none"
                existing = language_map.get(tag)
                if existing is None:
                    language_map[tag] = str(value)
                else:
                    language_map[tag] = (existing if isinstance(existing, list) else [existing]) + [str(value)]
            return language_map
        written = [self.value(how, value, path) for _p, how, value in entries]
        single = all(str(p) in SINGLE for p, _h, _v in entries)
        return written[0] if single and len(written) == 1 else written

    def value(self, how: str, value: Node, path: frozenset[Node]) -> Any:
        if how == "ref":
            return self.reference(value, path)
        assert isinstance(value, Literal)
        if how == "plain":
            return str(value)
        if how == "native":
            return _native(value)
        if value.language:
            return {"@value": str(value), "@language": value.language}
        datatype = str(value.datatype) if value.datatype else XSD + "string"
        if datatype == XSD + "string":
            return {"@value": str(value)}
        return {"@value": str(value), "@type": self.ctx.compact_iri(datatype)}


def _key_order(key: str) -> tuple[int, str]:
    if key in FIRST_KEYS:
        return (FIRST_KEYS.index(key), key)
    return (len(FIRST_KEYS), key.lower())
