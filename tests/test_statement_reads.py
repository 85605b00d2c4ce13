"""The API documents' reads: straight from the engine's indexes (the embedded store) and through SPARQL (any other
store) give the same statements, and so the same framed documents, as SPARQL over our default graph holds; a
document over the event loop's budget is made in a worker thread, identically."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import make_test_settings, serving

import graph.api_documents as api_documents
from api.api_listing import framer
from api.routes import collections
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.plain_terms import Blank, Lit, plain
from graph.statement_reads import IndexReads, SparqlReads, StatementReads, reads_for

B = "https://ourdata.coop/id/"
ORG = B + "organisation/a"
DATA = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix ex: <http://example.org/> .
<{ORG}> a org:FormalOrganization ; skos:prefLabel "A", "A-fr"@fr, "A-en"@en ;
   ex:count "5"^^xsd:integer ; ex:flag "true"^^xsd:boolean ; ex:num "1.50"^^xsd:decimal ; ex:custom "x"^^ex:dt ;
   dct:spatial <{B}country/gb> ; ex:blank [ ex:p "b1" ; ex:q [ ex:r "deep" ] ], [ ex:p "b2" ] ;
   ex:gen <http://other.org/.well-known/genid/1> ; org:hasRegisteredSite <{ORG}/site/1> ;
   ex:link <{B}organisation/b>, <{ORG}> ; dct:publisher <{ORG}> .
<http://other.org/.well-known/genid/1> ex:v "g" ; ex:w [ ex:z "zz" ] .
<{ORG}/site/1> ex:address <{ORG}/site/1/address> ; ex:back <{ORG}> ; ex:country <{B}country/gb> .
<{ORG}/site/1/address> ex:postCode "PC" ; ex:more <{ORG}/site/1/address/x> .
<{ORG}/site/1/address/x> ex:e "e" .
<{B}organisation/b> skos:prefLabel "B"@en ; dct:publisher <{ORG}> ; rdfs:label "Bee" ; dct:title "BT"@en .
<{B}dataset/d1> a <http://www.w3.org/ns/dcat#Dataset> ; dct:title "D1"@en ; dct:license <{B}licence/L> ;
   dct:publisher <{ORG}> ; ex:other "not in the summary" .
_:anonymous dct:publisher <{ORG}> .
<{B}licence/L> skos:prefLabel "Lic"@en ; skos:notation "L" .
<{B}country/gb> skos:prefLabel "United Kingdom"@en, "Royaume-Uni"@fr ; skos:notation "GB" ; ex:notALabel "x" ;
   skos:prefLabel ex:notALiteral .
"""
#: The same statement in a second graph and in the default graph: SPARQL's union default graph sees each copy.
MORE = f"""<{ORG}> <http://www.w3.org/2004/02/skos/core#prefLabel> "A" .
<{B}country/gb> <http://www.w3.org/2004/02/skos/core#notation> "GB" ."""


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(None if request.param == "memory" else tmp_path / "store")
    store.load(DATA.encode(), RDF_BY_NAME["turtle"], graph="https://ourdata.coop/graph/one")
    store.load(MORE.encode(), RDF_BY_NAME["turtle"], graph="https://ourdata.coop/graph/two")
    store.load(MORE.encode(), RDF_BY_NAME["turtle"], graph=None)
    yield store
    store.close()


def sparql_about(store: EmbeddedStore, iri: str) -> list[tuple[object, ...]]:
    rows = store.select(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")
    return sorted(((iri, plain(r["p"]), plain(r["o"])) for r in rows), key=repr)


def test_the_embedded_store_is_read_through_its_indexes(store: EmbeddedStore) -> None:
    assert isinstance(reads_for(store), IndexReads)


def test_index_reads_give_what_sparql_gives(store: EmbeddedStore) -> None:
    index, sparql = reads_for(store), SparqlReads(store)
    subjects = [ORG, f"{ORG}/site/1", B + "country/gb", B + "nothing"]
    assert index.about(subjects) == sparql.about(subjects)
    assert sorted(index.about([ORG]), key=repr) == sparql_about(store, ORG)
    copies = [t for t in index.about([ORG]) if t[2] == Lit("A", "", "")]
    assert len(copies) == 3  # one per graph that holds it, as SPARQL over the union default graph
    blanks = [t[2] for t in index.about([ORG]) if type(t[2]) is Blank]
    assert len(blanks) == 2 and index.about(blanks) == sparql.about(blanks)
    labels = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#notation")
    gb = [B + "country/gb", B + "licence/L"]
    assert index.about_with(gb, labels, literals_only=True) == sparql.about_with(gb, labels, literals_only=True)
    assert index.about_with(gb, labels) == sparql.about_with(gb, labels)
    assert all(type(t[2]) is Lit for t in index.about_with(gb, labels, literals_only=True))
    linked = index.linking([ORG, B + "nothing"], "http://purl.org/dc/terms/publisher")
    assert linked == sparql.linking([ORG, B + "nothing"], "http://purl.org/dc/terms/publisher")
    assert {s for s, _, _ in linked} == {ORG, B + "organisation/b", B + "dataset/d1"}  # not the blank node


def test_index_reads_keep_lexical_forms_exactly(memory_store: EmbeddedStore) -> None:
    memory_store.load(f'<{ORG}> <http://example.org/t> " two  words "^^<http://www.w3.org/2001/XMLSchema#token> .'
                      .encode(), RDF_BY_NAME["ntriples"], graph="https://ourdata.coop/graph/one")
    [(_, _, value)] = reads_for(memory_store).about([ORG])
    assert value == Lit(" two  words ", "http://www.w3.org/2001/XMLSchema#token", "")


@pytest.mark.parametrize("collection", ["organisations", "datasets"])
def test_documents_are_the_same_whichever_way_they_are_read(store: EmbeddedStore, collection: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [ORG, B + "organisation/b", B + "dataset/d1", B + "nothing"]
    by_index = api_documents.documents(store, collection, roots)
    monkeypatch.setattr(api_documents, "reads_for", lambda s: SparqlReads(s))
    api_documents._CACHES.clear()  # labels are read again, through SPARQL
    by_sparql = api_documents.documents(store, collection, roots)
    assert by_index == by_sparql
    assert not by_index[B + "nothing"] and by_index[ORG]
    reverse = api_documents.REVERSE.get(collection, ())
    for root in roots[:3]:
        doc = by_index[root]
        assert framer().frame(root, doc.triples, reverse, doc.labels) == framer().frame(
            root, by_sparql[root].triples, reverse, by_sparql[root].labels)


def test_a_document_holds_its_description_reverse_links_and_labels(store: EmbeddedStore) -> None:
    doc = api_documents.documents(store, "organisations", [ORG])[ORG]
    subjects = {s for s, _, _ in doc.triples}
    assert {ORG, f"{ORG}/site/1", f"{ORG}/site/1/address", f"{ORG}/site/1/address/x",
            "http://other.org/.well-known/genid/1", B + "organisation/b", B + "dataset/d1"} <= subjects
    assert sum(type(s) is Blank for s in subjects) == 4  # two under ex:blank, one nested, one under the genid IRI
    summary = {p for s, p, _ in doc.triples if s == B + "dataset/d1"}
    assert "http://example.org/other" not in summary and "http://purl.org/dc/terms/title" in summary
    assert list(doc.labels) == sorted(doc.labels) and B + "country/gb" in doc.labels
    assert all(type(o) is Lit for labels in doc.labels.values() for _, _, o in labels)
    assert len(doc.labels[B + "country/gb"]) == 3  # two names and the notation, each once
    assert all(type(p) is str for _, p, _ in doc.all_triples())
    assert len(set(doc.all_triples())) == len(doc.all_triples())


def test_reads_for_any_other_store_use_sparql(store: EmbeddedStore) -> None:
    class Other:
        def __init__(self, inner: EmbeddedStore) -> None:
            self.select = inner.select

    reads: StatementReads = reads_for(Other(store))  # type: ignore[arg-type]
    assert isinstance(reads, SparqlReads)
    assert reads.about([ORG]) == IndexReads(store._store).about([ORG])


def test_a_budget_stops_the_reads_of_a_large_document(store: EmbeddedStore) -> None:
    whole = api_documents.documents(store, "organisations", [ORG])[ORG]
    with pytest.raises(api_documents.OverBudget):
        api_documents.documents(store, "organisations", [ORG], budget=5)  # the description alone is larger
    with pytest.raises(api_documents.OverBudget):  # the description fits; the three linking resources do not
        api_documents.documents(store, "organisations", [ORG], budget=len(whole.triples) - 1)
    assert api_documents.documents(store, "organisations", [ORG], budget=1000)[ORG] == whole


def test_a_document_over_the_inline_budget_is_made_in_a_thread_and_is_the_same(
        store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(make_test_settings(tmp_path), store, fixture=None) as server, \
            httpx.Client(base_url=server.url, timeout=30) as client:
        url = "/api/v1/organisations/a"
        client.get("/api/v1/organisations")  # builds the catalogue snapshot: misses may now run inline
        inline = client.get(url)
        assert inline.status_code == 200, inline.text
        monkeypatch.setattr(collections, "INLINE_STATEMENTS", 1)
        client.get("/api/v1/organisations/b")  # over the budget: computed in a worker thread
        server.store.load(b"<urn:x> <urn:y> <urn:z> .", RDF_BY_NAME["ntriples"], graph="urn:g")  # a new version
        client.get("/api/v1/organisations")
        threaded = client.get(url)
        assert threaded.status_code == 200 and threaded.content == inline.content
        assert client.get("/api/v1/organisations/nothing").status_code == 404
