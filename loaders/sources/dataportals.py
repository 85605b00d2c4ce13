"""dataportals.org, Open Knowledge's database of open data portals (``portals.csv``, one row per portal).

Each portal is a ``dcat:Catalog`` ``{base}id/catalogue/dataportals-{name}`` described as
``loaders/sources/catalogue_common.py`` says; a portal the Common Data Index registry (or another source) already
describes is the same record, matched on homepage, then title and country, with this source's statements in its
own graph. ``country`` is mostly ISO alpha-2 but also "UK", names and "Global" (no country); the ``chicago``
record is coded ``UK`` although it is Chicago's portal (its ``location`` lies in the US: a test checks), so it is
corrected, as listed in :data:`COUNTRY_FIXES`. ``generator`` names the software (versions such as "CKAN: 2.1.1"
dropped; the registry's ids where the product is the same, so both sources point at one software resource);
``api_endpoint``/``api_type`` the API as a ``dcat:DataService``; ``license_id``/``license_url`` the portal's
default licence (versionless names such as "cc-by" are reported, not guessed); ``issued`` ``dct:issued``;
``tags`` keywords; ``language`` ``dct:language``.

The ``publisher`` (free text) is an organisation ``{base}id/organisation/dataportals-{country}-{slug}`` classified
by ``publisher_classification``, unless it matches one already known by name and country (the file gives no
publisher website); a portal whose publisher is blank has none.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, XSD

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

SOURCE_URL = "https://github.com/okfn/dataportals.org/blob/fb93351c19cbfcd77e2ffb8318ec59496eeb20bc/data/portals.csv"
REQUIRED = ("name", "title", "url", "publisher", "publisher_classification", "country", "generator", "api_endpoint")
#: Portals whose ``country`` is wrong in the file: name -> (the code it should be, why).
COUNTRY_FIXES = {"chicago": "US"}
#: Values of ``country`` that name no country on purpose.
NO_COUNTRY = {"global", "world", "worldwide", "international"}
#: ``generator`` (normalised) -> the Common Data Index software id of the same product.
SOFTWARE_IDS = {"ckan": "ckan", "socrata": "socrata", "arcgis open data": "arcgishub", "arcgis hub": "arcgishub",
                "dkan": "dkan", "opendatasoft": "opendatasoft", "udata": "udata", "entryscape": "entryscape",
                "esri geoportal": "esrigeo", "junar": "junar", "django": "django", "prodige": "prodige",
                "georchestra": "georchestra"}
_VERSION = re.compile(r"[:\s]+v?\d[\w.]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DataPortals:
    """Maps ``portals.csv``; see the module docstring."""

    info = SourceInfo(
        name="dataportals",
        family="source",
        title="dataportals.org: a comprehensive list of open data portals from around the world",
        licence=SPDX + "PDDL-1.0",
        attribution="dataportals.org by the Open Knowledge Foundation and the open data community, under the Open "
                    "Data Commons Public Domain Dedication and Licence (PDDL) 1.0.",
        source_url=SOURCE_URL,
        publisher="Open Knowledge Foundation",
        default_file="dataportals-org/portals.csv",
        matches=True,
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        rows = read_csv(path, REQUIRED, "the dataportals.org portals file")
        d = Directory(iris, known, URIRef(SOURCE_URL))
        countries = [_country(d, row, n) for n, row in enumerate(rows, start=FIRST_ROW)]
        owners: dict[tuple[str, str], Owner] = {}
        for row, country in zip(rows, countries, strict=True):
            publisher = clean(row.get("publisher"))
            kind = clean(row.get("publisher_classification"))
            if publisher:
                owner = owners.setdefault((name_key(publisher) or publisher, country or ""),
                                          Owner(publisher, country, [], []))
                owner.kinds += [kind] if kind else []
        d.plan([catalogue_record(iris, _slug(clean(r.get("name"))), clean(r.get("title")) or clean(r.get("name")),
                                 clean(r.get("url")), c, None) for r, c in zip(rows, countries, strict=True)
                if clean(r.get("name"))]
               + [owner_record(iris, owner, _owner_slug(owner)) for owner in owners.values()])
        publishers: dict[tuple[str, str], URIRef] = {}
        seen: set[str] = set()
        for n, (row, country) in enumerate(zip(rows, countries, strict=True), start=FIRST_ROW):
            name = clean(row.get("name"))
            slug = _slug(name)
            if not name or slug in seen:
                d.m.problem("portal name missing or repeated; row skipped", n, "name", name)
                continue
            seen.add(slug)
            catalogue = describe_catalogue(d, slug, clean(row.get("title")) or name, clean(row.get("url")), country,
                                           None, n, "url")
            _details(d, catalogue, row, n)
            publisher = clean(row.get("publisher"))
            if not publisher:
                d.m.counts["without publisher"] += 1
                continue
            key = (name_key(publisher) or publisher, country or "")
            if key not in publishers:
                publishers[key] = describe_owner(d, owners[key], _owner_slug(owners[key]), n, "publisher")
            d.m.add(catalogue, DCTERMS.publisher, publishers[key])
        d.m.counts["catalogues"] = len(seen)
        d.m.counts["publishers"] = len(publishers)
        return d.m.built()


def _slug(name: str) -> str:
    return "dataportals-" + (name if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,80}", name) else Iris.slugify(name))


def _owner_slug(owner: Owner) -> str:
    return f"dataportals-{(owner.country or 'xx').rsplit('/', 1)[-1]}-{Iris.slugify(owner.name)}"


def _country(d: Directory, row: dict[str, str], n: int) -> str | None:
    text = COUNTRY_FIXES.get(clean(row.get("name")), clean(row.get("country")))
    if not text or text.casefold() in NO_COUNTRY:
        d.m.counts["without country"] += 1
        return None
    iri, candidates = country_iri(d.iris, text)
    if iri is None:
        d.m.problem("unknown country; not mapped", n, "country", text, **({"candidates": candidates} if candidates
                                                                         else {}))
    return iri


def _details(d: Directory, catalogue: URIRef, row: dict[str, str], n: int) -> None:
    m = d.m
    m.text(catalogue, DCTERMS.description, row.get("description"))
    m.add(catalogue, DCTERMS.identifier, m.literal(clean(row["name"])))
    for tag in clean(row.get("tags")).split():
        m.text(catalogue, DCAT.keyword, tag)
    languages(d, catalogue, clean(row.get("language")), n, "language")
    licence(d, catalogue, [("license_url", row.get("license_url", "")), ("license_id", row.get("license_id", ""))],
            n)
    issued = clean(row.get("issued"))
    if _DATE.match(issued):
        m.add(catalogue, DCTERMS.issued, Literal(issued, datatype=XSD.date))
    elif issued:
        m.problem("issued is not a date (YYYY-MM-DD); not mapped", n, "issued", issued)
    generator = clean(row.get("generator"))
    if generator:
        product = _VERSION.sub("", generator.split(",")[0]).strip()
        code = SOFTWARE_IDS.get(name_key(product))
        if code is None and re.fullmatch(r"[A-Za-z][\w .-]{0,30}", product) and "implementation" not in product:
            code = Iris.slugify(product)
        if code is None:
            m.problem("generator does not name a software product; not mapped", n, "generator", generator)
        else:
            software(d, catalogue, code, product)
    api = clean(row.get("api_endpoint"))
    if api:
        endpoint(d, catalogue, 1, clean(row.get("api_type")), api, n, "api_endpoint")
