"""OpenAPI descriptions and examples for the JSON-LD API (tests/test_api_openapi.py keeps them in step with
real responses)."""

from __future__ import annotations

from typing import Any

from graph.catalogue_terms import Kind

CTX = "https://ourdata.coop/api/v1/context.jsonld"
B = "https://ourdata.coop/"

PARAMETER_EXAMPLES: dict[str, str] = {
    "q": "data co-op", "country": "gb", "region": "eu", "legal_form": "ZZGG", "kind": "data-cooperative",
    "licence": "CC-BY-4.0", "permits": "commercial-use", "requires": "attribution", "prohibits": "commercial-use",
    "source": "coops-uk", "modified_since": "2024-05-01T00:00:00Z", "cursor": "*",
}

_COUNTRY = {"id": B + "id/country/gb", "name": {"en": "United Kingdom", "fr": "Royaume-Uni"}, "notation": "GB"}
_LICENCE_REF = {"id": B + "id/licence/CC-BY-4.0", "name": {"en": "Creative Commons Attribution 4.0 International"},
                "title": {"@value": "Creative Commons Attribution 4.0 International", "@language": "en"},
                "notation": "CC-BY-4.0"}

EXAMPLES: dict[str, dict[str, Any]] = {
    "organisations": {
        "id": B + "id/organisation/our-data-coop",
        "type": ["eu-dga:DataCooperative", "org:FormalOrganization", "rov:RegisteredOrganization"],
        "name": {"en": "Our Data Co-op"},
        "legalName": "Our Data Co-operative Limited",
        "description": {"@value": "A data co-operative for community health data.", "@language": "en"},
        "country": _COUNTRY,
        "datasets": [{"id": B + "id/dataset/wait-times-2025", "type": ["dcat:Dataset"],
                      "title": {"@value": "Waiting times 2025", "@language": "en"}, "licence": _LICENCE_REF}],
        "homepage": {"id": "https://ourdata.coop/"},
        "kind": [{"id": "https://ourdata.coop/def/institution-kind/data-cooperative",
                  "name": {"en": "data co-operative"}, "notation": "data-cooperative"}],
        "legalForm": {"id": B + "id/legal-form/ZZGG", "name": {"en": "Co-operative Society"}, "notation": "ZZGG"},
        "registeredSite": {"id": B + "id/organisation/our-data-coop/site/registered", "type": ["org:Site"],
                           "address": {"id": B + "id/organisation/our-data-coop/site/registered/address",
                                       "type": ["locn:Address"], "postCode": "SO14 0AA",
                                       "postName": "Southampton"},
                           "lat": {"@value": "50.9", "@type": "xsd:decimal"},
                           "long": {"@value": "-1.4", "@type": "xsd:decimal"}},
    },
    "datasets": {
        "id": B + "id/dataset/wait-times-2025",
        "type": ["dcat:Dataset"],
        "title": {"@value": "Waiting times 2025", "@language": "en"},
        "description": {"@value": "Monthly waiting times reported by members.", "@language": "en"},
        "licence": _LICENCE_REF,
        "publisher": {"id": B + "id/organisation/our-data-coop", "name": {"en": "Our Data Co-op"}},
        "theme": [{"id": "http://publications.europa.eu/resource/authority/data-theme/HEAL",
                   "name": {"en": "Health"}, "notation": "HEAL"}],
    },
    "licences": {
        "id": B + "id/licence/CC-BY-NC-4.0",
        "type": ["dct:LicenseDocument", "skos:Concept"],
        "name": {"en": "Creative Commons Attribution Non Commercial 4.0 International"},
        "notation": "CC-BY-NC-4.0",
        "exactMatch": [{"id": "http://spdx.org/licenses/CC-BY-NC-4.0"}],
        "policy": [{"id": B + "id/licence/CC-BY-NC-4.0/policy", "type": ["odrl:Policy", "odrl:Set"],
                    "permission": [{"id": B + "id/licence/CC-BY-NC-4.0/policy/permission/1",
                                    "type": ["odrl:Permission"],
                                    "action": [{"id": "http://creativecommons.org/ns#Reproduction"}],
                                    "duty": [{"id": B + "id/licence/CC-BY-NC-4.0/policy/duty/1",
                                              "type": ["odrl:Duty"],
                                              "action": [{"id": "http://creativecommons.org/ns#Attribution"}]}]}],
                    "prohibition": [{"id": B + "id/licence/CC-BY-NC-4.0/policy/prohibition/1",
                                     "type": ["odrl:Prohibition"],
                                     "action": [{"id": "http://creativecommons.org/ns#CommercialUse"}]}]}],
    },
    "legal-forms": {
        "id": B + "id/legal-form/ZZGG",
        "type": ["skos:Concept"],
        "name": {"en": "Co-operative Society"},
        "notation": "ZZGG",
        "altName": {"en": "Co-op"},
        "country": _COUNTRY,
        "exactMatch": [{"id": "https://rdf.gleif.org/EntityLegalForm/ELF-ZZGG"}],
    },
    "countries": {
        "id": B + "id/country/gb",
        "type": ["skos:Concept"],
        "name": {"en": "United Kingdom", "de": "Vereinigtes Königreich"},
        "notation": "GB",
        "broader": [{"id": B + "id/region/europe", "name": {"en": "Europe"}}],
        "exactMatch": [{"id": "http://publications.europa.eu/resource/authority/country/GBR"}],
    },
}

STATS_EXAMPLE: dict[str, Any] = {
    "organisations": {"total": 9204,
                      "byCountry": [{"id": B + "id/country/gb", "code": "GB", "label": "United Kingdom",
                                     "count": 7898}],
                      "byKind": [{"id": "https://ourdata.coop/def/institution-kind/cooperative", "code": "cooperative",
                                  "label": "co-operative", "count": 7000}],
                      "byLegalForm": [{"id": B + "id/legal-form/ZZGG", "code": "ZZGG",
                                       "label": "Co-operative Society", "count": 12}],
                      "bySource": [{"id": B + "graph/source/coops-uk", "code": "coops-uk",
                                    "label": "Co-operatives UK open data", "count": 7241}]},
    "datasets": {"total": 1,
                 "byLicence": [{"id": B + "id/licence/CC-BY-4.0", "code": "CC-BY-4.0",
                                "label": "Creative Commons Attribution 4.0 International", "count": 1}],
                 "byPermittedAction": [{"id": "commercial-use", "code": "commercial-use", "label": "Commercial use",
                                        "count": 1}]},
    "licences": {"total": 727}, "legal-forms": {"total": 3599}, "countries": {"total": 249},
}


def _problem(status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    slug = title.lower().replace(" ", "-")
    return {"description": title, "content": {"application/problem+json": {"example": {
        "type": f"https://ourdata.coop/problems/{slug}", "title": title, "status": status, "detail": detail,
        "errors": errors or []}}}}


NOT_MODIFIED = {"description": "Not modified: the `If-None-Match` ETag matches (no body; validators repeated)."}
NOT_ACCEPTABLE = _problem(406, "Not acceptable", "This resource is JSON-LD; cannot send any of: text/csv.")
CONTEXT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The context", "content": {"application/ld+json": {"example": {"@context": {
        "org": "http://www.w3.org/ns/org#", "id": "@id", "type": "@type",
        "name": {"@id": "skos:prefLabel", "@container": "@language"}}}}}},
    304: NOT_MODIFIED,
}


def list_example(kind: Kind) -> dict[str, Any]:
    url = f"{B}api/v1/{kind.collection}"
    return {"@context": CTX, "id": f"{url}?page=2", "type": "hydra:Collection", "totalItems": 120,
            "first": f"{url}?page=1", "last": f"{url}?page=3", "previous": f"{url}?page=1",
            "next": f"{url}?page=3", "items": [EXAMPLES[kind.collection]]}


def list_description(kind: Kind) -> str:
    filters = ", ".join(f"`{f}`" for f in sorted(kind.filters))
    return (f"{kind.label} in IRI order (or by relevance with `q`), as a `hydra:Collection` compacted with "
            f"`/api/v1/context.jsonld`. Filters: {filters}. Several values of a filter (repeated or "
            "comma-separated) mean *any* of them, except `permits`/`requires`/`prohibits` which mean *all*; "
            "different filters must all hold. An unknown parameter or value is a 400 listing candidates.\n\n"
            "Paging: `page`/`per_page` (default 50, at most 500), or `cursor=*` then the `next` links "
            "(keyset: each item once while walking). The body has `totalItems`, `first`, `previous`, `next`, "
            "`last`; the `Link` header has the same as rel=first/prev/next/last, plus the context; "
            "`X-Total-Count` repeats the total. Each item has the shape of the single-resource document.")


def resource_description(kind: Kind) -> str:
    extra = (" It embeds the labels of its country, legal form and kind, and lists its datasets (`datasets`, "
             "the reverse of `dct:publisher`) with their licences." if kind.collection == "organisations" else "")
    return (f"The {kind.thing.replace('-', ' ')} as one framed JSON-LD document: its own statements and those of "
            "its parts (sites, addresses, registrations, policies), with the labels of everything it links to."
            f"{extra} Parsed as RDF with the context it gives exactly those triples, all held by the SPARQL "
            "endpoint. Links are always objects with `id`; `type` and multi-valued keys are arrays.\n\n"
            "`Accept: text/html` or another RDF syntax gets a 303 to `/doc/...`, which negotiates.")


def _jsonld(example: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/ld+json": {"example": example},
                                                    "application/json": {"example": example}}}


def list_responses(kind: Kind) -> dict[int | str, dict[str, Any]]:
    return {
        200: _jsonld(list_example(kind), "A page of the collection"),
        304: NOT_MODIFIED,
        400: _problem(400, "Bad request", "Unknown country 'uk'. Did you mean: GB, UA?",
                      [{"field": "country", "value": "uk", "candidates": ["GB", "UA"],
                        "message": "Unknown country 'uk'. Did you mean: GB, UA?"}]),
        406: NOT_ACCEPTABLE,
    }


def resource_responses(kind: Kind) -> dict[int | str, dict[str, Any]]:
    example = {"@context": CTX, **EXAMPLES[kind.collection]}
    return {
        200: _jsonld(example, f"The {kind.thing.replace('-', ' ')}"),
        303: {"description": "See Other: HTML and other RDF syntaxes are at `/doc/{kind}/{id}`."},
        304: NOT_MODIFIED,
        400: _problem(400, "Bad request", "'a b' is not a valid identifier (letters, digits, '.', '_', '~', '-')."),
        404: _problem(404, "Not found", f"There is no {kind.thing.replace('-', ' ')} 'x'."),
        406: NOT_ACCEPTABLE,
    }


STATS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Counts", "content": {"application/json": {"example": STATS_EXAMPLE}}},
    304: NOT_MODIFIED,
}
