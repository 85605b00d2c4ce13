"""The DCAT / DCAT-AP terms the dataset importers check values against, and the EU tables they map text to.

Both dataset sources (Open Data Scotland's CSV and any DCAT feed) describe datasets the same way, so a format
written "CSV", an access right written "public" or a term mis-cased as ``dcat:accessUrl`` is read the same way
by both. Only what a table states unambiguously is mapped; the rest is reported by the caller, never guessed.

>>> str(file_type("GeoJSON"))
'http://publications.europa.eu/resource/authority/file-type/GEOJSON'
>>> file_type("MS Excel") is None  # .xls or .xlsx: the text does not say
True
>>> str(known_term("http://www.w3.org/ns/dcat#accessUrl"))
'http://www.w3.org/ns/dcat#accessURL'
>>> typed_date("2016-07-07T11:06:04.000Z")
rdflib.term.Literal('2016-07-07T11:06:04Z', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#dateTime'))
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, XSD

from graph.rdf_io import parse_triples
from loaders.sources.base import DATA_DIR

EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
#: A plain namespace: rdflib's DCAT is DCAT 2 and warns on DCAT 3 terms such as ``dcat:version``.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
#: SPDX's own "no assertion" individual: the graph licence of a feed that states none (we never invent one).
NO_ASSERTION = "http://spdx.org/rdf/terms#noassertion"
DCAT3_FILE = DATA_DIR / "w3c-ns" / "dcat3.ttl"

#: Format names as catalogues write them -> EU file-type code. Names that fit several codes ("MS Excel": XLS or
#: XLSX, "ArcGIS GeoService": a service, not a file type) are deliberately absent.
FILE_TYPES = {
    "csv": "CSV", "zip": "ZIP", "geojson": "GEOJSON", "kml": "KML", "kmz": "KMZ", "json": "JSON", "xml": "XML",
    "pdf": "PDF", "html": "HTML", "7-zip compressed file": "7Z", "7z": "7Z", "ogc wms": "WMS_SRVC",
    "wms": "WMS_SRVC", "wfs": "WFS_SRVC", "ogc wfs": "WFS_SRVC", "web feature service (wfs)": "WFS_SRVC",
    "rdf": "RDF", "rdf/xml": "RDF_XML", "turtle": "RDF_TURTLE", "json-ld": "JSON_LD", "txt": "TXT", "tsv": "TSV",
}
#: Access levels as text (DCAT-AP feeds from ArcGIS Hub write "public"; Project Open Data's ``accessLevel``).
ACCESS_RIGHTS = {"public": "PUBLIC", "restricted": "RESTRICTED", "restricted public": "RESTRICTED",
                 "non-public": "NON_PUBLIC", "non_public": "NON_PUBLIC", "non public": "NON_PUBLIC"}

#: DCAT-AP properties whose value is a resource (an IRI), not text.
RESOURCE_PROPERTIES = frozenset(URIRef(str(p)) for p in (
    DCAT.dataset, DCAT.distribution, DCAT.accessURL, DCAT.downloadURL, DCAT.landingPage, DCAT.theme,
    DCAT.themeTaxonomy, DCAT.contactPoint, DCAT.mediaType, DCAT.service, DCAT.catalog, DCAT.accessService,
    DCAT.endpointURL, DCAT.servesDataset, DCAT.record, DCAT.qualifiedRelation, DCAT.compressFormat,
    DCAT.packageFormat, FOAF.homepage, FOAF.page, FOAF.primaryTopic, DCTERMS.publisher, DCTERMS.creator,
    DCTERMS.license, DCTERMS.rights, DCTERMS.accessRights, DCTERMS.conformsTo, DCTERMS.format, DCTERMS.language,
    DCTERMS.spatial, DCTERMS.temporal, DCTERMS.accrualPeriodicity, DCTERMS.provenance, DCTERMS.type,
    DCTERMS.isPartOf, DCTERMS.hasPart, DCTERMS.relation, DCTERMS.source, DCTERMS.isReferencedBy,
    DCTERMS.references, ADMS.identifier, ADMS.status, ADMS.sample,
))
#: ... and those whose value is text (a literal).
TEXT_PROPERTIES = frozenset(URIRef(str(p)) for p in (
    DCTERMS.title, DCTERMS.description, DCAT.keyword, DCTERMS.identifier, DCTERMS.issued, DCTERMS.modified,
    DCAT.byteSize, DCAT.version, FOAF.name, VCARD.fn, DCAT.startDate, DCAT.endDate,
))
DATE_PROPERTIES = frozenset(URIRef(str(p)) for p in (DCTERMS.issued, DCTERMS.modified, DCAT.startDate,
                                                   DCAT.endDate))
#: Properties whose value names a web page or file: text that is a web address is read as that IRI.
ADDRESS_PROPERTIES = frozenset(URIRef(str(p)) for p in (
    DCAT.accessURL, DCAT.downloadURL, DCAT.landingPage, DCAT.endpointURL, FOAF.homepage, FOAF.page,
    DCTERMS.conformsTo, DCTERMS.references, DCTERMS.source,
))
#: Namespaces whose terms we know completely, so a term outside them is a fault (mis-cased or misspelt).
CHECKED_NAMESPACES = (str(DCAT), str(DCTERMS), str(FOAF))


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$")


def typed_date(text: str) -> Literal | None:
    """An ``xsd:date`` or ``xsd:dateTime`` in the store's canonical form (so re-imports diff to nothing), or None."""
    value = text.strip()
    try:
        if _DATE.match(value):
            return Literal(date.fromisoformat(value).isoformat(), datatype=XSD.date, normalize=False)
        if not _DATE_TIME.match(value):
            return None
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    lexical = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        lexical += f".{moment.microsecond:06d}".rstrip("0")
    offset = moment.utcoffset()
    if offset is not None:
        minutes = int(offset / timedelta(minutes=1))
        sign, hours, rest = "+" if minutes > 0 else "-", abs(minutes) // 60, abs(minutes) % 60
        lexical += "Z" if minutes == 0 else f"{sign}{hours:02d}:{rest:02d}"
    return Literal(lexical, datatype=XSD.dateTime, normalize=False)


def file_type(text: str) -> URIRef | None:
    code = FILE_TYPES.get(" ".join(text.split()).casefold())
    return URIRef(EU_FILE_TYPE + code) if code else None


def access_right(text: str) -> URIRef | None:
    code = ACCESS_RIGHTS.get(" ".join(text.split()).casefold())
    return URIRef(EU_ACCESS_RIGHT + code) if code else None


def media_type(text: str) -> URIRef | None:
    """The IANA IRI of a media type written ``type/subtype`` (parameters dropped), or None."""
    bare = text.split(";", 1)[0].strip().lower()
    kind, sep, sub = bare.partition("/")
    if not sep or not kind.isalpha() or not sub or any(c.isspace() or c in "<>\"{}|\\^`" for c in sub):
        return None
    return URIRef(IANA_MEDIA_TYPE + bare)


@lru_cache(maxsize=1)
def _terms() -> dict[str, frozenset[str]]:
    """Namespace -> its local names: DCAT 3 from the bundled W3C file, DCTERMS and FOAF from rdflib."""
    dcat = {str(s) for s, _p, _o in parse_triples(path=DCAT3_FILE, fmt="turtle")
            if isinstance(s, URIRef) and str(s).startswith(str(DCAT))}
    names = {str(DCAT): {iri.removeprefix(str(DCAT)) for iri in dcat}}
    for ns in (DCTERMS, FOAF):
        names[str(ns)] = set(ns.__annotations__) | set(getattr(ns, "_extras", []))
    return {ns: frozenset(local) for ns, local in names.items()}


def known_term(iri: str) -> URIRef | None:
    """The term itself when it is defined, the defined term it mis-cases (``accessUrl`` -> ``accessURL``), or None
    for a term that is not in its namespace at all. IRIs outside the checked namespaces are returned as they are."""
    namespace = next((ns for ns in CHECKED_NAMESPACES if iri.startswith(ns)), None)
    if namespace is None:
        return URIRef(iri)
    local = iri[len(namespace):]
    terms = _terms()[namespace]
    if local in terms:
        return URIRef(iri)
    folded = [t for t in terms if t.casefold() == local.casefold()]
    return URIRef(namespace + folded[0]) if len(folded) == 1 else None


def curie(iri: str) -> str:
    """``dcat:accessURL`` for the common namespaces (for problem reports), else the IRI."""
    for prefix, ns in (("dcat", str(DCAT)), ("dct", str(DCTERMS)), ("foaf", str(FOAF)), ("vcard", str(VCARD)),
                       ("adms", str(ADMS)), ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
                       ("owl", "http://www.w3.org/2002/07/owl#")):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
