"""Bytes in, a table of rows or a list of triples out, with every problem located: the first pipeline step.

Formats: CSV (comma, semicolon or tab separated), JSON in the shape the API serves (JSON-LD compacted with
our context, which is applied when the document names none), JSON-LD (local contexts only: a remote
``@context`` is refused and never fetched), Turtle, N-Triples and RDF/XML (a document that declares XML
entities is refused). Text must be UTF-8, with or without a byte-order mark.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from graph.errors import BadRequest, UnsupportedMediaType
from graph.iris import Iris
from loaders.contributions import fields
from loaders.contributions.problems import Problem
from loaders.contributions.terms import Triple, iri, parse_rdf, syntax_position

FORMATS = ("csv", "json", "jsonld", "turtle", "ntriples", "rdfxml")
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "xml": "rdfxml",
                  "rdf": "rdfxml", "rdf/xml": "rdfxml"}
MEDIA_TYPES = {
    "text/csv": "csv", "application/csv": "csv", "text/comma-separated-values": "csv",
    "application/vnd.ms-excel": "csv",  # what browsers on machines with Excel call a .csv file
    "application/json": "json", "application/ld+json": "jsonld",
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "ntriples", "application/rdf+xml": "rdfxml",
}
GENERIC_MEDIA_TYPES = {"", "text/plain", "application/octet-stream", "application/x-www-form-urlencoded"}
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonld": "jsonld", ".ttl": "turtle", ".nt": "ntriples",
              ".rdf": "rdfxml", ".owl": "rdfxml", ".xml": "rdfxml"}
HYDRA = "http://www.w3.org/ns/hydra/core#"
#: Paths under which our own context is published; a document naming it gets the local copy, never a fetch.
CONTEXT_PATHS = ("api/v1/context.jsonld",)
_ENTITY = re.compile(rb"<!ENTITY")
_TOKEN = re.compile(r"\bod_[A-Za-z0-9_-]{40,}")


@dataclass
class Table:
    """A CSV file: canonical column names, where each came from, and the data rows (row 1 is the header)."""

    columns: list[str]
    given: dict[str, str]  # canonical name -> the header as the file spells it
    rows: list[tuple[int, dict[str, str]]]
    delimiter: str = ","


@dataclass
class Parsed:
    format: str
    table: Table | None = None
    triples: list[Triple] = field(default_factory=list)
    pointers: dict[str, str] = field(default_factory=dict)  # JSON: subject term -> JSON pointer
    keys: dict[str, str] = field(default_factory=dict)  # JSON: predicate IRI -> the key that states it
    problems: list[Problem] = field(default_factory=list)


# ------------------------------------------------------------------------------------------------ format
def detect_format(data: bytes, *, fmt: str | None = None, media_type: str | None = None,
                  filename: str | None = None) -> str:
    """The format named by ``fmt``, else by a specific media type, else by the file's extension, else sniffed.

    Raises BadRequest for an unknown ``fmt`` and UnsupportedMediaType for a media type we do not take."""
    if fmt:
        name = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        if name not in FORMATS:
            raise BadRequest(f"Unknown format '{fmt}'; use one of: {', '.join(FORMATS)}.")
        return name
    bare = (media_type or "").split(";", 1)[0].strip().lower()
    if bare in MEDIA_TYPES:
        return MEDIA_TYPES[bare]
    lower = (filename or "").lower()
    by_name = next((name for extension, name in EXTENSIONS.items() if lower.endswith(extension)), None)
    if bare not in GENERIC_MEDIA_TYPES and by_name is None:
        raise UnsupportedMediaType(
            f"Contributions are not taken as '{bare}'; send text/csv, application/json, application/ld+json, "
            "text/turtle, application/n-triples or application/rdf+xml."
        )
    return by_name or sniff(data)


def sniff(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "jsonld" if b'"@context"' in data[:65536] else "json"
    if head.startswith((b"<?xml", b"<rdf:RDF", b"<!DOCTYPE")):
        return "rdfxml"
    if head[:1] in (b"<", b"@", b"_", b"#") or head[:6].upper().startswith((b"PREFIX", b"BASE")):
        return "turtle"
    return "csv"


# ------------------------------------------------------------------------------------------------ text
def decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a BOM is dropped), or a problem naming the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(
            f"The file is not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) on line {line} is not valid "
            "UTF-8. Save it as 'CSV UTF-8' (or another UTF-8 format) and send it again.",
            "encoding", line=line)]
    if "\x00" in text:
        return None, [Problem("The file holds NUL bytes: it is not a text file (a spreadsheet or a UTF-16 file?). "
                              "Save it as UTF-8 text.", "encoding", line=text.count("\n", 0, text.index("\x00")) + 1)]
    return text, []


def secrets_in(text: str) -> list[Problem]:
    """Something that looks like one of our API tokens must never enter the graph."""
    problems: list[Problem] = []
    if "od_" not in text:  # the common case, found at memory speed
        return problems
    for match in _TOKEN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(Problem("This looks like an API token (a secret). Remove it from the file: secrets must "
                                "never be published in the graph.", "secret", line=line))
    return problems


def parse(data: bytes, fmt: str, iris: Iris) -> Parsed:
    """Parses ``data`` in ``fmt``; problems are collected in ``Parsed.problems`` (nothing is raised for bad data)."""
    text, problems = decode(data)
    if text is None:
        return Parsed(fmt, problems=problems)
    problems += secrets_in(text)
    if fmt == "csv":
        parsed = read_csv(text)
    elif fmt in ("json", "jsonld"):
        parsed = read_json(text, fmt, iris)
    else:
        parsed = read_rdf(data.removeprefix(b"\xef\xbb\xbf"), fmt, iris)
    parsed.problems[:0] = problems
    if not parsed.problems and parsed.table is None and not parsed.triples:
        parsed.problems.append(Problem("The file holds no statements.", "empty"))
    return parsed


# ------------------------------------------------------------------------------------------------ CSV
def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str) -> Parsed:
    parsed = Parsed("csv")
    problems = parsed.problems
    if not text.strip():
        problems.append(Problem("The file is empty: it needs a header row naming the columns and one row per "
                                "organisation (see the template).", "empty"))
        return parsed
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        problems.append(Problem(f"The CSV is malformed near line {reader.line_num}: {exc}. Check the quotes around "
                                "that line.", "csv-syntax", line=reader.line_num))
        return parsed
    header = [cell.strip() for cell in records[0]]
    columns = [fields.canonical_column(cell) for cell in header]
    if not any(fields.is_known(name) for name in columns):
        problems.append(Problem(
            "The first row must be the header naming the columns (e.g. name, country, legal_form); none of its "
            f"cells is a column we know: {', '.join(repr(h) for h in header[:8])}. Start from the template at "
            "/api/v1/contributions/template.csv.", "missing-header", row=1))
        return parsed
    known = [c.name for c in fields.ORGANISATION_COLUMNS] + [f"dataset_1_{c.name}" for c in fields.DATASET_COLUMNS]
    seen: dict[str, str] = {}
    for cell, name in zip(header, columns, strict=True):
        if not cell:
            problems.append(Problem("A column has no name in the header row.", "unknown-column", row=1, column=""))
        elif not fields.is_known(name):
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f" Did you mean {' or '.join(close)}?" if close else " See the template for the columns we take."
            problems.append(Problem(f"'{cell}' is not a column we know.{hint}", "unknown-column", row=1, column=cell,
                                    candidates=close))
        elif name in seen:
            problems.append(Problem(f"The column '{cell}' appears twice (also as '{seen[name]}').",
                                    "duplicate-column", row=1, column=cell))
        else:
            seen[name] = cell
    for name in fields.REQUIRED:
        if name not in seen:
            problems.append(Problem(f"The header has no '{name}' column, which every row needs.", "missing-column",
                                    row=1, column=name))
    table = Table(columns=columns, given=seen, rows=[], delimiter=delimiter)
    first_seen: dict[tuple[str, ...], int] = {}
    for index, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if len(cells) > len(columns) and any(cells[len(columns):]):
            problems.append(Problem(f"This row has {len(cells)} cells but the header names {len(columns)} columns "
                                    f"(is a '{delimiter}' inside a value without quotes?).", "extra-cells",
                                    row=index))
        row = {name: cells[i] for i, name in enumerate(columns) if i < len(cells) and name in seen}
        key = tuple(cells)
        if key in first_seen:
            problems.append(Problem(f"This row repeats row {first_seen[key]} exactly.", "duplicate-row", row=index))
            continue
        first_seen[key] = index
        table.rows.append((index, row))
    if not table.rows and not problems:
        problems.append(Problem("The file has a header but no rows of data.", "empty", row=2))
    parsed.table = table
    return parsed


# ------------------------------------------------------------------------------------------------ JSON(-LD)
def our_context() -> dict[str, Any]:
    from ontology import load_context

    context: dict[str, Any] = load_context()["@context"]
    return context


def _is_our_context(value: str, iris: Iris) -> bool:
    """Our published context, wherever the document was fetched from (the API names it on the host it served):
    read from the local copy, so naming it fetches nothing."""
    path = urlsplit(value).path if "://" in value else value
    return any(path == f"/{ours}" or path.endswith(f"/{ours}") for ours in CONTEXT_PATHS) and "?" not in value


def _contexts(node: Any, pointer: str, iris: Iris, problems: list[Problem]) -> Any:
    """Replaces references to our published context by the local copy; refuses any other remote context."""
    if isinstance(node, list):
        return [_contexts(item, f"{pointer}/{i}", iris, problems) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        here = f"{pointer}/{_escape(key)}"
        if key == "@context":
            out[key] = _context_value(value, here, iris, problems)
        elif key == "@import":
            problems.append(Problem("A context may not @import another document: we never fetch contexts. Put its "
                                    "terms in the document itself.", "remote-context", pointer=here, value=str(value)))
        else:
            out[key] = _contexts(value, here, iris, problems)
    return out


def _context_value(value: Any, pointer: str, iris: Iris, problems: list[Problem]) -> Any:
    if isinstance(value, list):
        return [_context_value(v, f"{pointer}/{i}", iris, problems) for i, v in enumerate(value)]
    if isinstance(value, str):
        if _is_our_context(value, iris):
            return our_context()
        problems.append(Problem(f"The @context '{value}' is a remote document: we never fetch contexts (for "
                                "safety and so your data means the same tomorrow). Put the context in the document, "
                                "or use ours: /api/v1/context.jsonld.", "remote-context", pointer=pointer,
                                value=value))
        return {}
    if isinstance(value, dict):
        return _contexts(value, pointer, iris, problems)
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def read_json(text: str, fmt: str, iris: Iris) -> Parsed:
    parsed = Parsed(fmt)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.problems.append(Problem(f"The JSON does not parse: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
                                       "json-syntax", line=exc.lineno, column=exc.colno))
        return parsed
    if not isinstance(document, dict | list):
        parsed.problems.append(Problem("The JSON must be an object or a list of objects.", "json-shape", pointer=""))
        return parsed
    document = _contexts(document, "", iris, parsed.problems)
    if parsed.problems:
        return parsed
    original = document
    if not (isinstance(document, dict) and "@context" in document) and fmt == "json":
        context = our_context()
        document = {"@context": context, **document} if isinstance(document, dict) else \
            {"@context": context, "@graph": document}
    base = iris.base + "id/"
    contexts = _inline_contexts(document)
    _pointers(original, "", base, _prefixes(contexts), parsed.pointers)
    try:
        triples = parse_rdf(json.dumps(document), "jsonld", base_iri=base)
    except SyntaxError as exc:
        parsed.problems.append(Problem(f"The JSON-LD cannot be read as RDF: {exc}", "jsonld-syntax"))
        return parsed
    parsed.triples = [t for t in triples if not t[1].startswith(f"<{HYDRA}") and not t[2].startswith(f"<{HYDRA}")]
    parsed.keys = _keys(contexts)
    return parsed


def _inline_contexts(document: Any) -> list[dict[str, Any]]:
    context = document.get("@context") if isinstance(document, dict) else None
    return [part for part in (context if isinstance(context, list) else [context]) if isinstance(part, dict)]


def _prefixes(contexts: list[dict[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in contexts:
        found.update({k: v for k, v in part.items() if isinstance(v, str) and v.endswith(("/", "#"))})
    return found


def _expand(value: str, base: str, prefixes: dict[str, str]) -> str | None:
    if value.startswith("_:"):
        return value
    prefix, sep, rest = value.partition(":")
    if sep and prefix in prefixes and not rest.startswith("//"):
        value = prefixes[prefix] + rest
    try:
        return iri(urljoin(base, value))
    except ValueError:
        return None


def _pointers(node: Any, pointer: str, base: str, prefixes: dict[str, str], out: dict[str, str]) -> None:
    """Where each identified node object is: its ``@id`` (or ``id``) term -> JSON pointer."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _pointers(item, f"{pointer}/{i}", base, prefixes, out)
        return
    if not isinstance(node, dict):
        return
    for key in ("@id", "id"):
        if isinstance(node.get(key), str):
            term = _expand(node[key], base, prefixes)
            if term is not None:
                out.setdefault(term, pointer)
            break
    for key, value in node.items():
        if key != "@context":
            _pointers(value, f"{pointer}/{_escape(key)}", base, prefixes, out)


def _keys(contexts: list[dict[str, Any]]) -> dict[str, str]:
    """Predicate IRI -> the key the document's context states it with (a term, else ``prefix:name``)."""
    prefixes = _prefixes(contexts)
    keys = _Compacting()
    for part in contexts:
        for term, definition in part.items():
            target = definition.get("@id") if isinstance(definition, dict) else definition
            if not isinstance(target, str) or term.startswith("@") or target.startswith("@") or term in prefixes:
                continue
            prefix, sep, rest = target.partition(":")
            keys.setdefault(prefixes[prefix] + rest if sep and prefix in prefixes else target, term)
    keys.namespaces = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda item: -len(item[0]))
    return keys


class _Compacting(dict[str, str]):
    """Keys by predicate IRI; an IRI without a term is shown as ``prefix:name`` when a prefix covers it."""

    namespaces: list[tuple[str, str]] = []

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        if key in self:
            return self[key]
        for namespace, prefix in self.namespaces:
            if key.startswith(namespace):
                return f"{prefix}:{key[len(namespace):]}"
        return default


# ------------------------------------------------------------------------------------------------ RDF
def read_rdf(data: bytes, fmt: str, iris: Iris) -> Parsed:
    parsed = Parsed(fmt)
    if fmt == "rdfxml":
        match = _ENTITY.search(data)
        if match:
            line = data.count(b"\n", 0, match.start()) + 1
            parsed.problems.append(Problem(
                "The RDF/XML declares XML entities (<!ENTITY ...>). We refuse them: they can read files or expand "
                "without limit. Write the values out in full.", "xml-entity", line=line))
            return parsed
    try:
        parsed.triples = parse_rdf(data, fmt, base_iri=iris.base + "id/")
    except SyntaxError as exc:
        line, column = syntax_position(exc)
        name = {"turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}[fmt]
        parsed.problems.append(Problem(f"The {name} does not parse: {exc}", "rdf-syntax", line=line, column=column))
    return parsed
