"""Licences in a real store: SPDX counts from the file, and per licence what it permits, requires and prohibits,
asked as SPARQL, cross-checked against Creative Commons' own ccREL files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

import pytest
from rdflib import BNode, URIRef

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.sparql_text import checked_iri
from loaders.importer import import_source
from loaders.resolve import licence_iri
from loaders.sources import licences as lic
from loaders.sources.licence_policies import OVERLAY_FILE, corrected, corrections, rdflicense_rules
from loaders.sources.reference_common import CC, parse_rdf

IRIS = Iris("https://ourdata.coop/")
SCHEME = checked_iri(IRIS.definition("licence"))
PREFIXES = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX cc: <http://creativecommons.org/ns#>
PREFIX od: <https://ourdata.coop/def/>
"""
LDR = "http://purl.org/NET/ldr/ns#"
R, D, DW = "Reproduction", "Distribution", "DerivativeWorks"
A, N, SA, CU = "Attribution", "Notice", "ShareAlike", "CommercialUse"
DB = {LDR + "extraction", LDR + "reutilization"}  # database-right actions RDFLicense adds for every licence


def cc(*names: str) -> set[str]:
    return {str(CC[name]) for name in names}


# licence -> (permits, requires, prohibits): exact sets
RULES = {
    "CC-BY-4.0": (cc(R, D, DW) | DB, cc(A, N), set()),
    "CC-BY-SA-4.0": (cc(R, D, DW) | DB, cc(A, N, SA), set()),
    "CC-BY-NC-4.0": (cc(R, D, DW) | DB, cc(A, N), cc(CU)),
    "CC-BY-ND-4.0": (cc(R, D) | DB, cc(A, N), cc(DW)),
    "CC-BY-NC-SA-4.0": (cc(R, D, DW) | DB, cc(A, N, SA), cc(CU)),
    "CC-BY-NC-ND-4.0": (cc(R, D) | DB, cc(A, N), cc(CU, DW)),
    "CC0-1.0": (cc(R, D, DW) | DB, set(), set()),
    "CC-PDM-1.0": (cc(R, D, DW), set(), set()),
    "ODbL-1.0": (cc(R, D, DW) | DB, cc(A, SA), set()),
    "ODC-By-1.0": (cc(R, D, DW) | DB, cc(A), set()),
    "PDDL-1.0": (cc(R, D, DW) | DB, set(), set()),
    "OGL-UK-1.0": (cc(R, D, DW) | DB, cc(A, N), set()),
    "OGL-UK-2.0": (cc(R, D, DW) | DB, cc(A, N), set()),
    "OGL-UK-3.0": (cc(R, D, DW) | DB, cc(A, N), set()),
    "NCGL-UK-2.0": (cc(R, D, DW) | DB, cc(A, N), cc(CU)),
}


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(None)
    report = import_source(store, IRIS, lic.Licences())
    assert report.problems == []
    yield store
    store.close()


def node(spdx_id: str) -> str:
    return checked_iri(str(lic.licence_iri(IRIS, spdx_id)))


def actions(store: EmbeddedStore, spdx_id: str, path: str) -> set[str]:
    rows = store.select(PREFIXES + f"SELECT ?a WHERE {{ {node(spdx_id)} odrl:hasPolicy ?p . ?p {path} ?a }}")
    return {str(r["a"]) for r in rows}


def permits(store: EmbeddedStore, spdx_id: str) -> set[str]:
    return actions(store, spdx_id, "odrl:permission/odrl:action")


def requires(store: EmbeddedStore, spdx_id: str) -> set[str]:
    return actions(store, spdx_id, "odrl:permission/odrl:duty/odrl:action")


def prohibits(store: EmbeddedStore, spdx_id: str) -> set[str]:
    return actions(store, spdx_id, "odrl:prohibition/odrl:action")


def count(store: EmbeddedStore, where: str) -> int:
    return int(store.select(PREFIXES + f"SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE {{ {where} }}")[0]["n"])


@pytest.mark.parametrize("spdx_id", sorted(RULES))
def test_what_each_licence_permits_requires_and_prohibits(store: EmbeddedStore, spdx_id: str) -> None:
    expected_permits, expected_requires, expected_prohibits = RULES[spdx_id]
    assert permits(store, spdx_id) == expected_permits
    assert requires(store, spdx_id) == expected_requires
    assert prohibits(store, spdx_id) == expected_prohibits


def test_every_data_licence_of_the_crosswalk_has_a_policy_and_a_row_here(store: EmbeddedStore) -> None:
    with_policy = {str(r["id"]) for r in store.select(PREFIXES + f"SELECT ?id WHERE {{ ?l skos:inScheme {SCHEME} ; "
                                                                 "skos:notation ?id ; odrl:hasPolicy ?p }")}
    assert with_policy == {row["spdx_id"] for row in lic.crosswalk()} == set(RULES)


def test_by_nc_nd_is_corrected_and_the_upstream_fault_stays_identifiable(store: EmbeddedStore) -> None:
    assert str(CC.ShareAlike) not in requires(store, "CC-BY-NC-ND-4.0")
    assert str(CC.Distribution) in permits(store, "CC-BY-NC-ND-4.0")
    # RDFLicense's own policy is published as it is, under its own IRI
    assert store.ask(PREFIXES + "ASK { <http://purl.org/NET/rdflicense/cc-by-nc-nd4.0> "
                     "odrl:permission/odrl:duty/odrl:action cc:ShareAlike }")
    by_nc_nd = node("CC-BY-NC-ND-4.0")
    notes = store.select(PREFIXES + f"SELECT ?n WHERE {{ {by_nc_nd} odrl:hasPolicy/skos:changeNote ?n }}")
    assert len(notes) == 2 and any("ShareAlike" in str(r["n"]) for r in notes)


def test_licences_permitting_commercial_use_is_one_query(store: EmbeddedStore) -> None:
    rows = store.select(PREFIXES + f"""SELECT ?id WHERE {{ ?l skos:inScheme {SCHEME} ; skos:notation ?id ;
        odrl:hasPolicy ?p . FILTER NOT EXISTS {{ ?p odrl:prohibition/odrl:action cc:CommercialUse }} }}""")
    assert {str(r["id"]) for r in rows} == {i for i, (_, _, no) in RULES.items() if str(CC.CommercialUse) not in no}
    assert "OGL-UK-3.0" in {str(r["id"]) for r in rows} and "CC-BY-NC-4.0" not in {str(r["id"]) for r in rows}


def test_licences_requiring_share_alike_is_one_query(store: EmbeddedStore) -> None:
    rows = store.select(PREFIXES + f"""SELECT DISTINCT ?id WHERE {{ ?l skos:inScheme {SCHEME} ; skos:notation ?id ;
        odrl:hasPolicy/odrl:permission/odrl:duty/odrl:action cc:ShareAlike }}""")
    assert {str(r["id"]) for r in rows} == {"CC-BY-SA-4.0", "CC-BY-NC-SA-4.0", "ODbL-1.0"}


def test_share_alike_binds_adapting_not_copying(store: EmbeddedStore) -> None:
    rows = store.select(PREFIXES + f"""SELECT ?a WHERE {{ {node('CC-BY-SA-4.0')} odrl:hasPolicy/odrl:permission ?perm .
        ?perm odrl:action ?a ; odrl:duty/odrl:action cc:ShareAlike }}""")
    assert {str(r["a"]) for r in rows} == {str(CC.DerivativeWorks)}


@pytest.mark.parametrize("row", [r for r in lic.crosswalk() if r["cc_rdf_file"]], ids=lambda r: r["spdx_id"])
def test_creative_commons_policies_agree_with_ccrel(store: EmbeddedStore, row: dict[str, str]) -> None:
    ccrel = lic.ccrel_graph(row["cc_rdf_file"])
    subject = URIRef(row["licence_iri"])

    def of(prop: URIRef) -> set[str]:
        return {str(o) for o in ccrel.objects(subject, prop)}

    ours_cc = {a for a in permits(store, row["spdx_id"]) if a.startswith(str(CC))}
    assert of(CC.permits) and ours_cc == of(CC.permits)
    assert requires(store, row["spdx_id"]) == of(CC.requires)
    assert of(CC.prohibits) <= prohibits(store, row["spdx_id"])


def test_every_spdx_licence_once_with_flags(store: EmbeddedStore) -> None:
    spdx = json.loads(lic.SPDX_FILE.read_text(encoding="utf-8"))
    with lic.FLAGS_FILE.open(encoding="utf-8") as handle:
        flags = list(csv.DictReader(handle))
    assert count(store, f"?l skos:inScheme {SCHEME} ; a dct:LicenseDocument, skos:Concept") == len(spdx)
    assert count(store, f"?l skos:inScheme {SCHEME} ; skos:exactMatch ?s . "
                        "FILTER(STRSTARTS(STR(?s), 'http://spdx.org/licenses/'))") == len(spdx)
    assert count(store, "?l od:osiApproved true") == sum(1 for v in spdx.values() if v["osiApproved"])
    assert count(store, "?l od:osiApproved false") == sum(1 for v in spdx.values() if not v["osiApproved"])
    assert count(store, "?l od:fsfLibre true") == sum(1 for f in flags if f["fsfLibre"] == "true")
    assert count(store, f"?l skos:inScheme {SCHEME} ; owl:deprecated true") == sum(
        1 for f in flags if f["deprecated"] == "true")
    assert {f["id"] for f in flags} == set(spdx)


def test_licensor_and_rdflicense_iris_are_exact_matches(store: EmbeddedStore) -> None:
    for row in lic.crosswalk():
        for column in ("licence_iri", "rdflicense_iri"):
            if row[column]:
                assert store.ask(PREFIXES + f"ASK {{ {node(row['spdx_id'])} skos:exactMatch "
                                 f"{checked_iri(row[column])} }}"), (row["spdx_id"], column)


def test_plus_ids_get_safe_iris_and_keep_their_notation(store: EmbeddedStore) -> None:
    assert store.ask(PREFIXES + f"ASK {{ {node('GPL-2.0+')} skos:notation 'GPL-2.0+' ; owl:deprecated true }}")
    assert node("GPL-2.0+").endswith("/id/licence/GPL-2.0-plus>")


def test_no_blank_nodes(store: EmbeddedStore) -> None:
    triples = lic.Licences().build(IRIS).triples
    assert not any(isinstance(term, BNode) for triple in triples for term in triple)


def test_every_overlay_correction_says_why_and_changes_something() -> None:
    fixes = corrections()
    assert fixes and all(len(fix.why) > 40 for fix in fixes)
    upstream = parse_rdf(lic.POLICIES_FILE, "turtle")
    rdflicense = {row["spdx_id"]: URIRef(row["rdflicense_iri"]) for row in lic.crosswalk() if row["rdflicense_iri"]}
    for fix in fixes:
        before = rdflicense_rules(upstream, rdflicense[fix.licence])
        after = corrected(rdflicense_rules(upstream, rdflicense[fix.licence]), [fix])
        assert (before.permits, before.duties, before.prohibits, before.source) != (
            after.permits, after.duties, after.prohibits, after.source), fix
    # and in the file itself, every statement is preceded by a '#' comment
    blocks = OVERLAY_FILE.read_text(encoding="utf-8").split("\n[]")[1:]
    preceding = OVERLAY_FILE.read_text(encoding="utf-8").split("\n[]")[:-1]
    assert len(blocks) == len(fixes)
    assert all(chunk.rstrip().splitlines()[-1].startswith("#") for chunk in preceding)


@pytest.mark.parametrize("text, spdx_id", [
    ("CC-BY-4.0", "CC-BY-4.0"), ("cc-by-4.0", "CC-BY-4.0"), ("CC BY 4.0", "CC-BY-4.0"),
    ("CC BY-NC-ND 4.0", "CC-BY-NC-ND-4.0"), ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
    ("http://creativecommons.org/licenses/by/4.0", "CC-BY-4.0"),
    ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "CC-BY-SA-4.0"),
    ("https://creativecommons.org/licenses/by/4.0/legalcode.en", "CC-BY-4.0"),
    ("http://opendatacommons.org/licenses/odbl/1.0/", "ODbL-1.0"),
    ("https://www.opendatacommons.org/licenses/odbl/1.0", "ODbL-1.0"),
    ("ODbL", "ODbL-1.0"), ("Open Government Licence v3.0", "OGL-UK-3.0"), ("OGL v3", "OGL-UK-3.0"),
    ("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", "OGL-UK-3.0"),
    ("http://purl.org/NET/rdflicense/odbl1.0", "ODbL-1.0"), ("http://spdx.org/licenses/MIT", "MIT"),
    ("Creative Commons Attribution 4.0 International", "CC-BY-4.0"), ("CC0", "CC0-1.0"),
    ("http://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0"), ("GPL-2.0+", "GPL-2.0+"),
    ("PDM-1.0", "CC-PDM-1.0"), ("Public Domain Mark 1.0", "CC-PDM-1.0"),
])
def test_licence_iri_resolves(text: str, spdx_id: str) -> None:
    assert licence_iri(IRIS, text) == (str(lic.licence_iri(IRIS, spdx_id)), [])


def test_licence_iri_ambiguous_and_unknown() -> None:
    iri, candidates = licence_iri(IRIS, "OGL")
    assert iri is None and candidates == [str(lic.licence_iri(IRIS, f"OGL-UK-{v}.0")) for v in (1, 2, 3)]
    iri, candidates = licence_iri(IRIS, "CC BY")
    assert iri is None and str(lic.licence_iri(IRIS, "CC-BY-4.0")) in candidates and len(candidates) >= 4
    assert licence_iri(IRIS, "no such licence") == (None, [])
    assert licence_iri(IRIS, "") == (None, [])
