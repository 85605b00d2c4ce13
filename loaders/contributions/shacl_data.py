"""What a SHACL validation sees of a contribution: its triples as term strings, indexed by subject (and by object when
a path needs it), with each node's classes as the data states them (``rdf:type`` then ``rdfs:subClassOf*``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from loaders.contributions.terms import RDF_TYPE, Triple

RDFS_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


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
