"""The first load: resumable after an interruption, skipped once complete."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import graph_iri, import_source
from loaders.initial import first_load, first_load_run, needs_first_load
from loaders.registry import ontology_and_reference

IRIS = Iris("https://ourdata.coop/")


def test_empty_store_needs_a_first_load(memory_store: EmbeddedStore) -> None:
    assert needs_first_load(memory_store, IRIS)


def test_an_interrupted_first_load_is_resumed_without_reloading_what_landed(memory_store: EmbeddedStore) -> None:
    sources = ontology_and_reference()
    meta = URIRef(IRIS.meta_graph)
    # what a run killed after its first source leaves behind: the activity started, one graph written
    memory_store.add_quads([(first_load_run(IRIS), RDF.type, PROV.Activity, meta)])
    memory_store.add_quads([(first_load_run(IRIS), PROV.startedAtTime, URIRef("urn:x"), meta)])
    import_source(memory_store, IRIS, sources[0])
    assert not memory_store.is_empty()
    assert needs_first_load(memory_store, IRIS), "a half-loaded store must not pass for a loaded one"

    reports = first_load(memory_store, IRIS, organisations=False)

    loaded = {r.graph for r in reports}
    assert graph_iri(IRIS, sources[0]) not in loaded
    assert loaded == {graph_iri(IRIS, s) for s in sources[1:]}
    assert all(memory_store.graph_exists(graph_iri(IRIS, s)) for s in sources)
    assert not needs_first_load(memory_store, IRIS)
