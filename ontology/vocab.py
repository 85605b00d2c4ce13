"""Our terms as closed namespaces: a misspelt term raises instead of minting a new IRI.

The Turtle files (``ourdata.ttl``, ``institution-kinds.ttl``) are the source of truth; ``tests/test_ontology.py``
checks that these classes list exactly the terms those files define.

>>> str(OD.sourceFamily)
'https://ourdata.coop/def/sourceFamily'
>>> str(INSTITUTION_KIND["data-cooperative"])
'https://ourdata.coop/def/institution-kind/data-cooperative'
>>> OD.sourcefamily
Traceback (most recent call last):
...
AttributeError: term 'sourcefamily' not in namespace 'https://ourdata.coop/def/'
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DefinedNamespace, Namespace

#: Fixed like schema.org's: the same on every deployment, whatever its base IRI.
OD_NAMESPACE = "https://ourdata.coop/def/"
#: The ontology's own IRI (also the namespace).
ONTOLOGY = URIRef(OD_NAMESPACE)
#: The SKOS scheme of institution kinds, object of ``org:classification``.
INSTITUTION_KIND_SCHEME = URIRef(OD_NAMESPACE + "institution-kind")


class OD(DefinedNamespace):
    """Terms of the ourdata ontology (``ontology/ourdata.ttl``): only what the standard vocabularies lack."""

    _fail = True
    _NS = Namespace(OD_NAMESPACE)

    # classes
    InstitutionKind: URIRef  # a concept of the institution-kind scheme (data co-operative, data trust, ...)

    # properties
    legalFormText: URIRef  # a source's own, too coarse statement of an organisation's legal form
    matchKey: URIRef  # the normalised value two sources' records shared when matched (loaders/matching.py)
    matchReason: URIRef  # registration | wikidata | website | name-and-country, on a source's alias IRI
    ownershipClassification: URIRef  # a source's own classification of who owns an organisation
    sourceFamily: URIRef  # ontology | vocabulary | reference | source | contribution, about a named graph


class INSTITUTION_KIND(DefinedNamespace):  # noqa: N801 - reads like the other namespaces
    """Concepts of the institution-kind scheme (``ontology/institution-kinds.ttl``), by code:
    ``INSTITUTION_KIND["data-cooperative"]``."""

    _fail = True
    _NS = Namespace(OD_NAMESPACE + "institution-kind/")
    _extras = [
        "data-institution",
        "data-cooperative",
        "data-trust",
        "data-commons",
        "data-collaborative",
        "data-mutual",
        "personal-data-store",
        "open-data-hub",
        "data-altruism-organisation",
        "data-intermediary",
        "cooperative",
        "platform-cooperative",
        "community-benefit-society",
        "mutual",
        "network",
        "sse-initiative",
    ]


def od_terms() -> set[URIRef]:
    """Every term :class:`OD` names (for the agreement test and the ``/def/`` page)."""
    return {URIRef(OD_NAMESPACE + name) for name in OD.__annotations__}


def institution_kinds() -> set[URIRef]:
    return {URIRef(INSTITUTION_KIND._NS + code) for code in INSTITUTION_KIND._extras}
