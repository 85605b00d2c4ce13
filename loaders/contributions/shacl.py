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
from typing import Any

from rdflib import RDF, Graph
from rdflib.collection import Collection
from rdflib.term import BNode, Literal, Node, URIRef

from loaders.contributions.shacl_data import Data
from loaders.contributions.shacl_values import CHECKS
from loaders.contributions.terms import from_rdflib, language

SH = "http://www.w3.org/ns/shacl#"
_PARAMETERS = {"class", "datatype", "nodeKind", "minCount", "maxCount", "minInclusive", "maxInclusive",
               "minExclusive", "maxExclusive", "minLength", "maxLength", "pattern", "languageIn", "uniqueLang",
               "hasValue", "in", "node", "and", "or", "not", "xone"}
_IGNORED = {"path", "property", "message", "severity", "deactivated", "name", "description", "order", "group",
            "defaultValue", "flags", "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"}
_NODE_KINDS = {"IRI": {"iri"}, "BlankNode": {"bnode"}, "Literal": {"literal"}, "BlankNodeOrIRI": {"bnode", "iri"},
               "BlankNodeOrLiteral": {"bnode", "literal"}, "IRIOrLiteral": {"iri", "literal"}}
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
    checks: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # (name, component, param, value check)
    properties: list[Shape] = field(default_factory=list)
    empty_ok: bool = False  # no value nodes can break no constraint of the shape: skip it when there are none
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
        shape.empty_ok = shape.path is not None and not any(name in ("minCount", "hasValue")
                                                            for name, _ in shape.constraints)
        shape.checks = [(name, name[0].upper() + name[1:] + "ConstraintComponent", param, CHECKS.get(name))
                        for name, param in shape.constraints]
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
            return ("p", f"<{node}>", str(node))
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


class Validator:
    """Evaluates compiled shapes on focus nodes; nested answers are cached (a country is checked once)."""

    def __init__(self, compiled: Compiled, data: Data) -> None:
        self.compiled, self.data = compiled, data
        self._nested: dict[tuple[str, str], list[Result]] = {}
        self._objects_of: dict[str, set[str]] = {}

    def validate(self, focus_nodes: Iterable[str]) -> list[Result]:
        results: list[Result] = []
        by_class: dict[str, list[Shape]] = defaultdict(list)
        for shape in self.compiled.top:
            for cls in shape.target_classes:
                by_class[cls].append(shape)
        other = [s for s in self.compiled.top if s.target_nodes or s.subjects_of or s.objects_of]
        blocked_classes = {c for shape, _ in self.compiled.unsupported for c in shape.target_classes}
        blocked = {n for shape, _ in self.compiled.unsupported for n in self._target_nodes(shape)}
        targets: dict[int, tuple[Shape, list[str]]] = {}
        for node in focus_nodes:
            classes = self.data.classes(node)
            if node in blocked or not classes.isdisjoint(blocked_classes):
                reasons = [reason for shape, reason in self.compiled.unsupported if self._targets(shape, node)]
                raise Unsupported(f"{node} is a target of a shape using {reasons[0] if reasons else '?'}")
            shapes = {id(s): s for c in classes for s in by_class.get(c, ())}
            shapes.update({id(s): s for s in other if self._targets(s, node)})
            for shape in shapes.values():
                targets.setdefault(id(shape), (shape, []))[1].append(node)
        for shape, nodes in targets.values():  # shape by shape over all its focus nodes: few Python calls
            results += self.evaluate_many(shape, nodes)
        return results

    def _targets(self, shape: Shape, node: str) -> bool:
        if node in shape.target_nodes:
            return True
        if shape.target_classes and not shape.target_classes.isdisjoint(self.data.classes(node)):
            return True
        if any(self.data.objects(node, f"<{p}>") for p in shape.subjects_of):
            return True
        return any(node in self._objects(p) for p in shape.objects_of)

    def _target_nodes(self, shape: Shape) -> set[str]:
        """The nodes a shape targets other than by class."""
        found = set(shape.target_nodes)
        for predicate in shape.objects_of:
            found |= self._objects(predicate)
        for predicate in shape.subjects_of:
            found |= {s for s, pos in self.data.out.items() if f"<{predicate}>" in pos}
        return found

    def _objects(self, predicate: str) -> set[str]:
        if predicate not in self._objects_of:
            term = f"<{predicate}>"
            self._objects_of[predicate] = {o for pos in self.data.out.values() for o in pos.get(term, ())}
        return self._objects_of[predicate]

    def nested(self, shape: Shape, node: str) -> list[Result]:
        """The results of validating ``node`` against ``shape`` (for sh:node and the logical components)."""
        key = (shape.id, node)
        if key not in self._nested:
            self._nested[key] = self.evaluate(shape, node)
        return self._nested[key]

    def _nested_many(self, shape: Shape, nodes: list[str]) -> None:
        """Fills the nested cache for many nodes with one evaluation, when the shape's results can only be about
        the node itself (its property shapes have no property shapes of their own)."""
        todo = [n for n in dict.fromkeys(nodes) if (shape.id, n) not in self._nested]
        if len(todo) < 2 or any(prop.properties for prop in shape.properties):
            return
        found: dict[str, list[Result]] = {n: [] for n in todo}
        for result in self.evaluate_many(shape, todo):
            found[result.focus].append(result)
        for node, results in found.items():
            self._nested[(shape.id, node)] = results

    def conforms(self, shape: Shape, node: str) -> bool:
        return not self.nested(shape, node)

    def values(self, node: str, path: Path) -> list[tuple[str, str | None]]:
        """Value nodes with the predicate each came through (None when the path is not one predicate)."""
        kind_ = path[0]
        if kind_ == "p":
            return [(o, path[2]) for o in self.data.objects(node, path[1])]
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
        return self.evaluate_many(shape, [focus])

    def evaluate_many(self, shape: Shape, foci: list[str]) -> list[Result]:
        """The results of ``shape`` on each focus node (a property shape's value nodes are the focus nodes of
        its own property shapes, as in SHACL)."""
        if shape.deactivated or not foci:
            return []
        path, index = shape.path, self.data.out
        groups: list[tuple[str, list[str], list[str | None] | None]] = []  # (focus, value nodes, predicates)
        if path is None:
            groups, path_text = [(f, [f], None) for f in foci], None
        elif path[0] == "p":  # the common case, without a tuple per value
            predicate, path_text = path[1], path[2]
            for focus in foci:
                found = index.get(focus)
                nodes = found.get(predicate) if found else None
                if nodes or not shape.empty_ok:
                    groups.append((focus, nodes or [], None))
        else:
            path_text = _path_text(path)
            for focus in foci:
                values = self.values(focus, path)
                if values or not shape.empty_ok:
                    groups.append((focus, [v for v, _ in values], [t for _, t in values]))
        out: list[Result] = []
        for name, component, param, check in shape.checks:
            if check is not None:
                for focus, nodes, throughs in groups:
                    for i, value in enumerate(nodes):
                        if not check(param, value):
                            out.append(self._fail(shape, focus, (throughs[i] if throughs else None) or path_text,
                                                  value, component))
            elif name in ("minCount", "maxCount", "hasValue"):
                for focus, nodes, _ in groups:
                    if (name == "minCount" and len(nodes) < param or name == "maxCount" and len(nodes) > param
                            or name == "hasValue" and param not in nodes):
                        out.append(self._fail(shape, focus, path_text, None, component))
            elif name == "uniqueLang":
                for focus, nodes, _ in groups:
                    langs = [language(v) for v in nodes if v[0] == '"' and language(v)] if param else []
                    for _ in {lang for lang in langs if langs.count(lang) > 1}:
                        out.append(self._fail(shape, focus, path_text, None, component))
            else:
                if name == "node":
                    self._nested_many(param, [v for _, nodes, _ in groups for v in nodes])
                for focus, nodes, throughs in groups:
                    for i, value in enumerate(nodes):
                        nested = self._shape_check(name, param, value)
                        if nested is not None:
                            out.append(self._fail(shape, focus, (throughs[i] if throughs else None) or path_text,
                                                  value, component, nested))
        values = [v for _, nodes, _ in groups for v in nodes]
        for prop in shape.properties:
            out += self.evaluate_many(prop, values)
        return out

    @staticmethod
    def _fail(shape: Shape, focus: str, path: str | None, value: str | None, component: str,
              details: list[Result] | None = None) -> Result:
        return Result(focus, path, value, component, shape.severity, shape.message, shape.id, details or [])

    def _shape_check(self, name: str, param: Any, value: str) -> list[Result] | None:
        """None when ``value`` passes a shape-based constraint; else the details (for sh:node) or []."""
        if name == "class":
            return None if value[0] != '"' and param in self.data.classes(value) else []
        if name == "node":
            nested = self.nested(param, value)
            return nested or None
        if name == "not":
            return [] if self.conforms(param, value) else None
        if name == "or":
            return None if any(self.conforms(s, value) for s in param) else []
        if name == "and":
            return None if all(self.conforms(s, value) for s in param) else []
        if name == "xone":
            return None if sum(self.conforms(s, value) for s in param) == 1 else []
        raise Unsupported(name)


def _path_text(path: Path) -> str:
    if path[0] == "p":
        return str(path[2])
    if path[0] == "inv":
        return "^" + _path_text(path[1])
    joiner = " | " if path[0] == "alt" else " / "
    return joiner.join(_path_text(p) for p in path[1])
