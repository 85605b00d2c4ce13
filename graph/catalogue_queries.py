"""The SPARQL behind the API's collections, and a fast way to read large SELECT results.

Every IRI put into these texts is a constant of :mod:`graph.catalogue_terms` or derived from the configured base,
and goes through :func:`graph.sparql_text.checked_iri`; nothing a client sends is pasted here.

The catalogue reads hundreds of thousands of rows when it (re)builds; going through rdflib terms costs seconds
at 100k organisations, so :func:`csv_rows` has the engine serialize CSV and parses it with the csv module
(the IRI/literal distinction is not needed: each query says which columns hold IRIs).
"""

from __future__ import annotations

import csv
import io

from graph.catalogue_terms import CC, DCT, ODRL, PROV, RDF_TYPE
from graph.formats import RESULTS_BY_NAME, Format, ResultKind
from graph.sparql_text import checked_iri
from graph.store import GraphStore, QueryRequest

_CSV = RESULTS_BY_NAME["csv"]


class _Buffer:
    def __init__(self) -> None:
        self.data = io.BytesIO()

    def begin(self, fmt: Format, kind: ResultKind, cap: object = None) -> None:
        pass

    def write(self, data: bytes) -> int:
        return self.data.write(data)

    def flush(self) -> None:
        pass


def csv_rows(store: GraphStore, query: str) -> list[list[str]]:
    """A SELECT's rows as lists of plain values (IRIs and literals' lexical forms; '' when unbound)."""
    sink = _Buffer()
    store.run_query(QueryRequest(query), lambda _kind: _CSV, sink)
    text = sink.data.getvalue().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return rows[1:]  # the header


def typed_in(graph: str, type_iri: str) -> str:
    """(?s): subjects one named graph gives this type. Both ends bound: the engine decodes only ?s (on disk,
    turning stored ids back into strings is most of a large query's cost)."""
    return f"SELECT ?s WHERE {{ GRAPH {checked_iri(graph)} {{ ?s {checked_iri(RDF_TYPE)} {checked_iri(type_iri)} }} }}"


def subjects_in(graph: str) -> str:
    """(?s): every subject of one named graph (used for contributions, which may add to others' resources)."""
    return f"SELECT DISTINCT ?s WHERE {{ GRAPH {checked_iri(graph)} {{ ?s ?p ?o }} }}"


def predicate_rows(predicate: str) -> str:
    """(?s ?o): every statement with this predicate (the union of the graphs)."""
    return f"SELECT ?s ?o WHERE {{ ?s {checked_iri(predicate)} ?o }}"


def typed_values(type_iri: str, predicate: str) -> str:
    """(?s ?o): the values of one predicate on subjects of one type (for predicates also used on many others)."""
    return (f"SELECT ?s ?o WHERE {{ ?s {checked_iri(RDF_TYPE)} {checked_iri(type_iri)} . "
            f"?s {checked_iri(predicate)} ?o }}")


def graph_times(meta_graph: str) -> str:
    """(?g ?t): when each named graph was generated or last modified, from the meta graph."""
    return (f"SELECT ?g ?t WHERE {{ GRAPH {checked_iri(meta_graph)} {{ "
            f"{{ ?g {checked_iri(PROV + 'generatedAtTime')} ?t }} UNION {{ ?g {checked_iri(DCT + 'modified')} ?t }} "
            f"}} }}")


def _policy_branch(path: str, relation: str) -> str:
    return (f"{{ ?s odrl:hasPolicy ?policy . ?policy odrl:inheritFrom* ?p . ?p {path} ?rule . "
            f"?rule odrl:action ?action . BIND(\"{relation}\" AS ?rel) }}")


#: (?s ?rel ?action): what each subject's policies (licences' and datasets' own, following odrl:inheritFrom)
#: permit, prohibit and require, plus direct ccREL statements. ``rel`` is permission, prohibition or duty.
POLICY_ACTIONS = (
    f"PREFIX odrl: <{ODRL}>\nPREFIX cc: <{CC}>\n"
    "SELECT ?s ?rel ?action WHERE {\n  "
    + "\n  UNION ".join([
        _policy_branch("odrl:permission", "permission"),
        _policy_branch("odrl:prohibition", "prohibition"),
        _policy_branch("odrl:permission/odrl:duty", "duty"),
        _policy_branch("odrl:obligation", "duty"),
        '{ ?s cc:permits ?action . BIND("permission" AS ?rel) }',
        '{ ?s cc:prohibits ?action . BIND("prohibition" AS ?rel) }',
        '{ ?s cc:requires ?action . BIND("duty" AS ?rel) }',
    ])
    + "\n}"
)

#: (?s): subjects with a machine-readable policy (even one that lists no action).
POLICY_HOLDERS = f"SELECT DISTINCT ?s WHERE {{ ?s <{ODRL}hasPolicy> ?policy }}"
