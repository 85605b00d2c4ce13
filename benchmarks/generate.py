"""A seeded generator of benchmark data in the shape of our model, written as N-Quads.

Reference data (countries, regions, legal forms, licences with ODRL policies, institution kinds) goes into
``{base}graph/reference/bench``; organisations with their sites, addresses and registrations into
``{base}graph/source/bench``; datasets and distributions into ``{base}graph/source/bench-datasets``;
a little provenance into ``{base}graph/meta``. Organisations and datasets are added until the requested
number of triples is reached, so the same ``--triples`` and ``--seed`` always give the same file.

    .venv/bin/python -m benchmarks.generate --triples 1000000 --seed 42 --out /tmp/bench.nq
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from graph.iris import Iris

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
ROV = "http://www.w3.org/ns/regorg#"
ADMS = "http://www.w3.org/ns/adms#"
LOCN = "http://www.w3.org/ns/locn#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
DCAT = "http://www.w3.org/ns/dcat#"
ODRL = "http://www.w3.org/ns/odrl/2/"
CC = "http://creativecommons.org/ns#"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
DGA = "https://w3id.org/dpv/legal/eu/dga#"
ESS = "http://purl.org/essglobal/"
OD = "https://ourdata.coop/def/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"

#: alpha-2, alpha-3, English name, (local name, language), centre latitude, longitude, regions
COUNTRIES = [
    ("gb", "GBR", "United Kingdom", ("United Kingdom", "en"), 53.0, -1.5, ("europe", "northern-europe")),
    ("ie", "IRL", "Ireland", ("Éire", "ga"), 53.2, -8.0, ("europe", "eu", "eea", "northern-europe")),
    ("fr", "FRA", "France", ("France", "fr"), 46.6, 2.4, ("europe", "eu", "eea", "western-europe")),
    ("de", "DEU", "Germany", ("Deutschland", "de"), 51.1, 10.4, ("europe", "eu", "eea", "western-europe")),
    ("nl", "NLD", "Netherlands", ("Nederland", "nl"), 52.2, 5.5, ("europe", "eu", "eea", "western-europe")),
    ("be", "BEL", "Belgium", ("België", "nl"), 50.6, 4.6, ("europe", "eu", "eea", "western-europe")),
    ("es", "ESP", "Spain", ("España", "es"), 40.3, -3.7, ("europe", "eu", "eea", "southern-europe")),
    ("it", "ITA", "Italy", ("Italia", "it"), 42.8, 12.6, ("europe", "eu", "eea", "southern-europe")),
    ("pt", "PRT", "Portugal", ("Portugal", "pt"), 39.6, -8.0, ("europe", "eu", "eea", "southern-europe")),
    ("gr", "GRC", "Greece", ("Ελλάδα", "el"), 39.1, 22.0, ("europe", "eu", "eea", "southern-europe")),
    ("at", "AUT", "Austria", ("Österreich", "de"), 47.6, 14.1, ("europe", "eu", "eea", "western-europe")),
    ("ch", "CHE", "Switzerland", ("Schweiz", "de"), 46.8, 8.2, ("europe", "western-europe")),
    ("dk", "DNK", "Denmark", ("Danmark", "da"), 56.0, 10.0, ("europe", "eu", "eea", "northern-europe")),
    ("se", "SWE", "Sweden", ("Sverige", "sv"), 62.0, 15.0, ("europe", "eu", "eea", "northern-europe")),
    ("no", "NOR", "Norway", ("Norge", "nb"), 61.0, 9.0, ("europe", "eea", "northern-europe")),
    ("fi", "FIN", "Finland", ("Suomi", "fi"), 63.0, 26.0, ("europe", "eu", "eea", "northern-europe")),
    ("pl", "POL", "Poland", ("Polska", "pl"), 52.0, 19.4, ("europe", "eu", "eea", "eastern-europe")),
    ("cz", "CZE", "Czechia", ("Česko", "cs"), 49.8, 15.5, ("europe", "eu", "eea", "eastern-europe")),
    ("hu", "HUN", "Hungary", ("Magyarország", "hu"), 47.2, 19.5, ("europe", "eu", "eea", "eastern-europe")),
    ("ro", "ROU", "Romania", ("România", "ro"), 45.9, 25.0, ("europe", "eu", "eea", "eastern-europe")),
    ("us", "USA", "United States", ("United States", "en"), 39.8, -98.6, ("americas", "northern-america")),
    ("ca", "CAN", "Canada", ("Canada", "fr"), 56.1, -106.3, ("americas", "northern-america")),
    ("br", "BRA", "Brazil", ("Brasil", "pt"), -10.3, -53.2, ("americas", "latin-america")),
    ("ar", "ARG", "Argentina", ("Argentina", "es"), -34.0, -64.0, ("americas", "latin-america")),
    ("in", "IND", "India", ("भारत", "hi"), 22.0, 79.0, ("asia", "southern-asia")),
    ("jp", "JPN", "Japan", ("日本", "ja"), 36.2, 138.3, ("asia", "eastern-asia")),
    ("ke", "KEN", "Kenya", ("Kenya", "sw"), 0.2, 37.9, ("africa", "eastern-africa")),
    ("za", "ZAF", "South Africa", ("South Africa", "en"), -29.0, 24.0, ("africa", "southern-africa")),
    ("au", "AUS", "Australia", ("Australia", "en"), -25.3, 133.8, ("oceania",)),
    ("nz", "NZL", "New Zealand", ("Aotearoa", "mi"), -41.0, 174.0, ("oceania",)),
]
#: regions that are narrower than another region (sub-region -> continent)
REGION_PARENTS = {"northern-europe": "europe", "western-europe": "europe", "southern-europe": "europe",
                  "eastern-europe": "europe", "eu": "europe", "eea": "europe", "northern-america": "americas",
                  "latin-america": "americas", "southern-asia": "asia", "eastern-asia": "asia",
                  "eastern-africa": "africa", "southern-africa": "africa"}
INSTITUTION_KINDS = ["data-cooperative", "data-trust", "data-commons", "platform-cooperative", "personal-data-store",
                     "open-data-hub", "community-benefit-society", "data-collaborative", "data-altruism-organisation",
                     "data-intermediary", "cooperative", "network"]
KIND_WEIGHTS = [10, 4, 4, 8, 2, 3, 8, 3, 2, 3, 50, 3]
#: SPDX id, title, commercial use allowed, share-alike, attribution
LICENCES = [
    ("CC-BY-4.0", "Creative Commons Attribution 4.0", True, False, True),
    ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0", True, True, True),
    ("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0", False, False, True),
    ("CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0", False, True, True),
    ("CC0-1.0", "Creative Commons Zero v1.0 Universal", True, False, False),
    ("ODbL-1.0", "Open Data Commons Open Database License v1.0", True, True, True),
    ("ODC-By-1.0", "Open Data Commons Attribution License v1.0", True, False, True),
    ("PDDL-1.0", "Open Data Commons Public Domain Dedication and License v1.0", True, False, False),
    ("OGL-UK-3.0", "Open Government Licence v3.0", True, False, True),
    ("DL-DE-BY-2.0", "Data licence Germany - attribution - version 2.0", True, False, True),
    ("etalab-2.0", "Etalab Open License 2.0", True, False, True),
    ("CDLA-Permissive-2.0", "Community Data License Agreement Permissive 2.0", True, False, True),
]
THEMES = ["AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO", "REGI", "SOCI",
          "TECH", "TRAN"]
MEDIA_TYPES = [("text/csv", "CSV"), ("application/json", "JSON"), ("application/ld+json", "JSON-LD"),
               ("text/turtle", "Turtle"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
               ("application/geo+json", "GeoJSON")]
STRUCTURES = ["OS100", "OS110", "OS115", "OS120", "OS130", "OS140"]
MEMBERSHIP = ["BMT10", "BMT20", "BMT30", "BMT40"]
SECTORS = ["A", "C", "D", "F", "G", "J", "K", "M", "P", "Q", "S"]
WORDS = ["Green", "Open", "Common", "Civic", "Local", "Northern", "River", "Valley", "Harbour", "Mountain", "Solar",
         "Health", "Farm", "Town", "City", "People's", "Workers'", "Riders'", "Makers'", "Citizens'", "Energy",
         "Mobility", "Food", "Data", "Digital", "Housing", "Care", "Forest", "Coastal", "Union"]
SUFFIXES = ["Co-operative", "Data Co-op", "Data Trust", "Commons", "Collective", "Society", "Network", "Platform"]
AGENCIES = ["Financial Conduct Authority", "Companies House", "Registre du commerce", "Handelsregister",
            "Kamer van Koophandel", "Registro Mercantil", "Registro delle imprese", "Bolagsverket"]


@dataclass
class Generated:
    """What the workloads need to know about the generated data."""

    triples: int
    organisations: int
    datasets: int
    seconds: float


class _Writer:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.count = 0
        self.graph = ""

    def __call__(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> {o} {self.graph} .\n")
        self.count += 1


def iri(value: str) -> str:
    return f"<{value}>"


def text(value: str, lang: str | None = None) -> str:
    return f'"{value}"@{lang}' if lang else f'"{value}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def _code(rng: random.Random, used: set[str]) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while True:
        code = "".join(rng.choice(alphabet) for _ in range(4))
        if code not in used:
            used.add(code)
            return code


def _reference(w: _Writer, iris: Iris, rng: random.Random) -> dict[str, list[str]]:
    """Regions, countries, legal forms (six per country), licences and kinds; returns legal forms by country."""
    for region in sorted(set(REGION_PARENTS) | set(REGION_PARENTS.values()) | {"oceania"}):
        r = iris.thing("region", region)
        w(r, RDF_TYPE, iri(SKOS + "Concept"))
        w(r, SKOS + "inScheme", iri(iris.definition("region")))
        w(r, SKOS + "prefLabel", text(region.replace("-", " ").title(), "en"))
        if region in REGION_PARENTS:
            w(r, SKOS + "broader", iri(iris.thing("region", REGION_PARENTS[region])))
    forms: dict[str, list[str]] = {}
    used: set[str] = set()
    for alpha2, alpha3, name, (local, lang), _lat, _long, regions in COUNTRIES:
        c = iris.thing("country", alpha2)
        w(c, RDF_TYPE, iri(SKOS + "Concept"))
        w(c, SKOS + "inScheme", iri(iris.definition("country")))
        w(c, SKOS + "notation", text(alpha2.upper()))
        w(c, DCT + "identifier", text(alpha3))
        w(c, SKOS + "prefLabel", text(name, "en"))
        if lang != "en":
            w(c, SKOS + "prefLabel", text(local, lang))
        w(c, SKOS + "exactMatch", iri(EU_COUNTRY + alpha3))
        for region in regions:
            w(c, SKOS + "broader", iri(iris.thing("region", region)))
        forms[alpha2] = []
        for n, (label, abbr) in enumerate([("Co-operative Society", "COOP"), ("Limited Company", "LTD"),
                                           ("Community Benefit Society", "CBS"), ("Foundation", "FDN"),
                                           ("Association", "ASSN"), ("Public Limited Company", "PLC")]):
            code = _code(rng, used)
            f = iris.thing("legal-form", code)
            forms[alpha2].append(f)
            w(f, RDF_TYPE, iri(SKOS + "Concept"))
            w(f, SKOS + "inScheme", iri(iris.definition("legal-form")))
            w(f, SKOS + "notation", text(code))
            w(f, SKOS + "prefLabel", text(f"{label} ({name})", "en"))
            if lang != "en":
                w(f, SKOS + "prefLabel", text(f"{local} {label.lower()}", lang))
            w(f, SKOS + "altLabel", text(abbr, lang))
            w(f, DCT + "spatial", iri(c))
            w(f, SKOS + "exactMatch", iri(f"https://rdf.gleif.org/EntityLegalForm/ELF-{code}"))
            if n == 5 and rng.random() < 0.3:
                w(f, OWL + "deprecated", typed("true", "boolean"))
    for spdx, title, commercial, share_alike, attribution in LICENCES:
        lic = iris.thing("licence", spdx)
        policy = lic + "/policy"
        w(lic, RDF_TYPE, iri(DCT + "LicenseDocument"))
        w(lic, RDF_TYPE, iri(SKOS + "Concept"))
        w(lic, SKOS + "inScheme", iri(iris.definition("licence")))
        w(lic, SKOS + "notation", text(spdx))
        w(lic, DCT + "title", text(title, "en"))
        w(lic, SKOS + "exactMatch", iri(f"http://spdx.org/licenses/{spdx}"))
        w(lic, ODRL + "hasPolicy", iri(policy))
        w(policy, RDF_TYPE, iri(ODRL + "Set"))
        actions = [("permission", ODRL + "reproduce"), ("permission", ODRL + "distribute"),
                   ("permission" if commercial else "prohibition", CC + "CommercialUse")]
        actions += [("duty", CC + "ShareAlike")] if share_alike else []
        actions += [("duty", CC + "Attribution")] if attribution else []
        for n, (rule, action) in enumerate(actions, start=1):
            r = f"{policy}/{rule}/{n}"
            w(policy, ODRL + rule, iri(r))
            w(r, ODRL + "action", iri(action))
    for kind in INSTITUTION_KINDS:
        k = iris.definition("institution-kind", kind)
        w(k, RDF_TYPE, iri(SKOS + "Concept"))
        w(k, SKOS + "inScheme", iri(iris.definition("institution-kind")))
        w(k, SKOS + "prefLabel", text(kind.replace("-", " ").capitalize(), "en"))
    return forms


def _organisation(w: _Writer, iris: Iris, rng: random.Random, n: int, forms: dict[str, list[str]],
                  source: str) -> str:
    country = rng.choices(COUNTRIES, weights=[12 if c[0] in ("gb", "fr", "de", "es", "it") else
                                              4 if "europe" in c[6] else 1 for c in COUNTRIES])[0]
    alpha2, _alpha3, cname, _local, lat, long, _regions = country
    kind = rng.choices(INSTITUTION_KINDS, weights=KIND_WEIGHTS)[0]
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {n}"
    o = iris.thing("organisation", f"bench-{n:07d}")
    w(o, RDF_TYPE, iri(ORG + "FormalOrganization"))
    registered = rng.random() < 0.8
    if registered:
        w(o, RDF_TYPE, iri(ROV + "RegisteredOrganization"))
    if kind == "data-cooperative":
        w(o, RDF_TYPE, iri(DGA + "DataCooperative"))
    w(o, SKOS + "prefLabel", text(name, "en"))
    w(o, ROV + "legalName", text(name + " Limited"))
    w(o, DCT + "description", text(f"{name} is a {kind.replace('-', ' ')} based in {cname}.", "en"))
    w(o, FOAF + "homepage", iri(f"https://org{n}.example.org/"))
    w(o, DCT + "spatial", iri(iris.thing("country", alpha2)))
    if rng.random() < 0.9:
        w(o, ROV + "orgType", iri(rng.choice(forms[alpha2])))
    w(o, ORG + "classification", iri(iris.definition("institution-kind", kind)))
    structure = ESS + "standard/organisational-structure/" + rng.choice(STRUCTURES)
    w(o, ESS + "vocab/organisationalStructure", iri(structure))
    w(o, ESS + "vocab/baseMembershipType", iri(ESS + "standard/base-membership-type/" + rng.choice(MEMBERSHIP)))
    w(o, ESS + "vocab/primarySector", iri(ESS + "standard/activities-ica/" + rng.choice(SECTORS)))
    w(o, ESS + "vocab/totalOfMembers", typed(rng.randint(3, 20000), "integer"))
    w(o, DCT + "modified", typed(f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date"))
    w(o, DCT + "source", iri(source))
    site, address = o + "/site/registered", o + "/site/registered/address"
    w(o, ORG + "hasRegisteredSite", iri(site))
    w(site, RDF_TYPE, iri(ORG + "Site"))
    w(site, LOCN + "address", iri(address))
    w(site, GEO + "lat", typed(round(lat + rng.uniform(-3, 3), 5), "decimal"))
    w(site, GEO + "long", typed(round(long + rng.uniform(-4, 4), 5), "decimal"))
    unit = rng.randrange(24)
    w(address, RDF_TYPE, iri(LOCN + "Address"))
    w(address, LOCN + "postCode", text(f"{alpha2.upper()}-{rng.randint(1000, 99999)}"))
    w(address, LOCN + "postName", text(f"{cname} Town {unit * 10 + rng.randrange(10)}"))
    w(address, LOCN + "adminUnitL2", text(f"{cname} County {unit}"))
    w(address, LOCN + "thoroughfare", text(f"{rng.randint(1, 300)} {rng.choice(WORDS)} Street"))
    if registered:
        reg = o + "/registration/1"
        w(o, ROV + "registration", iri(reg))
        w(reg, RDF_TYPE, iri(ADMS + "Identifier"))
        w(reg, SKOS + "notation", text(f"{alpha2.upper()}{rng.randint(100000, 9999999)}"))
        w(reg, ADMS + "schemaAgency", text(rng.choice(AGENCIES)))
    return o


def _dataset(w: _Writer, iris: Iris, rng: random.Random, n: int, publisher: str) -> None:
    d = iris.thing("dataset", f"bench-{n:07d}")
    spdx = rng.choices(LICENCES, weights=[20, 8, 6, 3, 10, 10, 3, 2, 8, 3, 3, 2])[0][0]
    licence = iris.thing("licence", spdx)
    theme = rng.choice(THEMES)
    w(d, RDF_TYPE, iri(DCAT + "Dataset"))
    w(d, DCT + "title", text(f"{theme.title()} records {n} of {rng.choice(WORDS)} members", "en"))
    w(d, DCT + "description", text(f"Pooled {theme.lower()} data contributed by members, release {n % 17}.", "en"))
    w(d, DCT + "publisher", iri(publisher))
    w(d, DCT + "license", iri(licence))
    w(d, DCAT + "theme", iri(THEME + theme))
    if rng.random() < 0.3:
        w(d, DCAT + "theme", iri(THEME + rng.choice([t for t in THEMES if t != theme])))
    w(d, DCT + "issued", typed(f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "date"))
    w(d, DCAT + "keyword", text(rng.choice(WORDS).lower(), "en"))
    for k in range(1, 1 + rng.choice((1, 1, 2, 3))):
        dist = f"{d}/distribution/{k}"
        media, label = rng.choice(MEDIA_TYPES)
        w(d, DCAT + "distribution", iri(dist))
        w(dist, RDF_TYPE, iri(DCAT + "Distribution"))
        w(dist, DCAT + "downloadURL", iri(f"https://files.example.org/{n}/{k}.{label.lower()}"))
        w(dist, DCAT + "mediaType", iri(f"http://www.iana.org/assignments/media-types/{media}"))
        w(dist, DCT + "format", text(label))
        w(dist, DCT + "license", iri(licence))
        w(dist, DCAT + "byteSize", typed(rng.randint(1000, 10**9), "nonNegativeInteger"))


def generate(out: IO[str], *, triples: int, seed: int, base: str = "https://ourdata.coop/") -> Generated:
    """Writes at least ``triples`` quads (stopping after the organisation that reaches the count)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    iris = Iris(base)
    w = _Writer(out)
    reference, orgs, datasets = (iris.graph("reference", "bench"), iris.graph("source", "bench"),
                                 iris.graph("source", "bench-datasets"))
    w.graph = iri(reference)
    forms = _reference(w, iris, rng)
    n_orgs = n_datasets = 0
    while w.count < triples:
        w.graph = iri(orgs)
        publisher = _organisation(w, iris, rng, n_orgs, forms, orgs)
        n_orgs += 1
        w.graph = iri(datasets)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            _dataset(w, iris, rng, n_datasets, publisher)
            n_datasets += 1
    w.graph = iri(iris.meta_graph)
    for graph in (reference, orgs, datasets):
        w(graph, RDF_TYPE, iri(PROV + "Entity"))
        w(graph, PROV + "wasAttributedTo", iri(base + "id/agent/benchmark-generator"))
        w(graph, PROV + "generatedAtTime", typed("2025-01-01T00:00:00Z", "dateTime"))
        w(graph, DCT + "license", iri(iris.thing("licence", "CC0-1.0")))
    return Generated(w.count, n_orgs, n_datasets, time.perf_counter() - started)


def generate_file(path: Path, *, triples: int, seed: int, base: str = "https://ourdata.coop/") -> Generated:
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        return generate(out, triples=triples, seed=seed, base=base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--base", default="https://ourdata.coop/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    g = generate_file(args.out, triples=args.triples, seed=args.seed, base=args.base)
    print(f"{g.triples:,} quads ({g.organisations:,} organisations, {g.datasets:,} datasets) "
          f"in {g.seconds:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
