"""Co-operatives UK open data (2023 Q2, in the Solidarity Economy Association's ESSGLOBAL-coded CSV).

One organisation per row, ``{base}id/organisation/coops-uk-{Identifier}``, so re-importing replaces rather than
duplicates. ``Legal Form`` is coarse ("Society" covers co-operative and community benefit societies): it is kept as
text and ``rov:orgType`` is set only where the value names exactly one GB ELF code. Coordinates are the postcode
centroid Co-operatives UK gives (``Geo Container Latitude/Longitude``); the row's own ``Latitude``/``Longitude`` win
when present.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG

from graph.errors import BadRequest
from graph.iris import Iris
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.organisation_common import (
    ADMS,
    ESSGLOBAL,
    ESSGLOBAL_STANDARD,
    ROV,
    SPDX,
    Mapping,
    clean,
    decimal_literal,
    institution_kind,
    web_iri,
)
from ontology.vocab import OD

SOURCE_URL = ("https://github.com/SolidarityEconomyAssociation/open-data/blob/"
              "687a2af65a65284eb5fe4deb63b5ba4b0245b543/workers-coop/standard.Q2-2023.postcodes.csv")
SEA_ESSGLOBAL = "https://dev.lod.coop/essglobal/2.1/standard/"

#: ``Legal Form`` values that name exactly one ELF code in GB (checked against the ELF v1.6 CSV by a test).
GB_LEGAL_FORMS = {
    "Community Interest Company": "17R0",
    "LLP": "Z0EY",
    "Scottish Charitable Incorporated Organisation": "STX7",
}
#: Why the other values are not mapped: each is reported with its row, never guessed.
AMBIGUOUS_LEGAL_FORMS = {
    "Society": "covers co-operative, community benefit and other registered societies (ZZGG, IYXU, XLZV, ...)",
    "Company": "covers private companies limited by shares or by guarantee (H0PO, 4GJI, ...)",
    "Unincorporated": "not a registered form (an unincorporated association, TRWS, or a partnership)",
    "Limited Partnership": "covers ordinary and private fund limited partnerships (ID30, 4HTX)",
}
#: ESSGLOBAL columns: (column, property, scheme of its codes).
ESSGLOBAL_COLUMNS = (
    ("Organisational Structure", ESSGLOBAL.organisationalStructure, "organisational-structure"),
    ("Primary Activity", ESSGLOBAL.primarySector, "activities-ica"),
    ("Activities", ESSGLOBAL.economicSector, "activities-ica"),
    ("Membership Type", ESSGLOBAL.baseMembershipType, "base-membership-type"),
)
# No institution kind is derived from the organisational structure: ESSGLOBAL's OS130 means
# "Community Benefit Society / Industrial and Provident Society", which in this file covers ~6,000
# registered societies, most of them co-operative societies, so calling them all community benefit
# societies would be a guess. The structure itself is kept (essglobal:organisationalStructure).
COOPERATIVE, CLASSIFICATION = institution_kind("cooperative"), ORG.classification
IDENTIFIER, REGISTRATION, ORG_TYPE, HOMEPAGE = ADMS.identifier, ROV.registration, ROV.orgType, FOAF.homepage
LEGAL_FORM_TEXT, OWNERSHIP = OD.legalFormText, OD.ownershipClassification
REQUIRED_COLUMNS = ("Identifier", "Name", "Legal Form", "Country ID", "Organisational Structure")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,60}$")
_CODE = re.compile(r"^[A-Z]{2,4}[0-9]{1,4}$")
FIRST_ROW = 2  # rows are numbered as a spreadsheet shows them: the header is row 1


class CoopsUk:
    """Maps the Co-operatives UK CSV; see the module docstring for what is and is not mapped."""

    info = SourceInfo(
        name="coops-uk",
        family="source",
        title="Co-operatives UK open data, 2023 Q2",
        licence=SPDX + "ODC-By-1.0",
        attribution="Contains Co-operatives UK open data (2023 Q2) under the Open Data Commons Attribution "
                    "License v1.0; ESSGLOBAL coding by the Solidarity Economy Association.",
        source_url=SOURCE_URL,
        publisher="Co-operatives UK",
        default_file="coops-uk/coops-uk-open-data-2023Q2-sea-standard.csv",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        mapping = Mapping(iris)
        source = URIRef(self.info.source_url)
        essglobal_cache: dict[str, URIRef] = {}
        seen: set[str] = set()
        for row_number, row in enumerate(read_rows(path), start=FIRST_ROW):
            identifier = clean(row.get("Identifier"))
            if not _IDENTIFIER.match(identifier):
                mapping.problem("identifier missing or not usable in an IRI; row skipped", row_number,
                                "Identifier", identifier)
                continue
            if identifier in seen:
                mapping.problem("identifier repeated; row skipped", row_number, "Identifier", identifier)
                continue
            seen.add(identifier)
            map_row(mapping, iris, row, row_number, identifier, source, essglobal_cache)
        mapping.counts["organisations"] = len(seen)
        return mapping.built()


def read_rows(path: Path) -> list[dict[str, str]]:
    """The CSV's records (quoted multi-line addresses kept whole); BadRequest when it is not this CSV."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BadRequest(f"{path.name} is not a Co-operatives UK CSV: missing columns {', '.join(missing)}.")
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(f"Cannot read {path}: {exc}") from exc


def map_row(m: Mapping, iris: Iris, row: dict[str, str], n: int, identifier: str, source: URIRef,
            essglobal_cache: dict[str, URIRef]) -> None:
    org = URIRef(iris.thing("organisation", f"coops-uk-{identifier}"))
    legal_form = clean(row.get("Legal Form"))
    m.organisation(org, row.get("Name", ""), registered=legal_form not in ("", "Unincorporated"), source=source)
    m.add(org, CLASSIFICATION, COOPERATIVE)
    m.identifier(org, IDENTIFIER, "identifier/coops-uk", identifier, "Co-operatives UK")
    country = clean(row.get("Country ID"))
    m.country(org, country, n, "Country ID")
    _legal_form(m, iris, org, legal_form, country, n)
    _registration(m, org, clean(row.get("Companies House Number")), country, n)
    for column, prop, scheme in ESSGLOBAL_COLUMNS:
        for value in clean(row.get(column)).replace(";", ",").split(","):
            concept = _essglobal(m, value.strip(), scheme, n, column, essglobal_cache)
            if concept is not None:
                m.add(org, prop, concept)
    m.text(org, OWNERSHIP, row.get("Ownership Classification"))
    website = clean(row.get("Website"))
    if website:
        homepage = web_iri(website)
        if homepage is None:
            m.problem("website is not a web address; not mapped", n, "Website", website)
        else:
            m.add(org, HOMEPAGE, homepage)
    _site(m, org, row, n)


def _legal_form(m: Mapping, iris: Iris, org: URIRef, value: str, country: str, n: int) -> None:
    if not value:
        m.counts["without legal form"] += 1
        return
    m.add(org, LEGAL_FORM_TEXT, m.literal(value))
    code = GB_LEGAL_FORMS.get(value) if country == "GB" else None
    if code is not None:
        m.add(org, ORG_TYPE, URIRef(iris.thing("legal-form", code)))
        m.counts["legal form mapped"] += 1
        return
    reason = AMBIGUOUS_LEGAL_FORMS.get(value, "no ELF code is known to match it")
    if country != "GB":
        reason = f"only GB legal forms are mapped; the organisation is in {country or 'an unknown country'}"
    m.problem(f"legal form not mapped to an ELF code: {reason}", n, "Legal Form", value)
    m.counts["legal form unmapped"] += 1


def _registration(m: Mapping, org: URIRef, number: str, country: str, n: int) -> None:
    """The Companies House number as the organisation's legal registration (``rov:registration``)."""
    if not number:
        return
    if country != "GB":  # e.g. Jersey: the column then holds another register's number
        m.problem("registration number outside GB: register unknown, kept without agency", n,
                  "Companies House Number", number)
    agency = "Companies House" if country == "GB" else None
    m.identifier(org, REGISTRATION, "registration/companies-house", number, agency)
    m.counts["with Companies House number"] += 1


def _essglobal(m: Mapping, value: str, scheme: str, n: int, column: str, cache: dict[str, URIRef]) -> URIRef | None:
    """SEA's ``dev.lod.coop/essglobal/2.1`` IRI rewritten to the ESSGLOBAL concept IRI with the same code."""
    if not value:
        return None
    concept = cache.get(value)
    if concept is not None:
        return concept
    for prefix in (SEA_ESSGLOBAL, ESSGLOBAL_STANDARD):
        if value.startswith(prefix + scheme + "/"):
            code = value[len(prefix) + len(scheme) + 1:]
            if _CODE.match(code):
                concept = cache[value] = URIRef(f"{ESSGLOBAL_STANDARD}{scheme}/{code}")
                return concept
    m.problem(f"not an ESSGLOBAL {scheme} concept; not mapped", n, column, value)
    return None


def _site(m: Mapping, org: URIRef, row: dict[str, Any], n: int) -> None:
    lat = decimal_literal(row.get("Latitude"), -90, 90)
    long = decimal_literal(row.get("Longitude"), -180, 180)
    if lat is None or long is None:
        lat = decimal_literal(row.get("Geo Container Latitude"), -90, 90)
        long = decimal_literal(row.get("Geo Container Longitude"), -180, 180)
        if lat is not None and long is not None:
            m.counts["coordinates from postcode centroid"] += 1
    if (lat is None) != (long is None):
        m.problem("latitude without longitude (or the reverse); coordinates not mapped", n, "Latitude",
                  row.get("Latitude") or row.get("Geo Container Latitude"))
        lat = long = None
    site = m.site(org, "registered", registered=True, thoroughfare=row.get("Street Address", ""),
                  post_name=row.get("Locality", ""), post_code=row.get("Postcode", ""),
                  admin_unit_l2=row.get("Region", ""), admin_unit_l1=row.get("Country ID", ""), lat=lat, long=long)
    container = web_iri(row.get("Geo Container"))
    if site is not None and container is not None:
        m.add(site, DCTERMS.spatial, container)  # the OS postcode unit: a join key for UK federation
    if lat is not None:
        m.counts["with coordinates"] += 1
