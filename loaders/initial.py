"""The first load on an empty store: ontology, reference data and bundled organisations.

Each source is one atomic write, and the run itself is recorded in the meta graph as a
``prov:Activity`` that gets its ``prov:endedAtTime`` only when every source has landed. A run cut
short (a crash, ``kill -9``) is therefore visible, and the next start resumes it, loading only the
sources that are missing, instead of mistaking a half-loaded store for a loaded one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from graph.iris import Iris
from graph.store import GraphStore
from loaders.importer import ImportReport, graph_iri, import_source
from loaders.registry import ontology_and_reference, organisation_sources

Progress = Callable[[str, int, int], None]  # (source name, index, total)

_LOADED_GRAPHS = """
SELECT DISTINCT ?g ?meta WHERE { GRAPH ?meta { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?t } }
"""
_RUN_STATE = """
SELECT ?run ?ended ?meta WHERE {
  GRAPH ?meta { ?run a <http://www.w3.org/ns/prov#Activity> ; <http://www.w3.org/ns/prov#startedAtTime> ?started .
                OPTIONAL { ?run <http://www.w3.org/ns/prov#endedAtTime> ?ended } }
}
"""


def first_load_run(iris: Iris) -> URIRef:
    """The IRI of the first-load activity in the meta graph."""
    return URIRef(iris.meta_graph + "#first-load")


def needs_first_load(store: GraphStore, iris: Iris) -> bool:
    """True for an empty store, and for one whose first load was interrupted."""
    if store.is_empty():
        return True
    rows = store.select(_RUN_STATE, {"meta": URIRef(iris.meta_graph), "run": first_load_run(iris)})
    return bool(rows) and all("ended" not in row for row in rows)


def _now() -> Literal:
    return Literal(datetime.now(UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)


def first_load(store: GraphStore, iris: Iris, *, organisations: bool = True,
               progress: Progress | None = None, resume: bool = True) -> list[ImportReport]:
    """Loads every bundled source, each in its own atomic write.

    With ``resume`` (the default) sources already recorded in the meta graph are skipped, so an
    interrupted run picks up where it stopped; without it every source is rebuilt (re-importing
    replaces a graph with the same content, so nothing changes)."""
    sources = ontology_and_reference() + (organisation_sources() if organisations else [])
    meta, run = URIRef(iris.meta_graph), first_load_run(iris)
    loaded = {str(row["g"]) for row in store.select(_LOADED_GRAPHS, {"meta": meta})} if resume else set()
    if not loaded:
        store.add_quads([(run, RDF.type, PROV.Activity, meta), (run, PROV.startedAtTime, _now(), meta)])
    reports = []
    for index, source in enumerate(sources):
        if progress is not None:
            progress(source.info.name, index, len(sources))
        if graph_iri(iris, source) in loaded:
            continue
        reports.append(import_source(store, iris, source))
    store.add_quads([(run, RDF.type, PROV.Activity, meta), (run, PROV.endedAtTime, _now(), meta)])
    if progress is not None:
        progress("done", len(sources), len(sources))
    return reports
