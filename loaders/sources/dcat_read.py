"""Reads a catalogue file into triples, remembering where in the file each node came from.

Formats: JSON-LD (local contexts only: a remote ``@context`` is never fetched; DCAT-AP 3.0.1's published context is
replaced by the bundled copy and the report says so; any other remote context is refused), Turtle, N-Triples,
RDF/XML (a document declaring XML entities is refused) and Project Open Data ``data.json`` (see
:mod:`loaders.sources.dcat_pod`). Parsing is pyoxigraph's, which has no document loader, so nothing is fetched even
by mistake.

For JSON every node object is tagged before parsing with a marker statement holding its JSON pointer, so a fault
found later in the RDF can be reported as ``/dcat:dataset/3/dcat:distribution/0/dcat:accessUrl`` rather than as
an anonymous blank node. The tagged parse is checked against a plain one (same number of statements); if they
differ, faults are located by node and property only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib.namespace import XSD

from graph.errors import BadRequest
from graph.rdf_io import parse_triples
from graph.store import Node, Triple
from loaders.sources.base import DATA_DIR

DCAT_AP_CONTEXT = DATA_DIR / "dcat-ap-context" / "dcat-ap-3.0.1.jsonld"
#: Where SEMIC publishes the DCAT-AP 3.0.1 JSON-LD context (GitHub Pages, raw and blob views of the repository).
DCAT_AP_CONTEXT_URL = re.compile(
    r"^https?://(?:semiceu\.github\.io/DCAT-AP|raw\.githubusercontent\.com/SEMICeu/DCAT-AP/[^/]+|"
    r"github\.com/SEMICeu/DCAT-AP/(?:raw|blob)/[^/]+)/releases/3\.0\.1/context/dcat-ap\.jsonld$", re.IGNORECASE)
POD_CONTEXT = re.compile(r"^https?://project-open-data\.cio\.gov/v1\.1/schema/catalog\.jsonld$", re.IGNORECASE)
MARK = "urn:x-ourdata:json-pointer"
_MAP_CONTAINERS = {"@language", "@index", "@id", "@type", "@graph"}
FORMATS = {".jsonld": "jsonld", ".json": "json", ".ttl": "turtle", ".nt": "ntriples", ".rdf": "rdfxml",
           ".xml": "rdfxml", ".owl": "rdfxml"}
XSD_STRING = str(XSD.string)


@dataclass
class Document:
    """A catalogue file as triples, with what is needed to say where a fault is."""

    format: str  # jsonld | turtle | ntriples | rdfxml | pod
    triples: list[Triple]
    pointers: dict[Node, str] = field(default_factory=dict)  # node -> JSON pointer of its object
    keys: dict[tuple[str, str], str] = field(default_factory=dict)  # (pointer, property IRI) -> key as written
    problems: list[dict[str, Any]] = field(default_factory=list)
    base: str = ""
    counts: Counter[str] = field(default_factory=Counter)  # what the reader left out on purpose

    def where(self, node: Node, prop: str | None = None) -> str | None:
        """The JSON pointer of ``node`` (and of its ``prop`` key when known), or None outside JSON."""
        pointer = self.pointers.get(node)
        if pointer is None:
            return None
        key = self.keys.get((pointer, prop)) if prop else None
        return f"{pointer}/{escape(key)}" if key else pointer


def escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def read(path: Path, base: str) -> Document:
    """Parses ``path`` by its extension (``.json`` holding ``@context`` is JSON-LD, else Project Open Data)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadRequest(f"Cannot read {path}: {exc}") from exc
    fmt = FORMATS.get(path.suffix.lower()) or sniff(data)
    if fmt in ("json", "jsonld"):
        document, duplicates = _load_json(data, path)
        if _is_pod(document):
            from loaders.sources.dcat_pod import read_pod

            read_doc = read_pod(document, base)
            read_doc.problems[:0] = duplicates
            return read_doc
        read_doc = read_jsonld(document, base)
        read_doc.problems[:0] = duplicates
        return read_doc
    if fmt == "rdfxml" and b"<!ENTITY" in data:
        raise BadRequest(f"{path.name} declares XML entities: refused (they can read files or expand without limit).")
    return Document(fmt, _parse(data, fmt, base), base=base)


def sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"<?xml", b"<rdf:RDF")):
        return "rdfxml"
    return "turtle"


def _load_json(data: bytes, path: Path) -> tuple[Any, list[dict[str, Any]]]:
    """The JSON value, and a problem for every key an object repeats (JSON keeps only the last one)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                repeated.append(key)
            seen[key] = value
        return seen

    try:
        document = json.loads(data.decode("utf-8-sig"), object_pairs_hook=pairs)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"{path.name} is not JSON: {exc}") from exc
    problems = [{"message": "key repeated in one object; JSON keeps only its last value", "row": None,
                 "column": key, "value": key} for key in repeated]
    return document, problems


def _is_pod(document: Any) -> bool:
    if not isinstance(document, dict) or not isinstance(document.get("dataset"), list):
        return False
    context = document.get("@context")
    return context is None or (isinstance(context, str) and bool(POD_CONTEXT.match(context)))


# ------------------------------------------------------------------ JSON-LD
def read_jsonld(document: Any, base: str) -> Document:
    problems: list[dict[str, Any]] = []
    document = _local_contexts(document, "", problems)
    plain = _parse(json.dumps(document).encode(), "jsonld", base)
    contexts = list(_contexts(document))
    result = Document("jsonld", plain, problems=problems, base=base)
    if any(_changes_meaning(definition) for context in contexts for definition in context.values()):
        return result  # maps keyed by language, index ...: tagging could change the meaning; locate by node
    try:
        tagged = _parse(json.dumps(_tag(document, "")).encode(), "jsonld", base)
    except BadRequest:
        return result
    marked = [t for t in tagged if str(t[1]) == MARK]
    if len(tagged) - len(marked) != len(plain):
        return result
    result.triples = [t for t in tagged if str(t[1]) != MARK]
    for s, _, o in marked:
        result.pointers.setdefault(s, str(o))
    expand = _expander(contexts)
    for pointer, obj in _objects(document, ""):
        for key in obj:
            iri = expand(key)
            if iri is not None:
                result.keys.setdefault((pointer, iri), key)
    return result


def _local_contexts(node: Any, pointer: str, problems: list[dict[str, Any]]) -> Any:
    """Every ``@context`` made local: DCAT-AP 3.0.1's published one becomes the bundled copy; others are refused."""
    if isinstance(node, list):
        return [_local_contexts(item, f"{pointer}/{i}", problems) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        here = f"{pointer}/{escape(key)}"
        if key == "@context":
            out[key] = _context(value, here, problems)
        elif key == "@import":
            raise BadRequest(f"The context at {pointer or '/'} imports {value}: we never fetch contexts.")
        else:
            out[key] = _local_contexts(value, here, problems)
    return out


def _context(value: Any, pointer: str, problems: list[dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_context(v, f"{pointer}/{i}", problems) for i, v in enumerate(value)]
    if isinstance(value, str):
        if DCAT_AP_CONTEXT_URL.match(value):
            context, invalid = dcat_ap_context()
            problems.append({"message": "remote @context not fetched: the bundled copy of the DCAT-AP 3.0.1 context "
                                        "(SEMIC, CC BY 4.0) was used in its place, without its terms that JSON-LD 1.1 "
                                        "forbids (a term that looks like a compact IRI must expand to it): "
                                        + ", ".join(invalid), "row": pointer, "column": "@context", "value": value})
            return context
        raise BadRequest(f"The @context {value} (at {pointer}) is a remote document: we never fetch contexts. Put "
                         "the context in the file; DCAT-AP 3.0.1's published context is the one we hold a copy of.")
    if isinstance(value, dict):
        return _local_contexts(value, pointer, problems)
    return value


@lru_cache(maxsize=1)
def _dcat_ap_context_text() -> str:
    return DCAT_AP_CONTEXT.read_text(encoding="utf-8")


def dcat_ap_context() -> tuple[dict[str, Any], list[str]]:
    """The bundled context, less the terms a JSON-LD 1.1 processor rejects (upstream's ``Xsd:dateTime`` ...: a term
    with a colon whose prefix is no term must be the IRI it looks like), and the names of those terms."""
    context: dict[str, Any] = json.loads(_dcat_ap_context_text())["@context"]
    invalid = sorted(term for term, value in context.items() if ":" in term and term.split(":", 1)[0] not in context
                     and (value.get("@id") if isinstance(value, dict) else value) != term)
    return {term: value for term, value in context.items() if term not in invalid}, invalid


def _contexts(node: Any) -> Any:
    """Every context object in the document, scoped ones (inside term definitions) included."""
    if isinstance(node, list):
        for item in node:
            yield from _contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                for part in value if isinstance(value, list) else [value]:
                    if isinstance(part, dict):
                        yield part
                        yield from _contexts(list(part.values()))
            else:
                yield from _contexts(value)


def _changes_meaning(definition: Any) -> bool:
    """A term whose values are maps (language, index, id, type, graph) or JSON literals: a tag there is data."""
    if not isinstance(definition, dict):
        return False
    container = definition.get("@container")
    containers = set(container) if isinstance(container, list) else {container}
    return bool(containers & _MAP_CONTAINERS) or definition.get("@type") == "@json"


def _expander(contexts: list[dict[str, Any]]) -> Any:
    """Key as written -> property IRI, from the document's own term and prefix definitions (for locating only)."""
    terms: dict[str, str] = {}
    vocab = ""
    for context in contexts:
        vocab = context.get("@vocab", vocab) if isinstance(context.get("@vocab"), str) else vocab
        for term, definition in context.items():
            target = definition.get("@id") if isinstance(definition, dict) else definition
            if isinstance(target, str) and not term.startswith("@"):
                terms.setdefault(term, target)

    def expand(key: str) -> str | None:
        if key.startswith("@"):
            return None
        value = terms.get(key, key)
        prefix, sep, rest = value.partition(":")
        if sep and not rest.startswith("//") and prefix in terms:
            return terms[prefix] + rest
        if sep:
            return value
        return vocab + value if vocab else None

    return expand


def _tag(node: Any, pointer: str) -> Any:
    """A copy of the document whose node objects each carry ``MARK: pointer``."""
    if isinstance(node, list):
        return [_tag(item, f"{pointer}/{i}") for i, item in enumerate(node)]
    if not isinstance(node, dict) or "@value" in node:
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        out[key] = value if key in ("@context", "@reverse") else _tag(value, f"{pointer}/{escape(key)}")
    if "@list" not in node and "@set" not in node:
        out[MARK] = {"@value": pointer}
    return out


def _objects(node: Any, pointer: str) -> Any:
    """(pointer, node object) for every object of the document that is not a value, list or context."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _objects(item, f"{pointer}/{i}")
    elif isinstance(node, dict) and "@value" not in node:
        yield pointer, node
        for key, value in node.items():
            if key != "@context":
                yield from _objects(value, f"{pointer}/{escape(key)}")


# ------------------------------------------------------------------ RDF
def _parse(data: bytes, fmt: str, base: str) -> list[Triple]:
    try:
        return parse_triples(data, fmt, base_iri=base)
    except SyntaxError as exc:
        raise BadRequest(f"The {fmt} file does not parse: {exc}") from exc


