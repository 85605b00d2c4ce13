"""Readable names for the vocabulary terms a resource page shows, when the store has no label for them.

This table, worded for our readers, covers the common W3C/EU terms we use; other terms take their label
from the store (the ontology and vocabulary graphs), else their local name split into words
("hasRegisteredSite" -> "Has registered site"), so a page never shows a bare vocabulary IRI as a heading.

>>> humanise("hasRegisteredSite")
'Has registered site'
>>> local_name("http://www.w3.org/ns/org#FormalOrganization")
'FormalOrganization'
>>> compact("http://www.w3.org/ns/org#Site")
'org:Site'
"""

from __future__ import annotations

import re

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "locn": "http://www.w3.org/ns/locn#",
    "adms": "http://www.w3.org/ns/adms#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "prov": "http://www.w3.org/ns/prov#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "cc": "http://creativecommons.org/ns#",
    "essglobal": "http://purl.org/essglobal/vocab/",
    "eu-dga": "https://w3id.org/dpv/legal/eu/dga#",
    "dpv": "https://w3id.org/dpv#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "od": "https://ourdata.coop/def/",
}

_P = PREFIXES
LABELS: dict[str, str] = {
    _P["rdf"] + "type": "Type",
    _P["skos"] + "prefLabel": "Name",
    _P["skos"] + "altLabel": "Other name",
    _P["skos"] + "notation": "Code",
    _P["skos"] + "definition": "Definition",
    _P["skos"] + "exactMatch": "Same as",
    _P["skos"] + "closeMatch": "Close to",
    _P["skos"] + "broader": "Part of",
    _P["skos"] + "narrower": "Includes",
    _P["skos"] + "inScheme": "In scheme",
    _P["owl"] + "sameAs": "Same as",
    _P["owl"] + "deprecated": "Deprecated",
    _P["rdfs"] + "label": "Label",
    _P["rdfs"] + "comment": "Comment",
    _P["rdfs"] + "seeAlso": "See also",
    _P["rov"] + "legalName": "Legal name",
    _P["rov"] + "orgType": "Legal form",
    _P["rov"] + "registration": "Registration",
    _P["dct"] + "title": "Title",
    _P["dct"] + "description": "Description",
    _P["dct"] + "spatial": "Place",
    _P["dct"] + "publisher": "Publisher",
    _P["dct"] + "license": "Licence",
    _P["dct"] + "source": "Source",
    _P["dct"] + "identifier": "Identifier",
    _P["dct"] + "issued": "Issued",
    _P["dct"] + "modified": "Last modified",
    _P["dct"] + "created": "Created",
    _P["dct"] + "creator": "Creator",
    _P["dct"] + "rights": "Rights",
    _P["dct"] + "rightsHolder": "Rights holder",
    _P["dct"] + "conformsTo": "Conforms to",
    _P["foaf"] + "homepage": "Homepage",
    _P["foaf"] + "name": "Name",
    _P["org"] + "classification": "Kind of institution",
    _P["org"] + "hasRegisteredSite": "Registered site",
    _P["org"] + "hasSite": "Site",
    _P["org"] + "siteAddress": "Address",
    _P["org"] + "member": "Member",
    _P["org"] + "hasMember": "Has member",
    _P["org"] + "organization": "Organisation",
    _P["org"] + "role": "Role",
    _P["org"] + "subOrganizationOf": "Part of organisation",
    _P["locn"] + "address": "Address",
    _P["locn"] + "fullAddress": "Full address",
    _P["locn"] + "thoroughfare": "Street",
    _P["locn"] + "postCode": "Postcode",
    _P["locn"] + "postName": "Town or city",
    _P["locn"] + "adminUnitL1": "Country (address)",
    _P["locn"] + "adminUnitL2": "Administrative area",
    _P["geo"] + "lat": "Latitude",
    _P["geo"] + "long": "Longitude",
    _P["adms"] + "schemaAgency": "Issued by",
    _P["dcat"] + "theme": "Theme",
    _P["dcat"] + "keyword": "Keyword",
    _P["dcat"] + "distribution": "Distribution",
    _P["dcat"] + "downloadURL": "Download",
    _P["dcat"] + "accessURL": "Access",
    _P["dcat"] + "mediaType": "Media type",
    _P["dcat"] + "landingPage": "Landing page",
    _P["dcat"] + "contactPoint": "Contact",
    _P["odrl"] + "hasPolicy": "Policy",
    _P["odrl"] + "permission": "Permits",
    _P["odrl"] + "prohibition": "Prohibits",
    _P["odrl"] + "duty": "Requires",
    _P["odrl"] + "action": "Action",
    _P["odrl"] + "target": "Applies to",
    _P["odrl"] + "assigner": "Assigned by",
    _P["essglobal"] + "organisationalStructure": "Organisational structure",
    _P["essglobal"] + "baseMembershipType": "Membership type",
    _P["essglobal"] + "primarySector": "Primary sector",
    _P["essglobal"] + "economicSector": "Economic sector",
    _P["essglobal"] + "totalOfMembers": "Number of members",
    _P["prov"] + "wasDerivedFrom": "Derived from",
    _P["prov"] + "wasAttributedTo": "Attributed to",
    _P["prov"] + "generatedAtTime": "Generated",
}


def local_name(iri: str) -> str:
    """The part after the last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rstrip("/").rfind("/"))
    return iri[cut + 1 :].rstrip("/") if cut >= 0 else iri


def humanise(name: str) -> str:
    """camelCase / kebab-case / snake_case -> a sentence-case phrase."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    spaced = re.sub(r"[-_]+", " ", spaced).strip()
    if not spaced:
        return name
    words = spaced.split()
    out = [words[0][0].upper() + words[0][1:]] + [w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:]]
    return " ".join(out)


def compact(iri: str) -> str:
    """``prefix:local`` for a known namespace, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def is_vocabulary_term(iri: str) -> bool:
    return any(iri.startswith(namespace) for namespace in PREFIXES.values())


def term_label(iri: str, store_labels: dict[str, str]) -> str:
    """A heading for a predicate or class: our table (worded for this product's readers), the store's
    label (ontology and vocabulary graphs), or its humanised local name."""
    if iri in LABELS:
        return LABELS[iri]
    if iri in store_labels:
        text = store_labels[iri]
        return text[:1].upper() + text[1:]
    return humanise(local_name(iri))


#: Properties whose values are web addresses worth showing as such when they have no label.
SHOW_ADDRESS = frozenset({
    _P["foaf"] + "homepage", _P["foaf"] + "page", _P["dct"] + "source", _P["rdfs"] + "seeAlso",
    _P["dcat"] + "downloadURL", _P["dcat"] + "accessURL", _P["dcat"] + "landingPage", _P["prov"] + "wasDerivedFrom",
    _P["skos"] + "exactMatch", _P["skos"] + "closeMatch", _P["owl"] + "sameAs",
})
