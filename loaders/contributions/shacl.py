"""SHACL Core, compiled once and evaluated over an index of term strings: how large contributions are validated.

Why not pyshacl for everything: it needs rdflib terms and takes about 5 s per 100,000 triples of our
records, which alone misses the 100,000 triples/s a contribution must load at. This module evaluates the
same shapes (``ontology/shapes/*.ttl``, read through :func:`ontology.shapes_graph`) with the SHACL Core
semantics of the components they use: targets (class, node, subjects-of, objects-of), predicate, inverse,
alternative and sequence paths, and ``class, datatype, nodeKind, minCount, maxCount, min/maxInclusive,
min/maxExclusive, min/maxLength, pattern, languageIn, uniqueLang, hasValue, in, node, and, or, not, xone``.
A shape that uses anything else raises :class:`Unsupported` at compile time and the caller falls back to
pyshacl; ``tests/test_contributions_shacl.py`` checks both give the same results. SPARQL-based targets
(``sh:target``) are not evaluated: they select reference concepts, which contributions cannot describe.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import RDF, Graph
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node, URIRef

from loaders.contributions.terms import (
    LANG_STRING,
    RDF_TYPE,
    XSD,
    Triple,
    datatype,
    from_rdflib,
    iri_value,
    kind,
    language,
    lexical,
    text,
)

SH = "http://www.w3.org/ns/shacl#"
RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_PARAMETERS = {"class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
               "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
               "hasValue", "in", "node", "and", "or", "not", "xone"}
_IGNORED = {"path", "property", "message", "severity", "deactivated", "name", "description", "order", "group",
            "defaultValue", "flags", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"}
_NODE_KINDS = {"IRI": {"iri"}, "BlankNode": {"bnode"}, "Literal": {"literal"}, "BlankNodeOrIRI": {"bnode", "iri"},
               "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"iri", "literal"}}
_LEXICAL = {
    "integer": r"[+-]?\d+", "nonNegativeInteger": r"\+?\d+|-0+", "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)", "boolean": r"true|false|1|0",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)|-INF",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)|-INF",
    "date": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    "dateTime": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?"
                r"(Z|[+-]\d\d:\d\d)?",
}
_NUMERIC = {XSD + n for n in ("integer", "nonNegativeInteger", "positiveInteger", "decimal", "double", "float",
                              "int", "long", "short", "byte", "negativeInteger", "nonPositiveInteger")}


class Unsupported(Exception):
    """The shapes use a SHACL feature this evaluator does not implement (the caller uses pyshacl)."""


@dataclass
class Result:
    focus: str
    path: str | None  # the predicate IRI (or a description of a complex path)
    value: str | None
    component: str  # e.g. MinCountConstraintComponent
    severity: str  # Violation | Warning | Info
    message: str | None
    shape: str
    details: list[Result] = field(default_factory=list)  # why a value does not conform to an sh:node shape


Path = tuple[Any, ...]


@dataclass
class Shape:
    id: str
    path: Path | None = None
    severity: str = "Violation"
    message: str | None = None
    deactivated: bool = False
    constraints: list[tuple[str, Any]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    target_classes: set[str] = field(default_factory=set)
    target_nodes: set[str] = field(default_factory=set)
    subjects_of: set[str] = field(default_factory=set)
    objects_of: set[str] = field(default_factory=set)


class Compiled:
    """Every shape of a shapes graph, and those with targets (the ones a focus node starts from)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.shapes: dict[Node, Shape] = {}
        subjects = {s for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
                    for s in graph.subjects(URIRef(SH + p), None)}
        subjects |= set(graph.subjects(RDF.type, URIRef(SH + "NodeShape"))) - {None}
        self.top: list[Shape] = []
        self.unsupported: list[tuple[Shape, str]] = []  # shapes we cannot evaluate: their targets, and why
        for node in sorted(subjects, key=str):
            if not self._has_target(node):
                continue
            known = set(self.shapes)
            try:
                self.top.append(self.shape(node))
            except Unsupported as exc:
                for key in set(self.shapes) - known:
                    del self.shapes[key]  # half-built
                self.unsupported.append((self._targets_only(node), str(exc)))

    def _targets_only(self, node: Node) -> Shape:
        g = self.graph
        return Shape(str(node), target_classes={str(o) for o in g.objects(node, URIRef(SH + "targetClass"))},
                     target_nodes={from_rdflib(o) for o in g.objects(node, URIRef(SH + "targetNode"))},
                     subjects_of={str(o) for o in g.objects(node, URIRef(SH + "targetSubjectsOf"))},
                     objects_of={str(o) for o in g.objects(node, URIRef(SH + "targetObjectsOf"))})

    def _has_target(self, node: Node) -> bool:
        return any(True for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
                   for _ in self.graph.objects(node, URIRef(SH + p)))

    def _one(self, node: Node, name: str) -> Node | None:
        return next(iter(self.graph.objects(node, URIRef(SH + name))), None)

    def shape(self, node: Node) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        g = self.graph
        shape = Shape(str(node))
        self.shapes[node] = shape
        for p in set(g.predicates(node, None)):
            name = str(p).removeprefix(SH)
            if str(p).startswith(SH) and name not in _PARAMETERS and name not in _IGNORED:
                raise Unsupported(f"sh:{name} (in shape {node})")
        path = self._one(node, "path")
        shape.path = self._path(path) if path is not None else None
        severity = self._one(node, "severity")
        shape.severity = str(severity).removeprefix(SH) if severity is not None else "Violation"
        shape.message = shape_message(g, node)
        shape.deactivated = str(self._one(node, "deactivated") or "").lower() == "true"
        for name in sorted(_PARAMETERS):
            for value in g.objects(node, URIRef(SH + name)):
                shape.constraints.append((name, self._parameter(node, name, value)))
        shape.properties = [self.shape(p) for p in g.objects(node, URIRef(SH + "property"))]
        shape.target_classes = {str(o) for o in g.objects(node, URIRef(SH + "targetClass"))}
        shape.target_nodes = {from_rdflib(o) for o in g.objects(node, URIRef(SH + "targetNode"))}
        shape.subjects_of = {str(o) for o in g.objects(node, URIRef(SH + "targetSubjectsOf"))}
        shape.objects_of = {str(o) for o in g.objects(node, URIRef(SH + "targetObjectsOf"))}
        return shape

    def _parameter(self, node: Node, name: str, value: Node) -> Any:
        if name in ("node", "not"):
            return self.shape(value)
        if name in ("and", "or", "xone"):
            return [self.shape(item) for item in Collection(self.graph, value)]
        if name == "in":
            return {from_rdflib(item) for item in Collection(self.graph, value)}
        if name == "languageIn":
            return [str(item).lower() for item in Collection(self.graph, value)]
        if name == "pattern":
            flags = str(self._one(node, "flags") or "")
            return re.compile(str(value), sum(getattr(re, f.upper(), 0) for f in flags if f in "imsx"))
        if name in ("class", "datatype"):
            return str(value)
        if name == "nodeKind":
            return _NODE_KINDS[str(value).removeprefix(SH)]
        if name in ("minCount", "maxCount", "minLength", "maxLength"):
            return int(value)
        if name == "uniqueLang":
            return str(value).lower() == "true"
        return from_rdflib(value)  # hasValue, min/max Inclusive/Exclusive

    def _path(self, node: Node) -> Path:
        g = self.graph
        if isinstance(node, URIRef):
            return ("p", f"<{node}>")
        if not isinstance(node, BNode):
            raise Unsupported(f"path {node!r}")
        inverse = self._one(node, "inversePath")
        if inverse is not None:
            return ("inv", self._path(inverse))
        alternative = self._one(node, "alternativePath")
        if alternative is not None:
            return ("alt", tuple(self._path(p) for p in Collection(g, alternative)))
        if (node, RDF.first, None) in g:
            return ("seq", tuple(self._path(p) for p in Collection(g, node)))
        raise Unsupported(f"path {list(g.predicate_objects(node))}")


def shape_message(graph: Graph, node: Node) -> str | None:
    """The shape's own sh:message (English or untagged first), if it has one."""
    messages = [m for m in graph.objects(node, URIRef(SH + "message")) if isinstance(m, Literal)]
    messages.sort(key=lambda m: (m.language not in ("en", None), m.language or ""))
    return str(messages[0]) if messages else None


class Data:
    """The triples a validation sees, indexed by subject (and, when a path needs it, by object)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self._triples = list(triples)
        for s, p, o in self._triples:
            self.out[s][p].append(o)
        self._inv: dict[str, dict[str, list[str]]] | None = None
        self._classes: dict[str, set[str]] = {}

    def inverse(self) -> dict[str, dict[str, list[str]]]:
        if self._inv is None:
            inv: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
            for s, p, o in self._triples:
                inv[o][p].append(s)
            self._inv = inv
        return self._inv

    def objects(self, node: str, predicate: str) -> list[str]:
        found = self.out.get(node)
        return found.get(predicate, []) if found else []

    def classes(self, node: str) -> set[str]:
        """The node's classes (IRIs), with their superclasses (``rdfs:subClassOf*``) as the data states them."""
        found = self._classes.get(node)
        if found is None:
            found = set()
            todo = list(self.objects(node, RDF_TYPE))
            while todo:
                current = todo.pop()
                if current[0] == "<" and current[1:-1] not in found:
                    found.add(current[1:-1])
                    todo += self.objects(current, RDFS_SUBCLASS)
            self._classes[node] = found
        return found

    def instance_of(self, node: str, cls: str) -> bool:
        return cls in self.classes(node)


class Validator:
    """Evaluates compiled shapes on focus nodes; ``conforms`` answers are cached (a country is checked once)."""

    def __init__(self, compiled: Compiled, data: Data) -> None:
        self.compiled, self.data = compiled, data
        self._nested: dict[tuple[str, str], list[Result]] = {}

    def validate(self, focus_nodes: Iterable[str]) -> list[Result]:
        results: list[Result] = []
        for node in focus_nodes:
            for shape, reason in self.compiled.unsupported:
                if self._targets(shape, node):
                    raise Unsupported(f"{node} is a target of a shape using {reason}")
            for shape in self.compiled.top:
                if self._targets(shape, node):
                    results += self.evaluate(shape, node)
        return results

    def _targets(self, shape: Shape, node: str) -> bool:
        if node in shape.target_nodes:
            return True
        if shape.target_classes and not shape.target_classes.isdisjoint(self.data.classes(node)):
            return True
        if any(self.data.objects(node, f"<{p}>") for p in shape.subjects_of):
            return True
        return bool(shape.objects_of) and any(self.data.inverse().get(node, {}).get(f"<{p}>")
                                              for p in shape.objects_of)

    def nested(self, shape: Shape, node: str) -> list[Result]:
        """The results of validating ``node`` against ``shape`` (for sh:node and the logical components)."""
        key = (shape.id, node)
        if key not in self._nested:
            self._nested[key] = self.evaluate(shape, node)
        return self._nested[key]

    def conforms(self, shape: Shape, node: str) -> bool:
        return not self.nested(shape, node)

    def values(self, node: str, path: Path) -> list[tuple[str, str | None]]:
        """Value nodes with the predicate each came through (None when the path is not one predicate)."""
        kind_ = path[0]
        if kind_ == "p":
            return [(o, iri_value(path[1])) for o in self.data.objects(node, path[1])]
        if kind_ == "inv" and path[1][0] == "p":
            return [(s, None) for s in self.data.inverse().get(node, {}).get(path[1][1], [])]
        if kind_ == "alt":
            found = [v for sub in path[1] for v in self.values(node, sub)]
            return list(dict.fromkeys(found))
        if kind_ == "seq":
            current = [node]
            for step in path[1]:
                current = list(dict.fromkeys(v for n in current for v, _ in self.values(n, step)))
            return [(v, None) for v in current]
        raise Unsupported(f"path {path}")

    def evaluate(self, shape: Shape, focus: str) -> list[Result]:
        if shape.deactivated:
            return []
        if shape.path is None:
            values: list[tuple[str, str | None]] = [(focus, None)]
            path_text = None
        else:
            values = self.values(focus, shape.path)
            path_text = _path_text(shape.path)
        out: list[Result] = []

        def fail(component: str, value: str | None, through: str | None = None,
                 details: list[Result] | None = None) -> None:
            out.append(Result(focus, through or path_text, value, component[0].upper() + component[1:] +
                              "ConstraintComponent", shape.severity, shape.message, shape.id, details or []))

        nodes = [v for v, _ in values]
        for name, param in shape.constraints:
            if (name == "minCount" and len(nodes) < param or name == "maxCount" and len(nodes) > param
                    or name == "hasValue" and param not in nodes):
                fail(name, None)
            elif name == "uniqueLang" and param:
                langs = [language(v) for v in nodes if kind(v) == "literal" and language(v)]
                for _ in {lang for lang in langs if langs.count(lang) > 1}:
                    fail(name, None)
            elif name == "node":
                for value, through in values:
                    nested = self.nested(param, value)
                    if nested:
                        fail(name, value, through, nested)
            elif name not in ("minCount", "maxCount", "hasValue", "uniqueLang"):
                for value, through in values:
                    if not self._value_ok(name, param, value):
                        fail(name, value, through)
        for prop in shape.properties:
            for value in nodes:
                out += self.evaluate(prop, value)
        return out

    def _value_ok(self, name: str, param: Any, value: str) -> bool:
        k = kind(value)
        if name == "class":
            return k != "literal" and self.data.instance_of(value, param)
        if name == "datatype":
            return k == "literal" and _well_typed(value, param)
        if name == "nodeKind":
            return k in param
        if name == "pattern":
            return k != "bnode" and param.search(text(value)) is not None
        if name in ("minLength", "maxLength"):
            return k != "bnode" and (len(text(value)) >= param if name == "minLength" else len(text(value)) <= param)
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            return _compare(name, value, param)
        if name == "in":
            return value in param
        if name == "languageIn":
            lang = (language(value) or "") if k == "literal" else ""
            return any(lang == r or lang.startswith(r + "-") for r in param) if lang else False
        if name == "not":
            return not self.conforms(param, value)
        if name == "or":
            return any(self.conforms(s, value) for s in param)
        if name == "and":
            return all(self.conforms(s, value) for s in param)
        if name == "xone":
            return sum(self.conforms(s, value) for s in param) == 1
        raise Unsupported(name)


def _path_text(path: Path) -> str:
    if path[0] == "p":
        return iri_value(path[1])
    if path[0] == "inv":
        return "^" + _path_text(path[1])
    joiner = " | " if path[0] == "alt" else " / "
    return joiner.join(_path_text(p) for p in path[1])


def _well_typed(value: str, expected: str) -> bool:
    actual = datatype(value)
    if actual != expected:
        return False
    if actual == LANG_STRING:
        return language(value) is not None
    pattern = _LEXICAL.get(actual.removeprefix(XSD)) if actual.startswith(XSD) else None
    return pattern is None or re.fullmatch(pattern, lexical(value)) is not None


def _number(term: str) -> Decimal | float | None:
    if kind(term) != "literal" or datatype(term) not in _NUMERIC or not _well_typed(term, datatype(term)):
        return None
    raw = lexical(term)
    try:
        return Decimal(raw) if "e" not in raw.lower() and "INF" not in raw and "NaN" not in raw else float(raw)
    except (InvalidOperation, ValueError):
        return None


def _compare(name: str, value: str, bound: str) -> bool:
    a, b = _number(value), _number(bound)
    if a is not None and b is not None:
        left, right = (float(a), float(b)) if isinstance(a, float) or isinstance(b, float) else (a, b)
    elif kind(value) == "literal" and kind(bound) == "literal" and datatype(value) == datatype(bound) and \
            datatype(value) in (XSD + "date", XSD + "dateTime"):
        left, right = lexical(value), lexical(bound)  # type: ignore[assignment]
    else:
        return False
    if name == "minInclusive":
        return left >= right  # type: ignore[operator]
    if name == "maxInclusive":
        return left <= right  # type: ignore[operator]
    if name == "minExclusive":
        return left > right  # type: ignore[operator]
    return left < right  # type: ignore[operator]
