"""Solid pod providers and organisations using Solid: services, their operators (one per website), the
personal-data-store classification, and the faults of the page reported rather than guessed."""

from __future__ import annotations

import csv
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS

from graph.iris import Iris
from loaders.sources.base import DATA_DIR
from loaders.sources.solid import Solid
from ontology.vocab import INSTITUTION_KIND

IRIS = Iris("https://ourdata.coop/")
PDS = URIRef(INSTITUTION_KIND["personal-data-store"])
FOLDER = DATA_DIR / "solid-pod-providers"


def read(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    return Solid().build(IRIS)


def site(url: str) -> str:
    return url.lower().split("://", 1)[-1].removeprefix("www.").rstrip("/")


def test_services_and_their_operators(built) -> None:
    services, organisations = read("hosted-pod-services.csv"), read("solid-organisations.csv")
    data_services = {s for s, p, o in built.triples if p == RDF.type and o == DCAT.DataService}
    assert len(data_services) == len(services) == built.counts["pod services"] == 12
    assert built.counts["organisations using Solid"] == len(organisations) == 9
    # one organisation per website; Digita's service row has a typo for a website, so it joins by name
    sites = {site(r["url"]) for r in organisations} | {site(r["organisation_url"]) for r in services
                                                        if r["organisation_url"] != "https://digita.ia/"}
    assert built.counts["organisations"] == len(sites)
    publishers = {o for s, p, o in built.triples if p == DCTERMS.publisher}
    classified = {s for s, p, o in built.triples if p == ORG.classification and o == PDS}
    assert publishers <= classified
    providers = {IRIS.thing("organisation", "solid-" + Iris.slugify(r["name"])) for r in organisations
                 if "pod provider" in r["type"].lower()}
    assert {URIRef(p) for p in providers} <= classified
    engineering = URIRef(IRIS.thing("organisation", "solid-ponder-source"))
    assert engineering not in classified


def test_page_faults_are_reported(built) -> None:
    assert {(p["column"], p["value"]) for p in built.problems} == {("organisation_url", "https://digita.ia/"),
                                                                   ("hosting_location", "Asia Pacific")}
    meisdata = URIRef(IRIS.thing("organisation", "solid-meisdata"))
    assert (meisdata, SKOS.altLabel, next(o for s, p, o in built.triples if p == SKOS.altLabel)) in built.triples
    eu = URIRef(IRIS.thing("region", "eu"))
    hosted_in_eu = sum(bool(re.search(r"\bEU\b", r["hosting_location"])) for r in read("hosted-pod-services.csv"))
    assert sum(1 for s, p, o in built.triples if p == DCTERMS.spatial and o == eu) == hosted_in_eu
