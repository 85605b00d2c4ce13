"""What the two catalogue sources (Common Data Index registry, dataportals.org) share: a catalogue record on the IRI
the matching index gives, its owner, the software it runs on, its API endpoints, languages and licence.

A catalogue is a ``dcat:Catalog`` (``{base}id/catalogue/{source prefix}-{id}``) with ``dct:title``,
``foaf:homepage``, ``dct:description``, ``dct:spatial`` (country), ``dct:publisher`` (the owner organisation),
``dct:language`` (EU language authority), ``dct:license`` (the portal's default licence, when it resolves to one of
ours), ``schema:isBasedOn`` the software (``{base}id/software/{id}``, a ``schema:SoftwareApplication``) and one
``dcat:service`` per API endpoint: a ``dcat:DataService`` ``{catalogue}/service/{n}`` with ``dcat:endpointURL`` and
the endpoint's type as ``dct:title``. The same catalogue in both sources is one record (matched on homepage, then
title and country), each source's statements in its own graph.

Owners are organisations classified (``org:classification``) by the kind of owner the source states, a concept of
``{base}def/owner-type`` both sources share, and typed (``dct:type``) with the ADMS publisher type DCAT-AP
recommends where one fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, RDF, SKOS

from graph.iris import Iris
from loaders.matching import Record, wikidata_id
from loaders.resolve import licence_iri
from loaders.sources.directory_common import Directory
from loaders.sources.organisation_common import clean, web_iri

SCHEMA = Namespace("https://schema.org/")
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
OWNER_SCHEME = ("owner-type", "Kinds of owner of data catalogues, as the catalogue registries state them")
#: The sources' owner kinds -> ADMS publisher types (DCAT-AP's vocabulary for dct:type of an agent), where one fits.
ADMS_BY_OWNER_TYPE = {
    "academy": "Academia-ScientificOrganisation", "research": "Academia-ScientificOrganisation",
    "business": "Company", "private sector": "Company",
    "central government": "NationalAuthority", "regional government": "RegionalAuthority",
    "local government": "LocalAuthority", "international": "SupraNationalAuthority",
    "civil society": "NonGovernmentalOrganisation", "third sector": "NonProfitOrganisation",
}
#: Owner kinds that are not formally constituted bodies (``org:Organization`` rather than ``org:FormalOrganization``).
INFORMAL_OWNER_TYPES = {"community"}


@dataclass
class Owner:
    """One owner as a source states it, with every homepage and kind its rows give."""

    name: str
    country: str | None
    sites: list[str]
    kinds: list[str]


def owner_type(d: Directory, kind: str) -> URIRef:
    return d.concept(OWNER_SCHEME[0], Iris.slugify(kind), kind, OWNER_SCHEME[1])


def owner_record(iris: Iris, owner: Owner, own_slug: str) -> tuple[Record, URIRef]:
    record = Record.of(owner.name, countries=[owner.country], websites=owner.sites)
    return record, URIRef(iris.thing("organisation", own_slug))


def catalogue_record(iris: Iris, own_slug: str, title: str, homepage: str, country: str | None,
                     wikidata: str | None) -> tuple[Record, URIRef]:
    record = Record.of(title, countries=[country], websites=[homepage], wikidata=[wikidata], kind="catalogue")
    return record, URIRef(iris.thing("catalogue", own_slug))


def describe_owner(d: Directory, owner: Owner, own_slug: str, row: int, column: str) -> URIRef:
    """The owner organisation, matched to one already known when it can be."""
    kinds = [k for k in dict.fromkeys(owner.kinds) if k]
    informal = bool(kinds) and all(k.casefold() in INFORMAL_OWNER_TYPES for k in kinds)
    record, own = owner_record(d.iris, owner, own_slug)
    org = d.organisation(own, record, [ORG.Organization if informal else ORG.FormalOrganization])
    for site in dict.fromkeys(owner.sites):
        d.homepage(org, site, row, column)
    for kind in kinds:
        d.m.add(org, ORG.classification, owner_type(d, kind))
        adms = ADMS_BY_OWNER_TYPE.get(kind.casefold())
        if adms:
            d.m.add(org, DCTERMS.type, URIRef(ADMS_PUBLISHER_TYPE + adms))
    return org


def describe_catalogue(d: Directory, own_slug: str, title: str, homepage: str, country: str | None,
                       wikidata: str | None, row: int, column: str) -> URIRef:
    """The catalogue's IRI (matched to one already known when it can be), typed and titled, with its homepage."""
    record, own = catalogue_record(d.iris, own_slug, title, homepage, country, wikidata)
    found = d.identified(record, own)
    d.m.triples.extend(found.triples)
    catalogue = found.subject
    if found.match is not None:
        d.m.counts[f"catalogues matched by {found.match.reason}"] += 1
    d.m.add(catalogue, RDF.type, DCAT.Catalog)
    d.m.text(catalogue, DCTERMS.title, title)
    d.homepage(catalogue, homepage, row, column)
    if country:
        d.m.add(catalogue, DCTERMS.spatial, URIRef(country))
    qid = wikidata_id(wikidata or "")
    if qid:
        d.m.add(catalogue, OWL.sameAs, URIRef("http://www.wikidata.org/entity/" + qid))
    return catalogue


def software(d: Directory, catalogue: URIRef, code: str, name: str) -> None:
    """``schema:isBasedOn`` the software the catalogue runs (``{base}id/software/{code}``)."""
    app = URIRef(d.iris.thing("software", code))
    d.m.add(catalogue, SCHEMA.isBasedOn, app)
    d.m.add(app, RDF.type, SCHEMA.SoftwareApplication)
    d.m.add(app, SKOS.prefLabel, d.m.literal(name))
    d.m.counts["with software"] += 1


def endpoint(d: Directory, catalogue: URIRef, number: int, kind: str, url: str, row: int, column: str) -> None:
    """One API endpoint as a ``dcat:DataService`` of the catalogue; a URL the store cannot take is reported."""
    address = web_iri(url)
    if address is None:
        d.m.problem("endpoint is not a web address; not mapped", row, column, url)
        return
    service = URIRef(f"{catalogue}/service/{number}")
    d.m.add(catalogue, DCAT.service, service)
    d.m.add(service, RDF.type, DCAT.DataService)
    d.m.add(service, DCAT.endpointURL, address)
    d.m.text(service, DCTERMS.title, kind or "API")
    d.m.counts["API endpoints"] += 1


def languages(d: Directory, subject: URIRef, codes: str, row: int, column: str) -> None:
    """ISO 639-1 codes (or English names) -> EU language authority IRIs (``dct:language``)."""
    import pycountry

    for code in [c.strip() for c in re.split(r"[;,\s]+", codes or "") if c.strip()]:
        base = code.split("-", 1)[0]
        language = pycountry.languages.get(alpha_2=base.lower()) if len(base) == 2 else \
            pycountry.languages.get(name=base.capitalize())
        if language is None or not getattr(language, "alpha_3", None):
            d.m.problem("not a language code; not mapped", row, column, code)
            continue
        d.m.add(subject, DCTERMS.language, URIRef(EU_LANGUAGE + language.alpha_3.upper()))


#: Licence ids and names of the Open Definition / CKAN licence list that name one licence (each of these licences
#: has a single version); versionless ones such as "cc-by" or "uk-ogl" are left to be reported.
OPEN_DEFINITION_IDS = {
    "odc-odbl": "ODbL-1.0", "odc-pddl": "PDDL-1.0", "odc-by": "ODC-By-1.0", "cc-zero": "CC0-1.0",
    "open data commons - attribution share-alike (open database license)": "ODbL-1.0",
    "open data commons open database license (odbl)": "ODbL-1.0",
    "open data commons - attribution": "ODC-By-1.0", "creative commons - zero": "CC0-1.0",
    "creative commons zero": "CC0-1.0",
    "https://opendatacommons.org/licenses/pddl/1-0/": "PDDL-1.0",
    "https://opendatacommons.org/licenses/odbl/index.html": "ODbL-1.0",
}


@lru_cache(maxsize=4096)
def _licence(base: str, value: str) -> tuple[str | None, tuple[str, ...]]:
    """Resolved once per distinct value: an unresolvable name costs the resolver a fuzzy search."""
    iri, candidates = licence_iri(Iris(base), OPEN_DEFINITION_IDS.get(value.casefold(), value))
    return iri, tuple(candidates)


def licence(d: Directory, subject: URIRef, values: list[tuple[str, str]], row: int) -> None:
    """``dct:license`` from the first of (column, value) that resolves to exactly one licence; else reported."""
    stated = [(column, clean(value)) for column, value in values if clean(value)]
    for _column, value in stated:
        iri, _ = _licence(d.iris.base, value)
        if iri is not None:
            d.m.add(subject, DCTERMS.license, URIRef(iri))
            d.m.counts["with licence"] += 1
            return
    if stated:
        column, value = stated[0]
        _, candidates = _licence(d.iris.base, value)
        extra = {"candidates": list(candidates)} if candidates else {}
        d.m.problem("licence does not name exactly one licence we hold; not mapped", row, column, value, **extra)
        d.m.counts["licence unmapped"] += 1
