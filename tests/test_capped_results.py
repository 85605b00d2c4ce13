"""Result caps (issue 6): a capped result is a valid document of its format, made of the first whole rows of the
uncapped one, within the byte cap, and says it was capped; an uncapped one is the engine's own bytes.

Real pyoxigraph stores; outputs are read back with pyoxigraph, rdflib, the csv module and SPARQLWrapper.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.query import Result
from SPARQLWrapper.Wrapper import QueryResult

import graph.capped_results as capped_results
from graph.capped_results import CapReport, ResultCaps, write_capped
from graph.csv_results import TsvToCsv

EX = "http://ex.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RESULT_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "rdfxml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
# rdflib's own TriG and N-Quads parsers use its deprecated ConjunctiveGraph API
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig",
                  "nquads": "nquads"}

SELECT = f"SELECT ?g ?s ?p ?o ?extra WHERE {{ GRAPH ?g {{ ?s ?p ?o }} OPTIONAL {{ ?s <{EX}extra> ?extra }} }}"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def _tricky_literals() -> list[ox.Literal]:
    return [
        ox.Literal("tab\there"), ox.Literal("new\nline"), ox.Literal("crlf\r\nend"), ox.Literal('say "hi"'),
        ox.Literal("back\\slash"), ox.Literal("comma, and ; semicolon"), ox.Literal("Küche ☃ \U0001f600"),
        ox.Literal("chat", language="fr"), ox.Literal("colour", language="en-gb"), ox.Literal(""),
        ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
        ox.Literal("1.5e3", datatype=ox.NamedNode(XSD + "double")),
        ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")), ox.Literal("x", datatype=ox.NamedNode(EX + "dt")),
        ox.Literal("<<( not a triple )>> ?var\t_:b"), ox.Literal("long " * 200), ox.Literal("a&b<c>'d'"),
    ]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """About 400 quads in three graphs: tricky literals, blank nodes, IRIs with commas, optional values."""
    store = ox.Store()
    literals = _tricky_literals()
    quads = []
    for i in range(120):
        subject = ox.NamedNode(f"{EX}s{i:03d}")
        graph = ox.NamedNode(f"{EX}g{i % 3}")
        quads.append(ox.Quad(subject, ox.NamedNode(EX + "label"), literals[i % len(literals)], graph))
        quads.append(ox.Quad(subject, ox.NamedNode(EX + "n"), ox.Literal(i), graph))
        target = ox.BlankNode(f"b{i % 9}") if i % 2 else ox.NamedNode(f"{EX}a,b/{i}")
        quads.append(ox.Quad(subject, ox.NamedNode(EX + "link"), target, graph))
        if i % 4 == 0:
            quads.append(ox.Quad(subject, ox.NamedNode(EX + "extra"), ox.Literal(f"extra {i}"), graph))
    for j in range(9):
        quads.append(ox.Quad(ox.BlankNode(f"b{j}"), ox.NamedNode(EX + "label"), ox.Literal(f"blank {j}"),
                             ox.NamedNode(f"{EX}g{j % 3}")))
    store.extend(quads)
    return store


@pytest.fixture(scope="module")
def rdf12_store() -> ox.Store:
    """RDF 1.2 terms, which the TSV round trip must carry too: triple terms (nested) and directional literals."""
    store = ox.Store()
    inner = ox.Triple(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b"), ox.Literal("c\td", language="en"))
    outer = ox.Triple(ox.BlankNode("x"), ox.NamedNode(EX + "says"), inner)
    objects = [inner, outer, ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL), ox.Literal("plain")]
    store.extend(ox.Quad(ox.NamedNode(f"{EX}t{i}"), ox.NamedNode(EX + "p"), objects[i % 4], ox.NamedNode(EX + "g"))
                 for i in range(40))
    return store


class Evaluations:
    """``make_result`` for write_capped that counts how often the query was evaluated."""

    def __init__(self, store: ox.Store, query: str) -> None:
        self.store, self.query, self.count = store, query, 0

    def __call__(self) -> Any:
        self.count += 1
        return self.store.query(self.query, use_default_graph_as_union=True)


def native(store: ox.Store, query: str, fmt: str) -> bytes:
    """The engine's own serialization, as the store writes it (CSV through TSV)."""
    result = store.query(query, use_default_graph_as_union=True)
    out = io.BytesIO()
    if fmt == "csv" and isinstance(result, ox.QuerySolutions):
        transcoder = TsvToCsv(out)
        result.serialize(transcoder, ox.QueryResultsFormat.TSV)
        transcoder.close()
    else:
        result.serialize(out, RESULT_FORMATS.get(fmt) or RDF_FORMATS[fmt])
    return out.getvalue()


def capped(store: ox.Store, query: str, fmt: str, caps: ResultCaps, **kwargs: Any) -> tuple[bytes, CapReport, int]:
    make = Evaluations(store, query)
    out = io.BytesIO()
    report = write_capped(make, fmt, out, caps, **kwargs)
    return out.getvalue(), report, make.count


def rows_of(data: bytes, fmt: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Variables and rows of a results document, read back by a real parser."""
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        return table[0] if table else [], [tuple(row) for row in table[1:]]
    parsed = ox.parse_query_results(data, format=RESULT_FORMATS[fmt])
    return ([str(v) for v in parsed.variables],
            [tuple(None if term is None else str(term) for term in solution) for solution in parsed])


def triples_of(data: bytes, fmt: str) -> list[str]:
    return [f"{q.subject} {q.predicate} {q.object}" for q in ox.parse(data, RDF_FORMATS[fmt])]


def check_with_rdflib(data: bytes, fmt: str, rows: int) -> None:
    if fmt in ("json", "xml"):
        assert len(Result.parse(io.BytesIO(data), format=fmt)) == rows
    elif fmt in RDFLIB_FORMATS:
        dataset = Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMATS[fmt])
        assert len(dataset) == len(set(triples_of(data, fmt)))


def items_of(data: bytes, fmt: str) -> list[Any]:
    return rows_of(data, fmt)[1] if fmt in RESULT_FORMATS else triples_of(data, fmt)


CASES = [(SELECT, fmt) for fmt in RESULT_FORMATS] + [(CONSTRUCT, fmt) for fmt in RDF_FORMATS]
IDS = [fmt for _, fmt in CASES]


@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_without_caps_the_engine_writes_every_byte(store: ox.Store, query: str, fmt: str) -> None:
    whole = native(store, query, fmt)
    for caps in (ResultCaps(), ResultCaps(max_bytes=len(whole))):
        data, report, evaluations = capped(store, query, fmt, caps)
        assert (data, report, evaluations) == (whole, CapReport(capped=False, rows=None, reason=None), 1)


@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_a_row_cap_above_the_result_changes_nothing(store: ox.Store, query: str, fmt: str) -> None:
    whole = native(store, query, fmt)
    total = len(items_of(whole, fmt))
    assert total > 300
    data, report, evaluations = capped(store, query, fmt, ResultCaps(max_rows=total, max_bytes=len(whole)))
    assert report == CapReport(capped=False, rows=total, reason=None)
    assert evaluations == 1
    if fmt in RESULT_FORMATS:
        assert data == whole  # the TSV round trip loses nothing: same terms, same bytes
    else:
        assert triples_of(data, fmt) == triples_of(whole, fmt)  # chunks may group triples differently


@pytest.mark.parametrize("rows", [1, 7, 150])
@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_a_row_cap_keeps_the_first_rows_and_says_so(store: ox.Store, query: str, fmt: str, rows: int) -> None:
    whole = native(store, query, fmt)
    data, report, evaluations = capped(store, query, fmt, ResultCaps(max_rows=rows))
    assert report == CapReport(capped=True, rows=rows, reason="max-rows")
    assert items_of(data, fmt) == items_of(whole, fmt)[:rows]
    if fmt in RESULT_FORMATS:
        assert rows_of(data, fmt)[0] == rows_of(whole, fmt)[0]
    assert data.startswith(b'{"capped":true,"head":') == (fmt == "json")
    assert evaluations == 1
    check_with_rdflib(data, fmt, rows)


@pytest.mark.parametrize("share", [0.02, 0.5, 1.0])
@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_a_byte_cap_keeps_the_most_whole_rows_that_fit(store: ox.Store, query: str, fmt: str, share: float) -> None:
    whole = native(store, query, fmt)
    max_bytes = int(len(whole) * share) - 1
    data, report, evaluations = capped(store, query, fmt, ResultCaps(max_bytes=max_bytes))
    assert len(data) <= max_bytes
    assert report.capped and report.reason == "max-bytes"
    items = items_of(data, fmt)
    assert len(items) == report.rows
    assert 0 < len(items) < len(items_of(whole, fmt))
    assert items == items_of(whole, fmt)[: len(items)]
    assert data.startswith(b'{"capped":true,"head":') == (fmt == "json")
    assert evaluations == 2  # the first one was spent on the fast path that overflowed
    check_with_rdflib(data, fmt, len(items))
    # the most that fit: one row more would not have
    one_more, _, _ = capped(store, query, fmt, ResultCaps(max_rows=len(items) + 1))
    assert len(one_more) > max_bytes


@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_row_and_byte_caps_together(store: ox.Store, query: str, fmt: str) -> None:
    whole = native(store, query, fmt)
    first = items_of(whole, fmt)
    data, report, _ = capped(store, query, fmt, ResultCaps(max_rows=200, max_bytes=len(whole) // 10))
    assert report.reason == "max-bytes" and report.rows is not None and report.rows < 200
    assert len(data) <= len(whole) // 10 and items_of(data, fmt) == first[: report.rows]
    data, report, _ = capped(store, query, fmt, ResultCaps(max_rows=5, max_bytes=len(whole) // 10))
    assert report == CapReport(capped=True, rows=5, reason="max-rows")
    assert items_of(data, fmt) == first[:5]


def test_the_json_flag_is_read_by_every_sparql_json_reader(store: ox.Store) -> None:
    data, report, _ = capped(store, SELECT, "json", ResultCaps(max_rows=3))
    assert data.startswith(b'{"capped":true,"head":{"vars":["g","s","p","o","extra"]}')
    document = json.loads(data)
    assert document["capped"] is True and len(document["results"]["bindings"]) == 3
    assert len(Result.parse(io.BytesIO(data), format="json")) == 3
    assert len(list(ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON))) == 3

    class Response(io.BytesIO):
        def info(self) -> dict[str, str]:
            return {"content-type": "application/sparql-results+json; charset=utf-8"}

    converted = QueryResult((Response(data), "json")).convert()
    assert converted["capped"] is True and len(converted["results"]["bindings"]) == 3
    # no flag when not capped, nor when the caller asks for none
    data, report, _ = capped(store, SELECT, "json", ResultCaps(max_rows=10_000))
    assert not report.capped and "capped" not in json.loads(data)
    data, report, _ = capped(store, SELECT, "json", ResultCaps(max_rows=3), json_flag=False)
    assert report.capped and data.startswith(b'{"head":') and "capped" not in json.loads(data)


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "turtle", "ntriples", "trig", "nquads", "rdfxml"])
def test_rdf12_terms_survive_the_round_trip(rdf12_store: ox.Store, fmt: str) -> None:
    query = "SELECT ?s ?o WHERE { ?s ?p ?o }" if fmt in RESULT_FORMATS else "CONSTRUCT WHERE { ?s ?p ?o }"
    whole = native(rdf12_store, query, fmt)
    data, report, _ = capped(rdf12_store, query, fmt, ResultCaps(max_rows=1000))
    assert report == CapReport(capped=False, rows=40, reason=None)
    assert items_of(data, fmt) == items_of(whole, fmt)
    if fmt in RESULT_FORMATS:
        assert data == whole
    data, report, _ = capped(rdf12_store, query, fmt, ResultCaps(max_bytes=len(whole) // 2))
    assert report.capped and len(data) <= len(whole) // 2
    assert items_of(data, fmt) == items_of(whole, fmt)[: report.rows]


@pytest.mark.parametrize("fmt", list(RESULT_FORMATS))
def test_zero_variables(store: ox.Store, fmt: str) -> None:
    one = "SELECT * {}"
    data, report, _ = capped(store, one, fmt, ResultCaps(max_rows=1))
    assert (data, report) == (native(store, one, fmt), CapReport(capped=False, rows=1, reason=None))
    three = "SELECT * { VALUES () { () () () } }"
    data, report, _ = capped(store, three, fmt, ResultCaps(max_rows=2))
    assert report == CapReport(capped=True, rows=2, reason="max-rows")
    if fmt == "csv":
        assert data == b"\r\n\r\n\r\n"  # an empty header, then two empty rows
    else:
        assert rows_of(data, fmt) == ([], [(), ()])
    data, report, _ = capped(store, three, fmt, ResultCaps(max_bytes=len(native(store, three, fmt)) - 1))
    # in JSON the flag costs more than the rows ({},{},{}) it could save: the empty document, over the cap
    assert report == CapReport(capped=True, rows=0 if fmt == "json" else 2, reason="max-bytes")


EMPTY_CASES = [(SELECT.replace("OPTIONAL", "FILTER(false) OPTIONAL"), fmt) for fmt in RESULT_FORMATS] + [
    (CONSTRUCT.replace("} }", "} FILTER(false) }"), fmt) for fmt in RDF_FORMATS]


@pytest.mark.parametrize(("query", "fmt"), EMPTY_CASES, ids=IDS)
def test_zero_rows(store: ox.Store, query: str, fmt: str) -> None:
    whole = native(store, query, fmt)
    assert "FILTER(false)" in query and items_of(whole, fmt) == []
    data, report, _ = capped(store, query, fmt, ResultCaps(max_rows=5, max_bytes=len(whole)))
    assert (data, report) == (whole, CapReport(capped=False, rows=0, reason=None))
    if whole:  # a cap below the empty document: that document all the same, not capped (nothing was cut)
        data, report, _ = capped(store, query, fmt, ResultCaps(max_bytes=1))
        assert (data, report) == (whole, CapReport(capped=False, rows=0, reason=None))


@pytest.mark.parametrize("fmt", list(RESULT_FORMATS))
def test_ask_is_never_capped(store: ox.Store, fmt: str) -> None:
    query = "ASK { ?s ?p ?o }"
    data, report, _ = capped(store, query, fmt, ResultCaps(max_rows=1, max_bytes=1))
    assert (data, report) == (native(store, query, fmt), CapReport(capped=False, rows=None, reason=None))


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv", "csv", "ntriples", "jsonld"])
def test_a_cap_below_the_empty_document_still_gives_a_document(store: ox.Store, fmt: str) -> None:
    query = SELECT if fmt in RESULT_FORMATS else CONSTRUCT
    data, report, _ = capped(store, query, fmt, ResultCaps(max_bytes=5))
    assert report == CapReport(capped=True, rows=0, reason="max-bytes")
    assert items_of(data, fmt) == []
    assert data.startswith(b'{"capped":true,"head":') == (fmt == "json")


@pytest.mark.parametrize(("query", "fmt"), CASES, ids=IDS)
def test_many_small_chunks_splice_into_one_document(store: ox.Store, query: str, fmt: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capped_results, "CHUNK_BYTES", 300)  # a handful of rows per chunk
    whole = native(store, query, fmt)
    data, report, _ = capped(store, query, fmt, ResultCaps(max_rows=333, max_bytes=len(whole) * 2 // 3))
    assert report.capped and len(data) <= len(whole) * 2 // 3
    assert items_of(data, fmt) == items_of(whole, fmt)[: report.rows]
    check_with_rdflib(data, fmt, len(items_of(data, fmt)))


def test_json_rows_past_the_hold_get_a_flag_that_is_taken_back_if_nothing_is_cut(
        store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(capped_results, "HOLD_BYTES", 2000)
    whole = native(store, SELECT, "json")
    data, report, evaluations = capped(store, SELECT, "json", ResultCaps(max_rows=200))
    assert (report, evaluations) == (CapReport(capped=True, rows=200, reason="max-rows"), 1)
    assert data.startswith(b'{"capped":true,"head":')
    assert rows_of(data, "json")[1] == rows_of(whole, "json")[1][:200]
    # past the hold and not capped: the flag is overwritten by blanks of the same length
    data, report, evaluations = capped(store, SELECT, "json", ResultCaps(max_rows=10_000, max_bytes=len(whole) + 14))
    assert (report, evaluations) == (CapReport(capped=False, rows=len(rows_of(whole, "json")[1]), reason=None), 1)
    assert data == b"{" + b" " * 14 + whole[1:]
    assert json.loads(data) == json.loads(whole) and len(Result.parse(io.BytesIO(data), format="json")) == report.rows
    # within the hold, the head is chosen before it is written
    data, report, _ = capped(store, SELECT, "json", ResultCaps(max_rows=3))
    assert report.capped and data.startswith(b'{"capped":true,"head":')


def test_engine_errors_propagate(store: ox.Store) -> None:
    make: Callable[[], Any] = lambda: store.query("SELECT ?s WHERE {")  # noqa: E731
    with pytest.raises(SyntaxError):
        write_capped(make, "json", io.BytesIO(), ResultCaps(max_rows=1))


@pytest.mark.parametrize("caps", [ResultCaps(max_bytes=10_000), ResultCaps(max_rows=10),
                                  ResultCaps(max_rows=10**9, max_bytes=10_000)], ids=["bytes", "rows", "both"])
def test_a_cap_stops_the_evaluation_too(store: ox.Store, caps: ResultCaps) -> None:
    """Rows are computed as they are written: a capped query stops early instead of running to its end."""
    calls = []

    def tick() -> ox.Literal:
        calls.append(1)
        return ox.Literal(len(calls))

    query = f"SELECT ?x WHERE {{ ?a ?b ?c . ?d ?e ?f BIND(<{EX}tick>() AS ?x) }}"  # 399 x 399 rows
    make = lambda: store.query(query, use_default_graph_as_union=True,  # noqa: E731
                               custom_functions={ox.NamedNode(EX + "tick"): tick})
    report = write_capped(make, "json", io.BytesIO(), caps)
    assert report.capped
    assert len(calls) < 1_000  # of 159,201


def test_describe_is_capped_like_construct(store: ox.Store) -> None:
    query = f"DESCRIBE ?s WHERE {{ ?s <{EX}n> ?n }}"
    whole = native(store, query, "turtle")
    data, report, _ = capped(store, query, "turtle", ResultCaps(max_rows=50))
    assert report == CapReport(capped=True, rows=50, reason="max-rows")
    assert triples_of(data, "turtle") == triples_of(whole, "turtle")[:50]
