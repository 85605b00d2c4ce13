"""The ontology as files shipped with the package: Turtle is the source of truth, read from here, never fetched.

- :func:`ontology_graph`: our terms (``ourdata.ttl``) and the institution-kind scheme (``institution-kinds.ttl``);
- :func:`shapes_graph`: the SHACL shapes, with reference-scheme IRIs set to the deployment's base;
- :func:`load_context`: the JSON-LD ``@context`` published at ``/api/v1/context.jsonld``.

>>> len(ontology_graph()) > 100
True
>>> from rdflib import URIRef
>>> legal_forms = URIRef("https://example.org/kg/def/legal-form")
>>> any(o == legal_forms for o in shapes_graph("https://example.org/kg/").objects())
True
>>> load_context()["@context"]["od"]
'https://ourdata.coop/def/'
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph

HERE = Path(__file__).resolve().parent
ONTOLOGY_FILE = HERE / "ourdata.ttl"
INSTITUTION_KINDS_FILE = HERE / "institution-kinds.ttl"
CONTEXT_FILE = HERE / "context.jsonld"
SHAPES_DIR = HERE / "shapes"
SHAPE_FILES = tuple(SHAPES_DIR / f"{name}.ttl" for name in ("organisation", "dataset", "licence", "legal-form"))

#: The base the shapes are written with; reference schemes live under ``{base}def/``.
DEFAULT_BASE = "https://ourdata.coop/"
#: Reference schemes the shapes name; their IRIs follow the deployment base (the od: terms do not).
REFERENCE_SCHEMES = ("legal-form", "country")


def ontology_graph() -> Graph:
    """A fresh graph of our terms plus the institution-kind scheme (the ``{base}graph/ontology`` content)."""
    graph = Graph()
    for path in (ONTOLOGY_FILE, INSTITUTION_KINDS_FILE):
        graph.parse(path, format="turtle")
    return graph


def shape_texts(base: str = DEFAULT_BASE) -> list[str]:
    """The shape files' Turtle, with each ``<{DEFAULT_BASE}def/{scheme}>`` rewritten to ``<{base}def/{scheme}>``
    (also inside SPARQL targets, which name the scheme the same way). Our od: terms are not touched."""
    if not base.endswith("/"):
        base += "/"
    texts = []
    for path in SHAPE_FILES:
        text = path.read_text(encoding="utf-8")
        if base != DEFAULT_BASE:
            for scheme in REFERENCE_SCHEMES:
                text = text.replace(f"<{DEFAULT_BASE}def/{scheme}>", f"<{base}def/{scheme}>")
        texts.append(text)
    return texts


@lru_cache(maxsize=8)
def _shapes(base: str) -> Graph:
    graph = Graph()
    for text in shape_texts(base):
        graph.parse(data=text, format="turtle")
    return graph


def shapes_graph(base: str = DEFAULT_BASE) -> Graph:
    """Every SHACL shape (organisation, dataset, licence, legal form) for a deployment base. A copy: callers may
    add to it without changing what the next caller gets."""
    if not base.endswith("/"):
        base += "/"
    graph = Graph()
    for triple in _shapes(base):
        graph.add(triple)
    for prefix, namespace in _shapes(base).namespaces():
        graph.bind(prefix, namespace, replace=True)
    return graph


@lru_cache(maxsize=1)
def _context() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    return data


def load_context() -> dict[str, Any]:
    """The published JSON-LD context as a dict (``{"@context": {...}}``), read from the shipped file. Pass
    ``load_context()["@context"]`` to rdflib's JSON-LD parser and serializer so nothing is fetched."""
    return copy.deepcopy(_context())
