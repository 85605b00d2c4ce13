"""Open Data Scotland: the datasets Scottish public bodies publish, their distributions, licences and publishers.

Four CSVs exported from the JKAN site's front matter (see ``loaders/data/open-data-scotland/PROVENANCE.md``):

- each dataset is a ``dcat:Dataset`` ``{base}id/dataset/ods-{slug of dataset_id}``, its resources ``dcat:Distribution``
  ``{dataset}/distribution/{n}`` in file order; ``dct:license`` is our licence concept (the licence URL resolved by
  :func:`loaders.resolve.licence_iri`, else the SPDX id the file adds). A licence we cannot resolve is reported;
  when it is a web page (the Scottish Parliament's copyright policy, rightsstatements.org statements) it is kept as
  ``dct:rights``, never as a licence. "No licence" and "Custom licence: ..." are reported, nothing is stated.
- each publisher is an ``org:FormalOrganization`` ``{base}id/organisation/ods-{org_id}`` in GB, ``owl:sameAs`` its
  Wikidata item (unless the file gives the same item to several publishers: reported), ``dct:spatial`` its ONS GSS
  area, classified by the site's publisher type (a small scheme ``{base}def/ods-organisation-type``); its data
  portal is a ``dcat:Catalog``. Eight publishers named by datasets are missing from ``organizations.csv``: they are
  kept as ``org:Organization`` with their name only, and reported.
- the site's 17 categories are ``dcat:keyword``s; those that name one EU data theme are also ``dcat:theme``.

One record per organisation: a publisher (or portal, or Open Data Scotland itself) that another source already
holds, matched by Wikidata item, website or name in GB (:mod:`loaders.matching`), is described on that source's IRI;
ours stays as an ``owl:sameAs`` alias with the reason. The GSS code is an area, not the body's identifier, so it is
not used to match.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, XSD

from graph.errors import BadRequest
from graph.iris import Iris
from loaders.identify import identify
from loaders.matching import Kind, Known, Record
from loaders.resolve import licence_iri
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.dcat_terms import DCAT, EU_DATA_THEME, file_type
from loaders.sources.organisation_common import SPDX, Mapping, clean, web_iri

FOLDER = "open-data-scotland"
SOURCE_URL = "https://github.com/OpenDataScotland/jkan/tree/18db5bf988aee7c78d0d699b2828ad3366bae5bf"
HOMEPAGE = "https://opendata.scot/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
WIKIDATA = "http://www.wikidata.org/entity/"
FILES = {"datasets": "datasets.csv", "distributions": "distributions.csv", "organisations": "organizations.csv",
         "licences": "licences.csv"}
REQUIRED = {"datasets": ("dataset_id", "title", "organization", "license", "license_spdx", "categories"),
            "distributions": ("dataset_id", "name", "format", "url"),
            "organisations": ("org_id", "title", "type", "wikidata_org_qid", "gss_code"),
            "licences": ("license", "label")}
#: Site category -> EU data themes. Left out on purpose (kept as keywords only): "Housing and Estates", "Parks /
#: Recreation" and "Tourism" each straddle several themes; "Uncategorised" says nothing.
THEMES = {
    "Council and Government": ("GOVE",), "Elections / Politics": ("GOVE",), "Transportation": ("TRAN",),
    "Business and Economy": ("ECON",), "Budget / Finance": ("ECON",), "Health and Social Care": ("HEAL",),
    "Education": ("EDUC",), "Sport and Leisure": ("EDUC",), "Arts / Culture / History": ("EDUC",),
    "Law and Licensing": ("JUST",), "Public Safety": ("JUST",), "Food and Environment": ("ENVI",),
    "Planning and Development": ("REGI",),
}
NOT_A_KEYWORD = {"Uncategorised"}
NO_LICENCE = "no licence"
_GSS = re.compile(r"^[EWSNKLM][0-9]{8}$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_NOT_SLUG = re.compile(r"[^A-Za-z0-9._~-]")
FIRST_ROW = 2  # the header is row 1, as a spreadsheet shows it
#: Terms resolved once: attribute access on an rdflib namespace builds a new URIRef each time (~100,000 uses).
TYPE = RDF.type
DATASET = DCAT.Dataset
DISTRIBUTION = DCAT.Distribution
HAS_DISTRIBUTION = DCAT.distribution
HAS_DATASET = DCAT.dataset
ACCESS_URL = DCAT.accessURL
KEYWORD = DCAT.keyword
THEME = DCAT.theme
LANDING_PAGE = DCAT.landingPage
IDENTIFIER = DCTERMS.identifier
SOURCE_OF = DCTERMS.source
TITLE = DCTERMS.title
DESCRIPTION = DCTERMS.description
PUBLISHER = DCTERMS.publisher
LICENSE = DCTERMS.license
FORMAT = DCTERMS["format"]
ISSUED = DCTERMS.issued
MODIFIED = DCTERMS.modified


class OpenDataScotland:
    """Maps the Open Data Scotland CSVs; see the module docstring."""

    info = SourceInfo(
        name="open-data-scotland",
        family="source",
        title="Open Data Scotland: datasets, distributions and publishers (2024-10-18)",
        licence=SPDX + "MIT",
        attribution="Contains records from Open Data Scotland (opendata.scot, a Code The City project; MIT licence), "
                    "restating the catalogue metadata of Scottish public bodies. Each dataset's own licence is "
                    "stated on the dataset.",
        source_url=SOURCE_URL,
        publisher="Open Data Scotland",
        default_file=f"{FOLDER}/datasets.csv",
        matches=True,  # publishers and portals another source holds are described on its IRI (loaders/matching.py)
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        """``file`` is ``datasets.csv`` (the other three CSVs are read beside it) or the folder holding all four."""
        folder = DATA_DIR / FOLDER if file is None else (file if file.is_dir() else file.parent)
        tables = {name: read_table(folder / filename, name) for name, filename in FILES.items()}
        m = Mapping(iris)
        publishers = map_organisations(m, iris, tables["organisations"], known)
        map_datasets(m, iris, tables, publishers, known)
        return m.built()


def read_table(path: Path, name: str) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED[name] if c not in (reader.fieldnames or [])]
            if missing:
                raise BadRequest(f"{path.name} is not Open Data Scotland's {name} CSV: missing {', '.join(missing)}.")
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(f"Cannot read {path}: {exc}") from exc


def _problem(m: Mapping, file: str, message: str, row: int, column: str, value: Any, **extra: Any) -> None:
    m.problem(message, row, column, value, file=file, **extra)


# ------------------------------------------------------------------ publishers
def map_organisations(m: Mapping, iris: Iris, rows: list[dict[str, str]], known: Known | None) -> dict[str, URIRef]:
    """Publishers by title (how datasets name them) -> the IRI their statements are about."""
    file = FILES["organisations"]
    gb = URIRef(iris.thing("country", "gb"))
    qids = Counter(clean(r["wikidata_org_qid"]) for r in rows if clean(r["wikidata_org_qid"]))
    types: dict[str, URIRef] = {}
    publishers: dict[str, URIRef] = {}
    for n, row in enumerate(rows, start=FIRST_ROW):
        org_id, title = clean(row["org_id"]), clean(row["title"])
        slug = "ods-" + _NOT_SLUG.sub("", org_id)
        own = URIRef(iris.thing("organisation", slug))
        if not org_id or title in publishers or own in publishers.values():
            _problem(m, file, "organisation id or title missing or repeated; row skipped", n, "org_id", org_id)
            continue
        qid = clean(row["wikidata_org_qid"])
        if qid and (not _QID.match(qid) or qids[qid] > 1):
            reason = "not a Wikidata item id" if not _QID.match(qid) else \
                f"the same Wikidata item is given to {qids[qid]} publishers, so it cannot identify this one"
            _problem(m, file, f"{reason}; owl:sameAs not stated", n, "wikidata_org_qid", qid)
            qid = ""
        homepage = web_iri(row.get("org_url"))
        if clean(row.get("org_url")) and homepage is None:
            _problem(m, file, "not a web address; foaf:homepage not stated", n, "org_url", row.get("org_url"))
        org = _identified(m, known, own, title, gb, homepage, qid)
        publishers[title] = org
        m.organisation(org, title, registered=False, source=URIRef(SOURCE_URL))
        m.add(org, DCTERMS.identifier, Literal(org_id))
        m.text(org, DCTERMS.description, row.get("description"))
        m.add(org, DCTERMS.spatial, gb)
        if homepage is not None:
            m.add(org, FOAF.homepage, homepage)
        if qid:
            m.add(org, OWL.sameAs, URIRef(WIKIDATA + qid))
            m.counts["publishers with Wikidata item"] += 1
        _area(m, org, clean(row["gss_code"]), n)
        for text in (t.strip() for t in clean(row["type"]).split(";")):
            if text:
                m.add(org, ORG.classification, _type_concept(m, iris, types, text))
        _portal(m, iris, org, slug, row, n, known)
    m.counts["publishers"] = len(publishers)
    return publishers


def _identified(m: Mapping, known: Known | None, own: URIRef, title: str, gb: URIRef | None, homepage: URIRef | None,
                qid: str = "", kind: Kind = "organisation") -> URIRef:
    """The IRI to describe a publisher (or catalogue) with: one another source already holds, else our own."""
    if known is None:
        return own
    record = Record.of(title, countries=[str(gb or "")], websites=[str(homepage or "")], wikidata=[qid], kind=kind)
    found = identify(known, record, own)
    if found.match is not None:
        m.triples.extend(found.triples)
        m.counts[f"{kind}s matched ({found.match.reason})"] += 1
    return found.subject


def _area(m: Mapping, org: URIRef, code: str, n: int) -> None:
    if not code:
        return
    if not _GSS.match(code):
        _problem(m, FILES["organisations"], "not an ONS GSS code; area not stated", n, "gss_code", code)
        return
    m.add(org, DCTERMS.spatial, URIRef(GSS + code))
    m.counts["publishers with GSS area"] += 1


def _type_concept(m: Mapping, iris: Iris, types: dict[str, URIRef], text: str) -> URIRef:
    concept = types.get(text)
    if concept is None:
        scheme = URIRef(iris.definition("ods-organisation-type"))
        if not types:
            m.add(scheme, RDF.type, SKOS.ConceptScheme)
            m.add(scheme, SKOS.prefLabel, Literal("Open Data Scotland publisher types", lang="en"))
            m.add(scheme, DCTERMS.source, URIRef(SOURCE_URL))
        concept = types[text] = URIRef(iris.definition("ods-organisation-type", iris.slugify(text)))
        m.add(concept, RDF.type, SKOS.Concept)
        m.add(concept, SKOS.inScheme, scheme)
        m.add(concept, SKOS.topConceptOf, scheme)
        m.add(concept, SKOS.prefLabel, Literal(text, lang="en"))
    return concept


def _portal(m: Mapping, iris: Iris, org: URIRef, slug: str, row: dict[str, str], n: int, known: Known | None) -> None:
    """The publisher's own data portal as a ``dcat:Catalog`` (the site gives its address, not its name)."""
    url = clean(row.get("portal_url"))
    if not url:
        return
    homepage = web_iri(url)
    if homepage is None:
        _problem(m, FILES["organisations"], "not a web address; portal not stated", n, "portal_url", url)
        return
    portal = _identified(m, known, URIRef(iris.thing("catalogue", slug)), "", None, homepage, kind="catalogue")
    m.add(portal, RDF.type, DCAT.Catalog)
    m.add(portal, FOAF.homepage, homepage)
    m.add(portal, DCTERMS.publisher, org)
    m.add(portal, DCTERMS.source, URIRef(SOURCE_URL))
    qid = clean(row.get("wikidata_portal_qid"))
    if _QID.match(qid):
        m.add(portal, OWL.sameAs, URIRef(WIKIDATA + qid))
    m.counts["publisher portals"] += 1


def _unlisted_publisher(m: Mapping, iris: Iris, publishers: dict[str, URIRef], name: str, n: int) -> URIRef:
    """A publisher a dataset names that ``organizations.csv`` does not list: its name is all we know."""
    org = publishers.get(name)
    if org is None:
        org = publishers[name] = URIRef(iris.thing("organisation", "ods-" + iris.slugify(name)))
        m.add(org, RDF.type, ORG.Organization)
        m.add(org, SKOS.prefLabel, Literal(name))
        m.add(org, DCTERMS.source, URIRef(SOURCE_URL))
        m.counts["publishers not in organizations.csv"] += 1
    _problem(m, FILES["datasets"], "publisher not listed in organizations.csv; kept with its name only", n,
             "organization", name)
    return org


# ------------------------------------------------------------------ datasets
def dataset_slugs(rows: list[dict[str, str]]) -> dict[str, str]:
    """``dataset_id`` -> a slug: the id's words; ids whose words coincide get a short hash of the id each."""
    words = {r["dataset_id"]: Iris.slugify(unquote_plus(r["dataset_id"]), max_length=160) for r in rows}
    shared = Counter(words.values())
    return {i: f"{w}-{hashlib.sha1(i.encode()).hexdigest()[:8]}" if shared[w] > 1 else w for i, w in words.items()}


def map_datasets(m: Mapping, iris: Iris, tables: dict[str, list[dict[str, str]]],
                 publishers: dict[str, URIRef], known: Known | None = None) -> None:
    rows = tables["datasets"]
    slugs = dataset_slugs(rows)
    labels = {clean(r["license"]): clean(r["label"]) for r in tables["licences"]}
    distributions: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for n, row in enumerate(tables["distributions"], start=FIRST_ROW):
        distributions[row["dataset_id"]].append((n, row))
    listed = set(publishers)
    catalogue = _catalogue(m, iris, known)
    source = URIRef(SOURCE_URL)
    resolved: dict[str, tuple[str | None, list[str]]] = {}
    seen: set[str] = set()
    for n, row in enumerate(rows, start=FIRST_ROW):
        dataset_id = row["dataset_id"]
        if not dataset_id or dataset_id in seen:
            _problem(m, FILES["datasets"], "dataset id missing or repeated; row skipped", n, "dataset_id", dataset_id)
            continue
        seen.add(dataset_id)
        dataset = URIRef(iris.thing("dataset", "ods-" + slugs[dataset_id]))
        m.add(dataset, TYPE, DATASET)
        m.add(dataset, IDENTIFIER, Literal(dataset_id))
        m.add(dataset, SOURCE_OF, source)
        m.add(catalogue, HAS_DATASET, dataset)
        m.text(dataset, TITLE, row["title"])
        m.text(dataset, DESCRIPTION, row.get("description"))
        name = clean(row["organization"])
        if name:
            org = publishers[name] if name in listed else _unlisted_publisher(m, iris, publishers, name, n)
            m.add(dataset, PUBLISHER, org)
        else:
            _problem(m, FILES["datasets"], "no publisher", n, "organization", "")
        _licence(m, iris, dataset, row, n, labels, resolved)
        _themes(m, dataset, clean(row["categories"]))
        for column, prop in (("date_created", ISSUED), ("date_updated", MODIFIED)):
            _date(m, dataset, prop, clean(row.get(column)), n, column)
        landing = clean(row.get("original_dataset_link"))
        if landing:
            page = web_iri(landing)
            if page is None:
                _problem(m, FILES["datasets"], "not a web address; dcat:landingPage not stated", n,
                         "original_dataset_link", landing)
            else:
                m.add(dataset, LANDING_PAGE, page)
        parts = distributions.pop(dataset_id, [])
        for index, (dn, drow) in enumerate(parts, start=1):
            _distribution(m, dataset, index, drow, dn)
        stated = clean(row.get("n_resources"))
        if stated and stated != str(len(parts)):
            _problem(m, FILES["datasets"], f"says {stated} resources, distributions.csv has {len(parts)}", n,
                     "n_resources", stated)
    for dataset_id, parts in distributions.items():
        for dn, _ in parts:
            _problem(m, FILES["distributions"], "no such dataset in datasets.csv; row skipped", dn, "dataset_id",
                     dataset_id)
    m.counts["datasets"] = len(seen)


def _catalogue(m: Mapping, iris: Iris, known: Known | None) -> URIRef:
    """Open Data Scotland itself, the catalogue every dataset here is listed in."""
    gb = URIRef(iris.thing("country", "gb"))
    catalogue = _identified(m, known, URIRef(iris.thing("catalogue", FOLDER)), "Open Data Scotland", gb,
                            URIRef(HOMEPAGE), kind="catalogue")
    m.add(catalogue, TYPE, DCAT.Catalog)
    m.add(catalogue, TITLE, Literal("Open Data Scotland"))
    m.add(catalogue, FOAF.homepage, URIRef(HOMEPAGE))
    m.add(catalogue, DCTERMS.spatial, gb)
    m.add(catalogue, SOURCE_OF, URIRef(SOURCE_URL))
    return catalogue


def _licence(m: Mapping, iris: Iris, dataset: URIRef, row: dict[str, str], n: int, labels: dict[str, str],
             resolved: dict[str, tuple[str | None, list[str]]]) -> None:
    text, spdx = clean(row["license"]), clean(row["license_spdx"])
    file = FILES["datasets"]
    if not text or text.casefold() == NO_LICENCE:
        _problem(m, file, "no licence stated; dct:license not stated", n, "license", text)
        m.counts["datasets without licence"] += 1
        return
    for key in (text, spdx):
        if key and key not in resolved:
            resolved[key] = licence_iri(iris, key)
    iri, candidates = resolved[text]
    from_spdx = resolved[spdx][0] if spdx else None
    if iri is not None and from_spdx is not None and iri != from_spdx:
        _problem(m, file, f"the licence URL means {iri} but license_spdx says {spdx}; not stated", n, "license",
                 text)
        m.counts["datasets without licence"] += 1
        return
    if iri is not None or from_spdx is not None:
        m.add(dataset, LICENSE, URIRef(iri or str(from_spdx)))
        m.counts["licence from its URL" if iri else "licence from license_spdx"] += 1
        return
    m.counts["datasets without licence"] += 1
    page = web_iri(text)
    if page is None:
        extra = {"candidates": candidates} if candidates else {}
        _problem(m, file, "not a licence we can identify; dct:license not stated", n, "license", text, **extra)
        return
    _problem(m, file, "not a licence we describe (no SPDX id); kept as dct:rights, not as dct:license", n,
             "license", text)
    m.add(dataset, DCTERMS.rights, page)
    m.add(page, TYPE, DCTERMS.RightsStatement)
    if labels.get(text):
        m.add(page, RDFS.label, m.literal(labels[text], "en"))


def _themes(m: Mapping, dataset: URIRef, categories: str) -> None:
    for category in (c.strip() for c in categories.split(";")):
        if not category or category in NOT_A_KEYWORD:
            continue
        m.add(dataset, KEYWORD, m.literal(category, "en"))
        for code in THEMES.get(category, ()):
            m.add(dataset, THEME, URIRef(EU_DATA_THEME + code))


def _date(m: Mapping, subject: URIRef, prop: URIRef, text: str, n: int, column: str) -> None:
    if not text:
        return
    try:
        date.fromisoformat(text)
    except ValueError:
        _problem(m, FILES["datasets"], "not a date (YYYY-MM-DD); not stated", n, column, text)
        return
    m.add(subject, prop, Literal(text, datatype=XSD.date))


def _distribution(m: Mapping, dataset: URIRef, index: int, row: dict[str, str], n: int) -> None:
    distribution = URIRef(f"{dataset}/distribution/{index}")
    m.add(dataset, HAS_DISTRIBUTION, distribution)
    m.add(distribution, TYPE, DISTRIBUTION)
    m.text(distribution, TITLE, row.get("name"))
    url = clean(row.get("url"))
    access = web_iri(url)
    if access is None and " " in url and web_iri(quote(url, safe=":/?#[]@!$&'()*+,;=%~")) is not None:
        access = web_iri(quote(url, safe=":/?#[]@!$&'()*+,;=%~"))
        _problem(m, FILES["distributions"], "web address with spaces; stated with each space written %20", n, "url",
                 url)
    if access is None:
        _problem(m, FILES["distributions"], "not a web address; dcat:accessURL not stated", n, "url", url)
    else:
        m.add(distribution, ACCESS_URL, access)
    text = clean(row.get("format"))
    if text and text != "No file type":
        kind = file_type(text)
        m.add(distribution, FORMAT, kind if kind is not None else m.literal(text))
        m.counts["formats as EU file types" if kind is not None else "formats kept as text"] += 1
    m.counts["distributions"] += 1
