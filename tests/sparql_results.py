"""Readers for what the endpoint sends, built on real parsers (json, xml.etree, csv, rdflib), shared by tests.

Every reader returns SELECT rows as ``{variable: value}`` with plain string values (IRIs and literals by
their lexical form), so results in different formats compare equal.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.util import from_n3

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample.trig"
SRX = "{http://www.w3.org/2005/sparql-results#}"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                  "application/rdf+xml": "xml", "application/trig": "trig", "application/n-quads": "nquads"}

Rows = list[dict[str, str]]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def sample_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(SAMPLE, format="trig")
    return dataset


def sample_graph(iri: str) -> Graph:
    graph = Graph()
    for triple in sample_dataset().graph(URIRef(iri)):
        graph.add(triple)
    return graph


def total_quads() -> int:
    return sum(1 for _ in sample_dataset().quads((None, None, None, None)))


def rows_from_json(body: bytes) -> tuple[list[str], Rows]:
    document = json.loads(body)
    rows = [{k: v["value"] for k, v in binding.items()} for binding in document["results"]["bindings"]]
    return document["head"]["vars"], rows


def rows_from_xml(body: bytes) -> tuple[list[str], Rows]:
    root = ET.fromstring(body)
    names = [v.get("name", "") for v in root.iter(SRX + "variable")]
    rows = []
    for result in root.iter(SRX + "result"):
        row = {}
        for binding in result.iter(SRX + "binding"):
            value = next(iter(binding))
            row[binding.get("name", "")] = value.text or ""
        rows.append(row)
    return names, rows


def rows_from_csv(body: bytes) -> tuple[list[str], Rows]:
    reader = csv.DictReader(io.StringIO(body.decode("utf-8"), newline=""))
    rows = [{k: v for k, v in row.items() if v != ""} for row in reader]
    return list(reader.fieldnames or []), rows


def rows_from_tsv(body: bytes) -> tuple[list[str], Rows]:
    lines = body.decode("utf-8").split("\n")
    names = [name.lstrip("?") for name in lines[0].split("\t")]
    rows = []
    for line in lines[1:]:
        if not line:
            continue
        row = {}
        for name, cell in zip(names, line.split("\t"), strict=True):
            if cell:
                row[name] = str(from_n3(cell))  # TSV cells are Turtle terms
        rows.append(row)
    return names, rows


READERS = {"application/sparql-results+json": rows_from_json, "application/sparql-results+xml": rows_from_xml,
           "text/csv": rows_from_csv, "text/tab-separated-values": rows_from_tsv}


def read_rows(content_type: str, body: bytes) -> tuple[list[str], Rows]:
    return READERS[media_type(content_type)](body)


def read_boolean(content_type: str, body: bytes) -> bool:
    kind = media_type(content_type)
    if kind == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    if kind == "application/sparql-results+xml":
        element = ET.fromstring(body).find(SRX + "boolean")
        assert element is not None and element.text is not None
        return element.text.strip() == "true"
    text = body.decode("utf-8").strip()
    assert text in ("true", "false"), text
    return text == "true"


def read_triples(content_type: str, body: bytes) -> Graph:
    """A graph from any RDF format we send; quads formats contribute every triple."""
    fmt = RDFLIB_FORMATS[media_type(content_type)]
    if fmt in ("trig", "nquads"):
        dataset = Dataset()
        dataset.parse(data=body.decode("utf-8"), format=fmt)
        graph = Graph()
        for s, p, o, _g in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=body.decode("utf-8"), format=fmt)
