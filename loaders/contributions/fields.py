"""The CSV columns of a contribution: one table that the mapper, the published template and the docs all read.

A column name is matched case-insensitively, with spaces and hyphens read as underscores ("Legal form" is
``legal_form``). Dataset columns repeat per dataset: ``dataset_1_title``, ``dataset_2_title``, ...
(``dataset_title`` is read as ``dataset_1_title``).

>>> canonical_column(" Legal-Form ")
'legal_form'
>>> canonical_column("Dataset Title"), canonical_column("dataset_12_licence")
('dataset_1_title', 'dataset_12_licence')
>>> column_for_path("http://www.w3.org/ns/regorg#orgType")
'legal_form'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
ROV = "http://www.w3.org/ns/regorg#"
ADMS = "http://www.w3.org/ns/adms#"
LOCN = "http://www.w3.org/ns/locn#"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCAT = "http://www.w3.org/ns/dcat#"
ESSGLOBAL = "http://purl.org/essglobal/vocab/"
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    example: str
    required: bool = False
    paths: tuple[str, ...] = ()  # the predicates it becomes (to place a SHACL result in a column)
    many: bool = False  # several values, separated by ';'


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("id", "Our IRI of an organisation we already hold (or its last part, e.g. coops-uk-R000123): the "
           "row then adds to that organisation's record instead of creating one. Leave empty for a new one.",
           ""),
    Column("name", "The name the organisation is known by.", "Solent Health Data Co-op", True,
           (SKOS + "prefLabel",)),
    Column("language", "The language of the name and description, as a two-letter code (en, fr, de...). "
           "Leave empty if unsure.", "en"),
    Column("legal_name", "The name as registered, if it differs.", "Solent Health Data Co-operative Limited",
           paths=(ROV + "legalName",)),
    Column("description", "What the organisation does, in a sentence or two.",
           "A co-operative of patients pooling their health data for research.", paths=(DCT + "description",)),
    Column("country", "Where it is registered or based: a country name, or its two- or three-letter ISO code.",
           "United Kingdom", True, (DCT + "spatial",)),
    Column("legal_form", "Its legal form: an ISO 20275 (ELF) code, or the form's local name or abbreviation in "
           "that country.", "Co-operative Society", paths=(ROV + "orgType",)),
    Column("kind", "What kind of institution it is: data-cooperative, data-trust, data-commons, "
           "platform-cooperative, personal-data-store, open-data-hub, cooperative, network... (several: separate "
           "with ';').", "data-cooperative", paths=(ORG + "classification",), many=True),
    Column("registration_number", "Its number on the register named in 'register' (both or neither).",
           "RS009999", paths=(ROV + "registration", SKOS + "notation")),
    Column("register", "The register that issued the number, e.g. Financial Conduct Authority, Companies House.",
           "Financial Conduct Authority", paths=(ADMS + "schemaAgency",)),
    Column("website", "Its website, starting with http:// or https://.", "https://solent-health-data.example.org/",
           paths=(FOAF + "homepage",)),
    Column("street", "Street and number of its registered address.", "1 Harbour Parade",
           paths=(LOCN + "thoroughfare",)),
    Column("post_code", "Post code of its registered address.", "SO14 0AA", paths=(LOCN + "postCode",)),
    Column("town", "Town or city of its registered address.", "Southampton", paths=(LOCN + "postName",)),
    Column("region", "County or region of its registered address.", "Hampshire", paths=(LOCN + "adminUnitL2",)),
    Column("latitude", "Latitude of its registered site, in decimal degrees (-90 to 90).", "50.9097",
           paths=(GEO + "lat",)),
    Column("longitude", "Longitude of its registered site, in decimal degrees (-180 to 180).", "-1.4044",
           paths=(GEO + "long",)),
    Column("members", "How many members it has (a whole number).", "1200", paths=(ESSGLOBAL + "totalOfMembers",)),
    Column("structure", "ESSGLOBAL organisational structure code, e.g. OS60 (workers co-op), OS100 "
           "(multi-stakeholder).", "OS100", paths=(ESSGLOBAL + "organisationalStructure",)),
    Column("membership_type", "ESSGLOBAL base membership type code, e.g. BMT10 (consumers/users), BMT30 (workers).",
           "BMT40", paths=(ESSGLOBAL + "baseMembershipType",)),
    Column("sector", "ESSGLOBAL (ICA) activity code of its main sector, e.g. ICA140.", "ICA210",
           paths=(ESSGLOBAL + "primarySector",)),
)

DATASET_COLUMNS: tuple[Column, ...] = (
    Column("title", "Title of a dataset the organisation stewards (required when any other column of this "
           "dataset is filled).", "Member-reported waiting times, 2025", paths=(DCT + "title",)),
    Column("description", "What the dataset holds and how it was made.",
           "Aggregated, anonymised waiting-time reports pooled by members.", paths=(DCT + "description",)),
    Column("licence", "Its licence: an SPDX id (CC-BY-4.0, ODbL-1.0, OGL-UK-3.0...), the licence's name or its "
           "URL.", "ODbL-1.0", paths=(DCT + "license",)),
    Column("url", "Where to get or read about the data (http:// or https://).",
           "https://solent-health-data.example.org/data/", paths=(DCAT + "distribution", DCAT + "accessURL")),
    Column("theme", "EU data theme codes, e.g. HEAL (health), ENVI, TRAN, SOCI (several: separate with ';').",
           "HEAL", paths=(DCAT + "theme",), many=True),
    Column("keywords", "Keywords, separated by ';'.", "health; waiting times", paths=(DCAT + "keyword",),
           many=True),
)

BY_NAME = {c.name: c for c in ORGANISATION_COLUMNS}
DATASET_BY_NAME = {c.name: c for c in DATASET_COLUMNS}
REQUIRED = tuple(c.name for c in ORGANISATION_COLUMNS if c.required)
TEMPLATE_DATASETS = 2  # dataset groups shown in the template

_DATASET = re.compile(r"^dataset_(?:(\d+)_)?([a-z_]+)$")
_SEPARATORS = re.compile(r"[\s\-]+")


def canonical_column(header: str) -> str:
    """The column a header means: trimmed, lower case, spaces and hyphens as '_', ``dataset_x`` as dataset 1."""
    name = _SEPARATORS.sub("_", header.strip().lower()).strip("_")
    match = _DATASET.match(name)
    if match and match.group(2) in DATASET_BY_NAME:
        return f"dataset_{match.group(1) or 1}_{match.group(2)}"
    return name


def dataset_column(name: str) -> tuple[int, str] | None:
    """(dataset number, field) for a canonical dataset column, else None."""
    match = _DATASET.match(name)
    if match and match.group(1) and match.group(2) in DATASET_BY_NAME:
        return int(match.group(1)), match.group(2)
    return None


def is_known(name: str) -> bool:
    return name in BY_NAME or dataset_column(name) is not None


def template_columns() -> list[str]:
    names = [c.name for c in ORGANISATION_COLUMNS]
    for n in range(1, TEMPLATE_DATASETS + 1):
        names += [f"dataset_{n}_{c.name}" for c in DATASET_COLUMNS]
    return names


def column_for_path(path: str, *, dataset: bool = False) -> str | None:
    """The column (organisation or dataset field) a predicate comes from, to place a problem."""
    for column in DATASET_COLUMNS if dataset else ORGANISATION_COLUMNS:
        if path in column.paths:
            return column.name
    return None
