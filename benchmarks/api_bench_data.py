"""Generated organisations for the API benchmark, in the shape Co-operatives UK records take in our graph.

Each organisation has the real source's statements (types, name, country, kinds, ESSGLOBAL codes, a registered
site with its address and coordinates, a registration identifier, its source) and some have a legal form, a
description or published datasets under a real licence. Seeded: the same count always gives the same file.
"""

from __future__ import annotations

import random
from pathlib import Path

from graph.iris import Iris

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
ROV = "http://www.w3.org/ns/regorg#"
LOCN = "http://www.w3.org/ns/locn#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
ADMS = "http://www.w3.org/ns/adms#"
DCAT = "http://www.w3.org/ns/dcat#"
ESS = "http://purl.org/essglobal/"
XSD = "http://www.w3.org/2001/XMLSchema#"
KIND = "https://ourdata.coop/def/institution-kind/"

COUNTRIES = ["gb"] * 12 + ["fr", "de", "es", "it", "nl", "be", "ie", "at", "dk", "se", "no", "pt", "us", "ca"]
KINDS = ["cooperative", "community-benefit-society", "data-cooperative", "platform-cooperative", "data-trust",
         "open-data-hub", "network"]
FORMS = ["ZZGG", "IYXU", "17R0", "XLZV", "WBQU", None, None, None]
LICENCES = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "ODbL-1.0", "OGL-UK-3.0", "CC0-1.0", "MIT"]
WORDS = ["Community", "Energy", "Housing", "Workers", "Data", "Food", "Farmers", "Credit", "Union", "Platform",
         "Digital", "Health", "Commons", "Solidarity", "Mutual", "Green", "Transport", "Care", "Media", "Bakery",
         "Brewery", "Football", "Allotment", "Solar", "Wind", "Bike", "Bookshop", "Childcare", "Café", "Coopérative"]
PLACES = ["Manchester", "Leeds", "Bristol", "Glasgow", "Cardiff", "Belfast", "Lyon", "Berlin", "Bilbao", "Bologna",
          "Utrecht", "Gent", "Cork", "Graz", "Aarhus", "Malmö", "Bergen", "Porto", "Oakland", "Montréal"]
SUFFIXES = ["Co-operative Limited", "Co-op", "Society Ltd", "CIC", "Community Benefit Society", "Cooperative"]


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write(path: Path, count: int, *, seed: int = 7, base: str = "https://ourdata.coop/") -> int:
    """Writes ``count`` organisations (and their datasets) as N-Quads into ``path``; returns the quad count."""
    iris = Iris(base)
    rng = random.Random(seed)
    graph = f"<{iris.graph('source', 'bench-organisations')}>"
    meta = f"<{iris.meta_graph}>"
    quads = 0
    with path.open("w", encoding="utf-8") as out:
        def emit(s: str, p: str, o: str, g: str = graph) -> None:
            nonlocal quads
            out.write(f"{s} <{p}> {o} {g} .\n")
            quads += 1

        emit(graph, PROVENANCE_TIME, f'"2025-01-01T00:00:00Z"^^<{XSD}dateTime>', meta)
        for n in range(count):
            slug = f"bench-{n:07d}"
            org = f"<{iris.thing('organisation', slug)}>"
            name = f"{rng.choice(PLACES)} {rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
            country = rng.choice(COUNTRIES)
            emit(org, RDF, f"<{ORG}FormalOrganization>")
            emit(org, RDF, f"<{ROV}RegisteredOrganization>")
            emit(org, SKOS + "prefLabel", _literal(name))
            emit(org, DCT + "spatial", f"<{iris.thing('country', country)}>")
            for kind in {rng.choice(KINDS[:2]), rng.choice(KINDS)}:
                emit(org, ORG + "classification", f"<{KIND}{kind}>")
            form = rng.choice(FORMS) if country == "gb" else None
            if form:
                emit(org, ROV + "orgType", f"<{iris.thing('legal-form', form)}>")
            emit(org, ESS + "vocab/organisationalStructure",
                 f"<{ESS}standard/organisational-structure/OS{rng.choice([60, 80, 90, 100, 130])}>")
            emit(org, ESS + "vocab/primarySector", f"<{ESS}standard/activities-ica/ICA{rng.randrange(10, 290, 10)}>")
            if rng.random() < 0.2:
                emit(org, DCT + "description", _literal(f"A {name.lower()} owned by its members in "
                                                        f"{rng.choice(PLACES)}.") + "@en")
            site = f"<{iris.thing('organisation', slug)}/site/registered>"
            address = f"<{iris.thing('organisation', slug)}/site/registered/address>"
            emit(org, ORG + "hasRegisteredSite", site)
            emit(site, RDF, f"<{ORG}Site>")
            emit(site, LOCN + "address", address)
            emit(site, GEO + "lat", f'"{rng.uniform(36, 60):.5f}"^^<{XSD}decimal>')
            emit(site, GEO + "long", f'"{rng.uniform(-9, 20):.5f}"^^<{XSD}decimal>')
            emit(address, RDF, f"<{LOCN}Address>")
            emit(address, LOCN + "postName", _literal(rng.choice(PLACES)))
            emit(address, LOCN + "postCode", _literal(f"X{rng.randrange(1, 99)} {rng.randrange(1, 9)}AB"))
            ident = f"<{iris.thing('organisation', slug)}/identifier/bench>"
            emit(org, ADMS + "identifier", ident)
            emit(ident, RDF, f"<{ADMS}Identifier>")
            emit(ident, SKOS + "notation", _literal(f"B{n:07d}"))
            if rng.random() < 0.05:
                for d in range(rng.randrange(1, 4)):
                    dataset = f"<{iris.thing('dataset', f'{slug}-{d}')}>"
                    emit(dataset, RDF, f"<{DCAT}Dataset>")
                    emit(dataset, DCT + "title", _literal(f"{name} open data {d}") + "@en")
                    emit(dataset, DCT + "publisher", org)
                    emit(dataset, DCT + "license", f"<{iris.thing('licence', rng.choice(LICENCES))}>")
    return quads


PROVENANCE_TIME = "http://www.w3.org/ns/prov#generatedAtTime"
