"""The Common Data Index registry of data catalogues: every UK catalogue, and European civil-society and community
catalogues (``catalogs-gb-and-european-civil-society.csv``, one row per catalogue).

Each row is a ``dcat:Catalog`` ``{base}id/catalogue/cdi-{id}`` (the registry's own id), described as
``loaders/sources/catalogue_common.py`` says; besides: the registry's catalogue type as ``dct:type`` (a concept of
``{base}def/catalogue-type``), EU data themes from ``topics`` (``eudatatheme:GOVE`` -> the EU authority IRI; ISO
19115 topic categories become keywords), ``tags`` as keywords, access mode as ``dct:accessRights`` (EU access-right
authority: open -> PUBLIC, restricted -> RESTRICTED; mixed modes are not mapped), the registry's Wikidata item
(``owl:sameAs``; it is the catalogue's item, not its owner's), re3data id (``rdfs:seeAlso``) and the record's
YAML file as ``dct:source``.

Owners are one organisation per (normalised name, country): ``{base}id/organisation/cdi-{country}-{slug}``, or
the IRI another source already gave the same body (a council in Open Data Scotland, a co-operative in
Co-operatives UK). The three records whose owner is a private individual (name withheld) get no publisher.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, RDFS

from graph.iris import Iris
from loaders.matching import Known, name_key
from loaders.resolve import country_iri
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.catalogue_common import (
    Owner,
    catalogue_record,
    describe_catalogue,
    describe_owner,
    endpoint,
    languages,
    licence,
    owner_record,
    software,
)
from loaders.sources.directory_common import FIRST_ROW, Directory, read_csv
from loaders.sources.organisation_common import SPDX, clean

COMMIT = "08638eaf604fd1ab31bd4e5de00492dd26fe9eac"
SOURCE_URL = f"https://github.com/commondataio/dataportals-registry/tree/{COMMIT}/data/entities"
RECORD_URL = f"https://github.com/commondataio/dataportals-registry/blob/{COMMIT}/"
REQUIRED = ("id", "name", "link", "catalog_type", "owner_name", "owner_type", "owner_link", "country", "endpoints")
WITHHELD = "(individual; name withheld)"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_THEMES = frozenset({"AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "OP_DATPRO", "REGI",
                       "SOCI", "TECH", "TRAN"})
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
ACCESS_BY_MODE = {"open": "PUBLIC", "public": "PUBLIC", "restricted": "RESTRICTED"}
TYPE_SCHEME = ("catalogue-type", "Types of data catalogue, as the Common Data Index registry states them")


class CommonDataIndex:
    """Maps the registry extract; see the module docstring."""

    info = SourceInfo(
        name="common-data-index",
        family="source",
        title="Common Data Index registry of data catalogues: the UK and European civil-society catalogues",
        licence=SPDX + "CC-BY-4.0",
        attribution="Contains data from the Common Data Index (dataportals-registry, Dateno community) under "
                    "CC BY 4.0.",
        source_url=SOURCE_URL,
        publisher="Common Data Index / Dateno",
        default_file="data-catalogs-registry/catalogs-gb-and-european-civil-society.csv",
        matches=True,
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        rows = read_csv(path, REQUIRED, "a Common Data Index registry extract")
        d = Directory(iris, known, URIRef(SOURCE_URL))
        countries = {code: country_iri(iris, code)[0] for code in {clean(r.get("country")) for r in rows}}
        owners = _owners(rows, countries)
        d.plan([catalogue_record(iris, "cdi-" + clean(r["id"]), clean(r["name"]), clean(r.get("link")),
                                 countries.get(clean(r.get("country"))), r.get("wikidata_id"))
                for r in rows if _usable(clean(r.get("id")))]
               + [owner_record(iris, owner, _owner_slug(owner)) for owner in owners.values()])
        owner_iris: dict[tuple[str, str], URIRef] = {}
        seen: set[str] = set()
        for n, row in enumerate(rows, start=FIRST_ROW):
            ident = clean(row.get("id"))
            if not ident or ident in seen or not _usable(ident):
                d.m.problem("catalogue id missing, repeated or not usable in an IRI; row skipped", n, "id", ident)
                continue
            seen.add(ident)
            country = countries.get(clean(row.get("country")))
            if country is None:
                d.m.problem("unknown country; not mapped", n, "country", row.get("country"))
            catalogue = describe_catalogue(d, "cdi-" + ident, clean(row["name"]), clean(row.get("link")), country,
                                           row.get("wikidata_id"), n, "link")
            _details(d, catalogue, row, n)
            key = _owner_key(row, country)
            if key is None:
                d.m.counts["owner withheld"] += 1
                continue
            if key not in owner_iris:
                owner_iris[key] = describe_owner(d, owners[key], _owner_slug(owners[key]), n, "owner_link")
            d.m.add(catalogue, DCTERMS.publisher, owner_iris[key])
        d.m.counts["catalogues"] = len(seen)
        d.m.counts["owners"] = len(owner_iris)
        return d.m.built()


def _owner_slug(owner: Owner) -> str:
    return f"cdi-{(owner.country or 'xx').rsplit('/', 1)[-1]}-{Iris.slugify(owner.name)}"


def _usable(ident: str) -> bool:
    if not ident:
        return False
    try:
        Iris.checked_slug("cdi-" + ident)
    except Exception:  # noqa: BLE001 - BadRequest: not IRI-safe
        return False
    return True


def _owner_key(row: dict[str, str], country: str | None) -> tuple[str, str] | None:
    name = clean(row.get("owner_name"))
    if not name or name == WITHHELD:
        return None
    return name_key(name) or name, country or ""


def _owners(rows: list[dict[str, str]], countries: dict[str, str | None]) -> dict[tuple[str, str], Owner]:
    """Every owner with all the homepages and kinds its rows give (first spelling of the name wins)."""
    owners: dict[tuple[str, str], Owner] = {}
    for row in rows:
        country = countries.get(clean(row.get("country")))
        key = _owner_key(row, country)
        if key is None:
            continue
        owner = owners.setdefault(key, Owner(clean(row["owner_name"]), country, [], []))
        if clean(row.get("owner_link")):
            owner.sites.append(clean(row["owner_link"]))
        owner.kinds.append(clean(row.get("owner_type")))
    return owners


def _details(d: Directory, catalogue: URIRef, row: dict[str, str], n: int) -> None:
    m = d.m
    m.text(catalogue, DCTERMS.description, row.get("description"))
    m.add(catalogue, DCTERMS.identifier, m.literal(clean(row["id"])))
    kind = clean(row.get("catalog_type"))
    if kind:
        m.add(catalogue, DCTERMS.type, d.concept(TYPE_SCHEME[0], Iris.slugify(kind), kind, TYPE_SCHEME[1]))
    if clean(row.get("software_id")) == "custom":
        m.counts["custom software (not linked)"] += 1
    elif clean(row.get("software_id")):
        software(d, catalogue, Iris.slugify(clean(row["software_id"])), clean(row.get("software_name")) or
                 clean(row["software_id"]))
    for number, pair in enumerate(clean(row.get("endpoints")).split(), start=1):
        kind_, _, url = pair.partition("=")
        endpoint(d, catalogue, number, kind_, url, n, "endpoints")
    for topic in clean(row.get("topics")).split(";"):
        scheme, _, code = topic.strip().partition(":")
        if scheme == "eudatatheme" and code in EU_THEMES:
            m.add(catalogue, DCAT.theme, URIRef(EU_THEME + code))
        elif scheme == "eudatatheme":
            m.problem("not an EU data theme; not mapped", n, "topics", topic)
        elif code:
            m.text(catalogue, DCAT.keyword, code, lang="en")
    for tag in clean(row.get("tags")).split(";"):
        m.text(catalogue, DCAT.keyword, tag.strip())
    languages(d, catalogue, clean(row.get("langs")), n, "langs")
    licence(d, catalogue, [("license_url", row.get("license_url", "")), ("license_id", row.get("license_id", "")),
                           ("license_name", row.get("license_name", ""))], n)
    access = ACCESS_BY_MODE.get(clean(row.get("access_mode")).lower())
    if access:
        m.add(catalogue, DCTERMS.accessRights, URIRef(ACCESS_RIGHT + access))
    elif clean(row.get("access_mode")):
        m.counts["access mode not mapped (mixed)"] += 1
    re3data = clean(row.get("re3data_id"))
    if re3data:
        m.add(catalogue, RDFS.seeAlso, URIRef("https://www.re3data.org/repository/" + re3data))
    path = clean(row.get("registry_path"))
    if path:
        m.add(catalogue, DCTERMS.source, URIRef(RECORD_URL + path))
