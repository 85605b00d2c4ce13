"""What the organisation sources share: vocabularies, institution kinds, and how a row becomes triples.

Mappers append rdflib terms to a plain list (:class:`Mapping`) instead of filling an rdflib ``Graph``:
7,387 Co-operatives UK rows must map in about a second, and a Graph's indexes would cost several.
Every value that cannot be mapped becomes a problem ``{"message", "row", "column", "value"}``, never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from graph.errors import BadRequest
from graph.iris import Iris
from graph.sparql_text import checked_iri
from graph.store import Node, Triple
from loaders.resolve import country_iri
from loaders.sources.base import Built
from ontology.vocab import INSTITUTION_KIND

ROV = Namespace("http://www.w3.org/ns/regorg#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
ESSGLOBAL = Namespace("http://purl.org/essglobal/vocab/")
ESSGLOBAL_STANDARD = "http://purl.org/essglobal/standard/"
EU_DGA = Namespace("https://w3id.org/dpv/legal/eu/dga#")
#: W3C WGS84 positions. Not rdflib's ``WGS``, which spells the namespace with https:// (it is http://).
WGS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SPDX = "http://spdx.org/licenses/"
# Terms resolved once: attribute access on an rdflib namespace builds a new URIRef every time, and these are
# used some 200,000 times per Co-operatives UK load.
TYPE, PREF_LABEL, NOTATION = RDF.type, SKOS.prefLabel, SKOS.notation
SOURCE, SPATIAL = DCTERMS.source, DCTERMS.spatial
FORMAL_ORGANIZATION, REGISTERED_ORGANIZATION = ORG.FormalOrganization, ROV.RegisteredOrganization
HAS_SITE, HAS_REGISTERED_SITE, SITE, SITE_ADDRESS = ORG.hasSite, ORG.hasRegisteredSite, ORG.Site, ORG.siteAddress
IDENTIFIER, SCHEMA_AGENCY = ADMS.Identifier, ADMS.schemaAgency
ADDRESS, HAS_ADDRESS, FULL_ADDRESS = LOCN.Address, LOCN.address, LOCN.fullAddress
ADDRESS_PARTS = (LOCN.thoroughfare, LOCN.locatorDesignator, LOCN.postName, LOCN.adminUnitL2, LOCN.postCode,
                 LOCN.adminUnitL1)
LAT, LONG = WGS.lat, WGS.long
_BARE_HOST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:[/?#][^\s]*)?$")  # www.x.org/path, not an e-mail


def institution_kind(code: str) -> URIRef:
    """A concept of our institution-kind scheme; an unknown code raises (the namespace is closed)."""
    return URIRef(str(INSTITUTION_KIND[code]))


def web_iri(value: str | None) -> URIRef | None:
    """An http(s) IRI the store accepts, or None (a bare host like ``www.x.org`` gets ``http://``)."""
    text = (value or "").strip()
    if not text:
        return None
    if _BARE_HOST.match(text):
        text = "http://" + text
    if not text.lower().startswith(("http://", "https://")):
        return None
    try:
        checked_iri(text)
    except BadRequest:
        return None
    return URIRef(text)


def decimal_literal(value: str | float | None, low: float, high: float) -> Literal | None:
    """An ``xsd:decimal`` within [low, high] (a latitude or longitude), or None.

    >>> decimal_literal("-3.654700", -180, 180)
    rdflib.term.Literal('-3.6547', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    >>> decimal_literal("91", -90, 90) is None
    True
    """
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    # the store keeps the canonical form ("-3.6547", "3", "0"): emitting it lets re-imports diff to nothing
    canonical = "0" if number.is_zero() else format(number.normalize(), "f")
    return Literal(canonical, datatype=XSD.decimal)


def clean(value: Any) -> str:
    """A cell as text: stripped, inner newlines of a quoted multi-line field joined with ', '."""
    if value is None:
        return ""
    text = str(value).strip()
    if "\n" in text:
        text = ", ".join(part.strip() for part in text.splitlines() if part.strip())
    return text


@dataclass
class Mapping:
    """The triples, problems and counts of one source being mapped."""

    iris: Iris
    triples: list[Triple] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    _literals: dict[tuple[str, str | None], Literal] = field(default_factory=dict, repr=False)
    _countries: dict[str, tuple[str | None, list[str]]] = field(default_factory=dict, repr=False)

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.triples.append((s, p, o))

    def literal(self, text: str, lang: str | None = None) -> Literal:
        """A plain or language-tagged literal, shared between rows (areas, legal forms and agencies repeat)."""
        key = (text, lang)
        found = self._literals.get(key)
        if found is None:
            found = self._literals[key] = Literal(text, lang=lang)
        return found

    def text(self, s: Node, p: Node, value: Any, lang: str | None = None) -> bool:
        """Adds a literal when the value is not blank; says whether it did."""
        text = clean(value)
        if not text:
            return False
        self.triples.append((s, p, self.literal(text, lang)))
        return True

    def problem(self, message: str, row: int, column: str, value: Any, **extra: Any) -> None:
        self.problems.append({"message": message, "row": row, "column": column, "value": value, **extra})

    def built(self) -> Built:
        return Built(triples=self.triples, problems=self.problems, counts=dict(self.counts))

    # ------------------------------------------------------------------ shared shapes
    def organisation(self, org: URIRef, name: str, *, registered: bool, source: URIRef | None) -> None:
        """The part every organisation has: types, name and where the record comes from."""
        self.add(org, TYPE, FORMAL_ORGANIZATION)
        if registered:
            self.add(org, TYPE, REGISTERED_ORGANIZATION)
        self.text(org, PREF_LABEL, name)
        if source is not None:
            self.add(org, SOURCE, source)

    def country(self, org: URIRef, value: Any, row: int, column: str) -> URIRef | None:
        """``dct:spatial`` to our country concept; a value we cannot resolve uniquely is reported, not guessed."""
        text = clean(value)
        if not text:
            self.counts["without country"] += 1
            return None
        resolved = self._countries.get(text)
        if resolved is None:
            resolved = self._countries[text] = country_iri(self.iris, text)
        iri, candidates = resolved
        if iri is None:
            message = "country could be one of several; not mapped" if candidates else "unknown country; not mapped"
            extra = {"candidates": candidates} if candidates else {}
            self.problem(message, row, column, text, **extra)
            self.counts["country unmapped"] += 1
            return None
        country = URIRef(iri)
        self.add(org, SPATIAL, country)
        return country

    def identifier(self, org: URIRef, prop: URIRef, path: str, notation: str, agency: str | None) -> URIRef:
        """An ``adms:Identifier`` minted as ``{org}/{path}`` (no blank nodes: re-imports diff cleanly)."""
        ident = URIRef(f"{org}/{path}")
        self.add(org, prop, ident)
        self.add(ident, TYPE, IDENTIFIER)
        self.add(ident, NOTATION, Literal(notation))
        if agency:
            self.add(ident, SCHEMA_AGENCY, self.literal(agency))
        return ident

    def site(self, org: URIRef, name: str, *, registered: bool, thoroughfare: str = "", locator: str = "",
             post_name: str = "",
             post_code: str = "", admin_unit_l2: str = "", admin_unit_l1: str = "",
             lat: Literal | None = None, long: Literal | None = None) -> URIRef | None:
        """An ``org:Site`` with its ``locn:Address`` (by ``locn:address`` and ``org:siteAddress``) and WGS84 point,
        minted as ``{org}/site/{name}``.

        Nothing is added when the source gives neither an address nor coordinates."""
        parts = [clean(v) for v in (thoroughfare, locator, post_name, admin_unit_l2, post_code, admin_unit_l1)]
        if not any(parts) and lat is None:
            return None
        site = URIRef(f"{org}/site/{name}")
        self.add(org, HAS_REGISTERED_SITE if registered else HAS_SITE, site)
        self.add(site, TYPE, SITE)
        if lat is not None and long is not None:
            self.add(site, LAT, lat)
            self.add(site, LONG, long)
        if any(parts):
            address = URIRef(f"{site}/address")
            self.add(site, HAS_ADDRESS, address)
            self.add(site, SITE_ADDRESS, address)  # the contract's (SPEC 4) name for the same link
            self.add(address, TYPE, ADDRESS)
            for prop, value in zip(ADDRESS_PARTS, parts, strict=True):
                if value:
                    self.add(address, prop, self.literal(value))
            street = " ".join(p for p in parts[:2] if p)
            self.add(address, FULL_ADDRESS, Literal(", ".join(p for p in [street, *parts[2:]] if p)))
        return site
