"""The ontology files: the closed namespaces agree with the Turtle, every term is documented, the SHACL shapes
accept good records and reject bad ones with readable messages, and the JSON-LD context round-trips."""

from __future__ import annotations

import json
import re

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import ontology
from loaders.sources.base import DATA_DIR
from ontology.vocab import (
    INSTITUTION_KIND,
    INSTITUTION_KIND_SCHEME,
    OD,
    OD_NAMESPACE,
    ONTOLOGY,
    institution_kinds,
    od_terms,
)

SH = Namespace("http://www.w3.org/ns/shacl#")
EU_DGA = "https://w3id.org/dpv/legal/eu/dga#"
OTHER_BASE = "https://data.example.org/kg/"


def _our_iris(graph: Graph) -> set[URIRef]:
    return {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(OD_NAMESPACE)}


def _is_term(iri: URIRef) -> bool:
    """A term of the od: namespace itself (not the ontology IRI, a scheme, a concept or a shape). With the default
    base, reference schemes ({base}def/legal-form) share the namespace: they are schemes, not terms."""
    local = str(iri)[len(OD_NAMESPACE):]
    schemes = ("institution-kind", *ontology.REFERENCE_SCHEMES)
    return bool(local) and not re.search(r"[/#]", local) and local not in schemes


# --- the closed namespaces and the Turtle ------------------------------------------------------------------

def test_od_namespace_lists_exactly_the_terms_the_turtle_defines() -> None:
    graph = Graph().parse(ontology.ONTOLOGY_FILE)
    defined = {s for s in graph.subjects(RDFS.isDefinedBy, ONTOLOGY) if isinstance(s, URIRef)}
    assert defined == od_terms()
    assert {s for s in graph.subjects() if isinstance(s, URIRef) and _is_term(s)} == od_terms()


def test_every_od_term_used_anywhere_in_our_files_is_defined() -> None:
    used = _our_iris(ontology.ontology_graph()) | _our_iris(ontology.shapes_graph())
    assert {iri for iri in used if _is_term(iri)} <= od_terms()


def test_the_namespaces_are_closed() -> None:
    assert OD.sourceFamily == URIRef(OD_NAMESPACE + "sourceFamily")
    with pytest.raises(AttributeError):
        _ = OD.sourcefamily
    with pytest.raises(AttributeError):
        _ = INSTITUTION_KIND["data-coop"]


def test_institution_kind_namespace_lists_exactly_the_concepts_of_the_scheme() -> None:
    graph = Graph().parse(ontology.INSTITUTION_KINDS_FILE)
    in_scheme = set(graph.subjects(SKOS.inScheme, INSTITUTION_KIND_SCHEME))
    assert in_scheme == institution_kinds()
    assert set(graph.subjects(RDF.type, SKOS.Concept)) == institution_kinds()


# --- documentation of every minted term ---------------------------------------------------------------------

def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return [str(o) for o in graph.objects(subject, predicate)
            if isinstance(o, Literal) and o.language == "en" and str(o).strip()]


@pytest.mark.parametrize("term", sorted(od_terms()), ids=lambda t: str(t)[len(OD_NAMESPACE):])
def test_every_od_term_has_a_label_a_definition_and_a_type(term: URIRef) -> None:
    graph = ontology.ontology_graph()
    assert _english(graph, term, RDFS.label)
    assert _english(graph, term, SKOS.definition)
    assert set(graph.objects(term, RDF.type)) & {OWL.Class, OWL.DatatypeProperty, OWL.ObjectProperty}


def test_every_property_we_mint_states_domain_and_range() -> None:
    graph = ontology.ontology_graph()
    for prop in graph.subjects(RDF.type, OWL.DatatypeProperty):
        assert list(graph.objects(prop, RDFS.domain)), prop
        assert list(graph.objects(prop, RDFS.range)), prop


@pytest.mark.parametrize("concept", sorted(institution_kinds()), ids=lambda c: str(c).rsplit("/", 1)[1])
def test_every_institution_kind_is_labelled_defined_and_placed(concept: URIRef) -> None:
    graph = ontology.ontology_graph()
    assert len(_english(graph, concept, SKOS.prefLabel)) == 1
    assert _english(graph, concept, SKOS.definition)
    assert [str(n) for n in graph.objects(concept, SKOS.notation)] == [str(concept).rsplit("/", 1)[1]]
    assert (concept, RDF.type, OD.InstitutionKind) in graph
    top = (concept, SKOS.topConceptOf, INSTITUTION_KIND_SCHEME) in graph
    broader = set(graph.objects(concept, SKOS.broader))
    assert top != bool(broader), "a concept is either a top concept or has a broader one"
    assert broader <= institution_kinds()
    assert top == ((INSTITUTION_KIND_SCHEME, SKOS.hasTopConcept, concept) in graph)


def test_dpv_matches_point_at_real_eu_dga_terms() -> None:
    dga = Graph().parse(DATA_DIR / "w3c-dpv" / "eu-dga.ttl")
    graph = ontology.ontology_graph()
    matched = [o for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch) for o in graph.objects(None, p)
               if str(o).startswith(EU_DGA)]
    assert URIRef(EU_DGA + "DataCooperative") in matched
    for iri in matched:
        assert (iri, RDF.type, RDFS.Class) in dga, f"{iri} is not a class of the shipped DPV eu-dga file"
    coop = INSTITUTION_KIND["data-cooperative"]
    assert (coop, SKOS.closeMatch, URIRef(EU_DGA + "DataCooperative")) in graph


# --- SHACL -------------------------------------------------------------------------------------------------

def _reference(base: str) -> str:
    """A tiny legal-form and country scheme, as the reference data models them."""
    return f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
<{base}def/legal-form> a skos:ConceptScheme . <{base}def/country> a skos:ConceptScheme .
<{base}id/country/gb> a skos:Concept ; skos:inScheme <{base}def/country> ; skos:notation "GB" .
<{base}id/legal-form/ZZGG> a skos:Concept ; skos:inScheme <{base}def/legal-form> ; skos:notation "ZZGG" ;
    skos:prefLabel "Co-operative Society"@en ; dct:spatial <{base}id/country/gb> ;
    skos:exactMatch <https://rdf.gleif.org/EntityLegalForm/ELF-ZZGG> .
<{base}id/thing/not-a-form> a skos:Concept ; skos:prefLabel "Not a legal form"@en .
"""


def _good_organisation(base: str) -> str:
    org = f"{base}id/organisation/solent-data-coop"
    return f"""
@prefix org: <http://www.w3.org/ns/org#> . @prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix adms: <http://www.w3.org/ns/adms#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> . @prefix locn: <http://www.w3.org/ns/locn#> .
@prefix eu-dga: <https://w3id.org/dpv/legal/eu/dga#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{org}> a org:FormalOrganization, rov:RegisteredOrganization, eu-dga:DataCooperative ;
    skos:prefLabel "Solent Data Co-op"@en ; rov:legalName "Solent Data Co-operative Limited" ;
    foaf:homepage <https://solent.example.org/> ; dct:spatial <{base}id/country/gb> ;
    rov:orgType <{base}id/legal-form/ZZGG> ;
    org:classification <https://ourdata.coop/def/institution-kind/data-cooperative> ;
    rov:registration <{org}/registration/fca> ; org:hasRegisteredSite <{org}/site/registered> ;
    dct:modified "2026-11-24"^^xsd:date .
<{org}/registration/fca> a adms:Identifier ; skos:notation "RS009999" ; adms:schemaAgency "FCA" .
<{org}/site/registered> a org:Site ; geo:lat 50.9097 ; geo:long -1.4044 ; locn:address <{org}/site/registered/address> .
<{org}/site/registered/address> a locn:Address ; locn:postCode "SO14 0AA" ; locn:postName "Southampton" .
"""


def _bad_organisation(base: str) -> str:
    return f"""
@prefix org: <http://www.w3.org/ns/org#> . @prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix eu-dga: <https://w3id.org/dpv/legal/eu/dga#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
<{base}id/organisation/nameless> a org:FormalOrganization, eu-dga:DataCooperative ;
    foaf:homepage "www.nameless.example" ; rov:orgType <{base}id/thing/not-a-form> ;
    org:hasSite <{base}id/organisation/nameless/site/1> .
<{base}id/organisation/nameless/site/1> geo:lat 123.0 .
"""


def _validate(data: str, base: str, shapes_base: str | None = None) -> tuple[bool, Graph]:
    graph = Graph().parse(data=data + _reference(base), format="turtle")
    graph += ontology.ontology_graph()
    conforms, results, _text = validate(graph, shacl_graph=ontology.shapes_graph(shapes_base or base),
                                        allow_warnings=True)
    return bool(conforms), results


def _messages(results: Graph) -> set[str]:
    return {str(m) for m in results.objects(None, SH.resultMessage)}


def test_every_shape_file_parses() -> None:
    for path in ontology.SHAPE_FILES:
        assert len(Graph().parse(path)) > 10, path.name


def test_every_constraint_says_in_plain_words_what_is_wrong() -> None:
    shapes = ontology.shapes_graph()
    in_lists = set(shapes.objects(None, RDF.first))  # alternatives of an sh:or: the sh:or carries the message
    property_shapes = set(shapes.subjects(SH.path, None)) - in_lists
    assert len(property_shapes) > 40
    for shape in property_shapes:
        messages = [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal) and m.language == "en"]
        assert messages, f"property shape {shape} has no sh:message"
    for shape in shapes.subjects(SH["or"], None):
        assert list(shapes.objects(shape, SH.message)), f"{shape} uses sh:or without a message"


def test_a_good_organisation_conforms() -> None:
    conforms, results = _validate(_good_organisation(ontology.DEFAULT_BASE), ontology.DEFAULT_BASE)
    assert conforms, _messages(results)


def test_a_bad_organisation_fails_with_readable_messages() -> None:
    conforms, results = _validate(_bad_organisation(ontology.DEFAULT_BASE), ontology.DEFAULT_BASE)
    assert not conforms
    messages = _messages(results)
    assert "An organisation needs a name: give skos:prefLabel (the name it is known by)." in messages
    assert any(m.startswith("The homepage (foaf:homepage) must be a web address") for m in messages)
    assert any(m.startswith("The legal form (rov:orgType) must be a concept of the legal-form scheme")
               for m in messages)
    assert any("dct:spatial" in m and "data co-operative" in m.lower() for m in messages)
    assert any(m.startswith("The latitude (geo:lat)") for m in messages)
    focus = {str(f) for f in results.objects(None, SH.focusNode)}
    assert f"{ontology.DEFAULT_BASE}id/organisation/nameless" in focus


def test_the_legal_form_check_sees_the_deployments_scheme() -> None:
    """Shapes rewritten for another base accept its legal forms; the default shapes do not."""
    data = _good_organisation(OTHER_BASE)
    conforms, results = _validate(data, OTHER_BASE)
    assert conforms, _messages(results)
    conforms, results = _validate(data, OTHER_BASE, shapes_base=ontology.DEFAULT_BASE)
    assert not conforms
    assert any("legal-form scheme" in m for m in _messages(results))


def test_rewriting_the_base_leaves_our_terms_alone() -> None:
    default, other = ontology.shapes_graph(), ontology.shapes_graph(OTHER_BASE)
    assert len(default) == len(other)
    assert _our_iris(default) - {URIRef(ontology.DEFAULT_BASE + f"def/{s}") for s in ontology.REFERENCE_SCHEMES} \
        == _our_iris(other)
    for scheme in ontology.REFERENCE_SCHEMES:
        assert URIRef(OTHER_BASE + f"def/{scheme}") in set(other.objects())
        assert URIRef(ontology.DEFAULT_BASE + f"def/{scheme}") not in set(other.objects())


def test_shapes_graph_is_a_fresh_copy() -> None:
    first = ontology.shapes_graph()
    first.add((URIRef("urn:x"), RDF.type, SH.NodeShape))
    assert (URIRef("urn:x"), RDF.type, SH.NodeShape) not in ontology.shapes_graph()


DATASET = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix cc: <http://creativecommons.org/ns#> .
<https://ourdata.coop/id/licence/CC-BY-4.0> a dct:LicenseDocument , skos:Concept ; skos:notation "CC-BY-4.0" ;
    dct:title "Creative Commons Attribution 4.0 International"@en ;
    skos:exactMatch <http://spdx.org/licenses/CC-BY-4.0> ;
    odrl:hasPolicy <https://ourdata.coop/id/licence/CC-BY-4.0/policy> .
<https://ourdata.coop/id/licence/CC-BY-4.0/policy> a odrl:Set ;
    odrl:permission <https://ourdata.coop/id/licence/CC-BY-4.0/policy/permission/1> .
<https://ourdata.coop/id/licence/CC-BY-4.0/policy/permission/1> odrl:action cc:Distribution ;
    odrl:duty <https://ourdata.coop/id/licence/CC-BY-4.0/policy/permission/1/duty/1> .
<https://ourdata.coop/id/licence/CC-BY-4.0/policy/permission/1/duty/1> odrl:action cc:Attribution .
<http://publications.europa.eu/resource/authority/data-theme/HEAL> a skos:Concept .
<https://ourdata.coop/id/dataset/waiting-times> a dcat:Dataset ;
    dct:title "Waiting times"@en ; dct:description "Pooled by members."@en ;
    dct:publisher <https://ourdata.coop/id/organisation/solent-data-coop> ;
    dct:license <https://ourdata.coop/id/licence/CC-BY-4.0> ;
    dcat:theme <http://publications.europa.eu/resource/authority/data-theme/HEAL> ;
    dcat:distribution <https://ourdata.coop/id/dataset/waiting-times/csv> .
<https://ourdata.coop/id/dataset/waiting-times/csv> a dcat:Distribution ;
    dcat:downloadURL <https://solent.example.org/wait.csv> .
"""


def test_a_good_dataset_with_its_licence_conforms() -> None:
    conforms, results = _validate(DATASET, ontology.DEFAULT_BASE)
    assert conforms, _messages(results)


@pytest.mark.parametrize(("change", "message_start"), [
    ('dct:title "Waiting times"@en ;', "A dataset needs a title"),
    ("dct:license <https://ourdata.coop/id/licence/CC-BY-4.0> ;",
     None),  # no licence is allowed: this row checks the good case still conforms without one
    ("dcat:downloadURL <https://solent.example.org/wait.csv> .", "A distribution (dcat:distribution) must say"),
    ("odrl:action cc:Attribution .", "The licence's policy (odrl:hasPolicy)"),
    ('skos:notation "CC-BY-4.0" ;', "A licence needs exactly one SPDX identifier"),
])
def test_dataset_and_licence_shapes_name_what_is_missing(change: str, message_start: str | None) -> None:
    assert change in DATASET
    replacement = "." if change.rstrip().endswith(".") else ""
    if change.startswith("odrl:action cc:Attribution"):
        replacement = 'odrl:action "attribution" .'
    conforms, results = _validate(DATASET.replace(change, replacement), ontology.DEFAULT_BASE)
    if message_start is None:
        assert conforms, _messages(results)
    else:
        assert not conforms
        assert any(m.startswith(message_start) for m in _messages(results)), _messages(results)


def test_legal_form_shape_checks_the_whole_scheme_in_advanced_mode() -> None:
    reference = _reference(ontology.DEFAULT_BASE) + f"""
<{ontology.DEFAULT_BASE}id/legal-form/bad> a <http://www.w3.org/2004/02/skos/core#Concept> ;
    <http://www.w3.org/2004/02/skos/core#inScheme> <{ontology.DEFAULT_BASE}def/legal-form> ;
    <http://www.w3.org/2004/02/skos/core#notation> "not an ELF code" .
"""
    graph = Graph().parse(data=reference, format="turtle")
    conforms, results, _ = validate(graph, shacl_graph=ontology.shapes_graph(), advanced=True)
    assert not conforms
    focus = {str(f) for f in results.objects(None, SH.focusNode)}
    assert focus == {f"{ontology.DEFAULT_BASE}id/legal-form/bad"}
    assert any(m.startswith("An ELF code (skos:notation) is four") for m in _messages(results))


# --- the JSON-LD context -----------------------------------------------------------------------------------

PREFIXES = ("org", "rov", "dcat", "dct", "odrl", "skos", "prov", "locn", "adms", "geo", "essglobal", "eu-dga",
            "foaf", "od", "cc", "xsd", "owl", "rdfs")


def test_context_is_a_local_file_with_the_prefixes_and_terms_the_api_uses() -> None:
    context = ontology.load_context()["@context"]
    assert json.loads(ontology.CONTEXT_FILE.read_text(encoding="utf-8"))["@context"] == context
    for prefix in PREFIXES:
        assert isinstance(context[prefix], str) and context[prefix].startswith("http"), prefix
    assert context["od"] == OD_NAMESPACE
    assert context["geo"] == "http://www.w3.org/2003/01/geo/wgs84_pos#"
    assert context["id"] == "@id" and context["type"] == "@type"
    assert context["name"] == {"@id": "skos:prefLabel", "@container": "@language"}
    for term, prop in [("legalForm", "rov:orgType"), ("country", "dct:spatial"), ("kind", "org:classification"),
                       ("licence", "dct:license"), ("homepage", "foaf:homepage")]:
        assert context[term] == {"@id": prop, "@type": "@id"}
    ontology.load_context()["@context"]["od"] = "changed"
    assert ontology.load_context()["@context"]["od"] == OD_NAMESPACE  # callers get a copy


SAMPLE = """
@prefix org: <http://www.w3.org/ns/org#> . @prefix rov: <http://www.w3.org/ns/regorg#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix od: <https://ourdata.coop/def/> . @prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix essglobal: <http://purl.org/essglobal/vocab/> .
<https://ourdata.coop/id/organisation/x> a org:FormalOrganization ;
    skos:prefLabel "Data Co-op X"@en , "Coopérative X"@fr , "untagged name" ;
    rov:legalName "X Limited" ; dct:description "A data co-operative."@en ;
    foaf:homepage <https://x.example/> ; dct:spatial <https://ourdata.coop/id/country/gb> ;
    rov:orgType <https://ourdata.coop/id/legal-form/ZZGG> ;
    org:classification <https://ourdata.coop/def/institution-kind/data-cooperative> ;
    od:legalFormText "Society" ; essglobal:totalOfMembers 42 ;
    dct:modified "2026-11-24T10:00:00Z"^^xsd:dateTime ;
    org:hasRegisteredSite <https://ourdata.coop/id/organisation/x/site/registered> .
<https://ourdata.coop/id/organisation/x/site/registered> a org:Site ; geo:lat 50.9097 ; geo:long -1.4044 .
<https://ourdata.coop/id/dataset/d> a dcat:Dataset ; dct:title "D"@en ;
    dct:publisher <https://ourdata.coop/id/organisation/x> ; dct:license <https://ourdata.coop/id/licence/CC-BY-4.0> .
"""


def test_context_round_trips_a_compacted_document() -> None:
    context = ontology.load_context()["@context"]
    graph = Graph().parse(data=SAMPLE, format="turtle")
    compacted = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    text = json.dumps(compacted)
    for alias in ('"name"', '"legalForm"', '"country"', '"kind"', '"homepage"', '"publisher"', '"licence"'):
        assert alias in text, alias
    compacted.pop("@context")
    again = Graph().parse(data=json.dumps(compacted), format="json-ld", context=context)
    assert isomorphic(graph, again)


def test_a_hand_written_api_document_expands_to_the_contract_terms() -> None:
    document = {
        "id": "https://ourdata.coop/id/organisation/x", "type": "org:FormalOrganization",
        "name": {"en": "Data Co-op X"}, "legalForm": "https://ourdata.coop/id/legal-form/ZZGG",
        "country": "https://ourdata.coop/id/country/gb", "kind": "https://ourdata.coop/def/institution-kind/network",
        "datasets": [{"id": "https://ourdata.coop/id/dataset/d", "title": "D",
                      "licence": "https://ourdata.coop/id/licence/CC-BY-4.0"}],
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld", context=ontology.load_context()["@context"])
    x = URIRef("https://ourdata.coop/id/organisation/x")
    dataset = URIRef("https://ourdata.coop/id/dataset/d")
    assert (x, SKOS.prefLabel, Literal("Data Co-op X", lang="en")) in graph
    assert (x, URIRef("http://www.w3.org/ns/regorg#orgType"), URIRef("https://ourdata.coop/id/legal-form/ZZGG")) \
        in graph
    assert (x, URIRef("http://www.w3.org/ns/org#classification"), INSTITUTION_KIND["network"]) in graph
    assert (dataset, URIRef("http://purl.org/dc/terms/publisher"), x) in graph
    assert (dataset, URIRef("http://purl.org/dc/terms/license"),
            URIRef("https://ourdata.coop/id/licence/CC-BY-4.0")) in graph
    assert len(graph) == 8
