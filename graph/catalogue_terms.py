"""What the API's collections are made of: the kinds of resource, their filters, and the licence actions.

A kind's members are the subjects of one of its types whose IRI is ``{base}id/{thing}/{id}`` (one segment, so
skolem children such as ``…/policy`` are never members). Action names are what portals pass to
``permits`` / ``requires`` / ``prohibits``; each maps to the ccREL and ODRL IRIs that mean it.

>>> ACTIONS_BY_NAME["commercial-use"].iris[0]
'http://creativecommons.org/ns#CommercialUse'
>>> KINDS["legal-forms"].thing
'legal-form'
"""

from __future__ import annotations

from dataclasses import dataclass

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
ROV = "http://www.w3.org/ns/regorg#"
DCAT = "http://www.w3.org/ns/dcat#"
ODRL = "http://www.w3.org/ns/odrl/2/"
CC = "http://creativecommons.org/ns#"
LDR = "http://purl.org/NET/ldr/ns#"
PROV = "http://www.w3.org/ns/prov#"
EU_DGA = "https://w3id.org/dpv/legal/eu/dga#"
#: The ontology namespace is fixed (like schema.org), whatever the deployment's base IRI.
OD = "https://ourdata.coop/def/"
INSTITUTION_KIND = OD + "institution-kind/"
INSTITUTION_KIND_SCHEME = OD + "institution-kind"


@dataclass(frozen=True)
class Action:
    """A licence action by the name the API uses, the IRIs that mean it, and whether it is permitted by default.

    ``implicit``: ccREL never lists commercial use as a permission, only as a prohibition ("NC"), so a licence
    with a machine-readable policy permits it unless that policy prohibits it (MODEL.md: "permits commercial
    reuse" = no ``cc:CommercialUse`` prohibition anywhere along ``odrl:inheritFrom*``).
    """

    name: str
    iris: tuple[str, ...]
    label: str
    implicit: bool = False


ACTIONS: tuple[Action, ...] = (
    Action("commercial-use", (CC + "CommercialUse", ODRL + "commercialize"), "Commercial use", implicit=True),
    Action("derivative-works", (CC + "DerivativeWorks", ODRL + "derive"), "Derivative works"),
    Action("distribution", (CC + "Distribution", ODRL + "distribute"), "Distribution"),
    Action("reproduction", (CC + "Reproduction", ODRL + "reproduce"), "Reproduction"),
    Action("sharing", (CC + "Sharing",), "Sharing"),
    Action("attribution", (CC + "Attribution", ODRL + "attribute"), "Attribution"),
    Action("share-alike", (CC + "ShareAlike", ODRL + "shareAlike"), "Share-alike"),
    Action("notice", (CC + "Notice",), "Keeping notices"),
    Action("source-code", (CC + "SourceCode",), "Providing source code"),
    Action("extraction", (LDR + "extraction", ODRL + "extract"), "Extraction (database right)"),
    Action("reutilization", (LDR + "reutilization",), "Re-utilisation (database right)"),
    Action("use", (ODRL + "use",), "Use"),
    Action("sell", (ODRL + "sell",), "Selling"),
)
ACTIONS_BY_NAME = {a.name: a for a in ACTIONS}
ACTION_BY_IRI = {iri: a for a in ACTIONS for iri in a.iris}

#: Filters every collection takes.
COMMON_FILTERS = frozenset({"q", "source", "modified_since"})
LICENCE_FILTERS = frozenset({"licence", "permits", "requires", "prohibits"})
PLACE_FILTERS = frozenset({"country", "region"})


@dataclass(frozen=True)
class Kind:
    """One collection of the API (``/api/v1/{collection}``) and how its members are found."""

    collection: str
    thing: str  # {base}id/{thing}/{id}
    types: tuple[str, ...]
    filters: frozenset[str]
    label: str
    #: Properties whose values are names (weighted up in text search) and free text.
    name_properties: tuple[str, ...] = (SKOS + "prefLabel", ROV + "legalName", DCT + "title", SKOS + "altLabel")
    text_properties: tuple[str, ...] = (DCT + "description",)


KINDS: dict[str, Kind] = {
    "organisations": Kind(
        "organisations", "organisation",
        (ORG + "FormalOrganization", ORG + "Organization", ORG + "OrganizationalCollaboration",
         ROV + "RegisteredOrganization", EU_DGA + "DataCooperative"),
        COMMON_FILTERS | PLACE_FILTERS | LICENCE_FILTERS | {"legal_form", "kind"},
        "Organisations",
    ),
    "datasets": Kind(
        "datasets", "dataset", (DCAT + "Dataset",),
        COMMON_FILTERS | PLACE_FILTERS | LICENCE_FILTERS | {"legal_form", "kind"},
        "Datasets",
        text_properties=(DCT + "description", DCAT + "keyword"),
    ),
    "licences": Kind(
        "licences", "licence", (DCT + "LicenseDocument",),
        COMMON_FILTERS | {"permits", "requires", "prohibits"},
        "Licences",
        name_properties=(SKOS + "prefLabel", DCT + "title", SKOS + "notation", SKOS + "altLabel"),
    ),
    "legal-forms": Kind(
        "legal-forms", "legal-form", (SKOS + "Concept",),
        COMMON_FILTERS | PLACE_FILTERS,
        "Legal forms",
        name_properties=(SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation"),
    ),
    "countries": Kind(
        "countries", "country", (SKOS + "Concept",),
        COMMON_FILTERS | {"region"},
        "Countries",
        name_properties=(SKOS + "prefLabel", SKOS + "altLabel", SKOS + "notation"),
        text_properties=(DCT + "identifier",),
    ),
}
KIND_BY_THING = {k.thing: k for k in KINDS.values()}
ALL_FILTERS = frozenset(f for k in KINDS.values() for f in k.filters)
