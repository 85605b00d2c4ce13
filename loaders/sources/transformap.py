"""The TransforMap / SUSY (SSEDAS) map of social and solidarity economy initiatives in Europe (GeoJSON).

One organisation per feature, ``{base}id/organisation/transformap-{_id}`` (TransforMap's own place id), linked
with ``owl:sameAs`` to the TransforMap place IRI. ``addr:country`` is free text in many languages: it is resolved
with :func:`loaders.resolve.country_iri`; what does not resolve to exactly one country is reported, not guessed.
Every feature is classified a social and solidarity economy initiative; ``type_of_initiative`` (``;``-separated
TransforMap tags) becomes keywords, and a narrower classification where a tag names a kind of institution.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, XSD

from graph.errors import BadRequest
from graph.iris import Iris
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.organisation_common import ADMS, SPDX, Mapping, clean, decimal_literal, institution_kind, web_iri

#: Codes this source uses that ISO 3166 gives to another country. The Slovak partner (SCCD) wrote "SR"
#: (Slovenská republika) for Slovakia; ISO's SR is Suriname. Every such feature lies in Slovakia (a test checks).
SOURCE_COUNTRY_CODES = {"SR": "SK"}
#: TransforMap tags that say which kind of institution an initiative is.
KIND_BY_TAG = {"food_cooperative": "cooperative"}
#: ``description:xx`` keys whose suffix is not an ISO 639-1 code.
LANGUAGE_FIXES = {"gr": "el"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,80}$")
_DESCRIPTION = re.compile(r"^description[:_]([a-z]{2})$")


class TransforMap:
    """Maps the SUSY GeoJSON; see the module docstring."""

    info = SourceInfo(
        name="transformap",
        family="source",
        title="TransforMap / SUSY map of social and solidarity economy initiatives in Europe",
        licence=SPDX + "CC-PDM-1.0",
        attribution="Initiatives mapped by the SUSY project's SSEDAS partners on TransforMap "
                    "(data.transformap.co), declared 'Public Domain' by the publisher.",
        source_url="https://data.transformap.co/place/SSEDAS_PARTNER",
        publisher="TransforMap",
        default_file="susy-transformap/susy-ssedas-initiatives.geojson",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        mapping = Mapping(iris)
        seen: set[str] = set()
        for number, feature in enumerate(read_features(path), start=1):
            properties = feature.get("properties") or {}
            place_id = clean(properties.get("_id") or feature.get("id"))
            if not _ID.match(place_id):
                mapping.problem("feature id missing or not usable in an IRI; feature skipped", number, "_id", place_id)
                continue
            if place_id in seen:
                mapping.problem("feature id repeated; feature skipped", number, "_id", place_id)
                continue
            seen.add(place_id)
            map_feature(mapping, iris, feature, properties, number, place_id)
        mapping.counts["organisations"] = len(seen)
        return mapping.built()


def read_features(path: Path) -> list[dict[str, Any]]:
    """The FeatureCollection's features; BadRequest when the file is not one."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise BadRequest(f"Cannot read {path} as GeoJSON: {exc}") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BadRequest(f"{path.name} is not a GeoJSON FeatureCollection.")
    return [f for f in document.get("features", []) if isinstance(f, dict)]


def map_feature(m: Mapping, iris: Iris, feature: dict[str, Any], p: dict[str, Any], n: int, place_id: str) -> None:
    org = URIRef(iris.thing("organisation", f"transformap-{place_id}"))
    place = web_iri(p.get("_uri"))
    m.organisation(org, p.get("name", ""), registered=False, source=place or URIRef(TransforMap.info.source_url))
    if place is not None:
        m.add(org, OWL.sameAs, place)
    m.add(org, ORG.classification, institution_kind("sse-initiative"))
    m.identifier(org, ADMS.identifier, "identifier/transformap", place_id, "TransforMap")
    m.text(org, DCTERMS.description, p.get("description"))
    for key, value in p.items():
        match = _DESCRIPTION.match(key)
        if match:
            m.text(org, DCTERMS.description, value, lang=LANGUAGE_FIXES.get(match[1], match[1]))
    _homepage(m, org, p, n, place_id)
    _tags(m, org, p)
    _modified(m, org, p.get("_timestamp"))
    country = _country(m, org, p.get("addr:country"), n, place_id)
    lat, long = _point(m, feature, n, place_id)
    m.site(org, "main", registered=False, thoroughfare=p.get("addr:street", ""),
           locator=p.get("addr:housenumber", ""), post_name=p.get("addr:city", ""),
           post_code=p.get("addr:postcode", ""), admin_unit_l1=country, lat=lat, long=long)


def _country(m: Mapping, org: URIRef, value: Any, n: int, place_id: str) -> str:
    """Resolves ``addr:country``; returns the alpha-2 code (upper case) when it did."""
    text = clean(value)
    code = SOURCE_COUNTRY_CODES.get(text)
    if code is not None:
        text = code
    before = len(m.problems)
    country = m.country(org, text, n, "addr:country")
    for problem in m.problems[before:]:
        problem["id"] = place_id
    return str(country).rsplit("/", 1)[-1].upper() if country is not None else ""


def _homepage(m: Mapping, org: URIRef, p: dict[str, Any], n: int, place_id: str) -> None:
    """``website`` is the homepage; ``contact:website`` is often a contact page, so it only fills in."""
    for column in ("website", "contact:website"):
        value = clean(p.get(column))
        if not value:
            continue
        homepage = web_iri(value)
        if homepage is not None:
            m.add(org, FOAF.homepage, homepage)
            return
        m.problem("website is not a web address; not mapped", n, column, value, id=place_id)


def _tags(m: Mapping, org: URIRef, p: dict[str, Any]) -> None:
    for column in ("type_of_initiative", "free_keywords"):
        for tag in clean(p.get(column)).split(";"):
            tag = tag.strip()
            if not tag:
                continue
            m.add(org, DCAT.keyword, Literal(tag))
            if column == "type_of_initiative" and tag in KIND_BY_TAG:
                m.add(org, ORG.classification, institution_kind(KIND_BY_TAG[tag]))


def _modified(m: Mapping, org: URIRef, stamp: Any) -> None:
    if isinstance(stamp, int | float) and 0 < stamp < 10**14:  # milliseconds since 1970
        when = datetime.fromtimestamp(stamp / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the store's canonical form
        m.add(org, DCTERMS.modified, Literal(when, datatype=XSD.dateTime, normalize=False))


def _point(m: Mapping, feature: dict[str, Any], n: int, place_id: str) -> tuple[Literal | None, Literal | None]:
    geometry = feature.get("geometry") or {}
    coordinates = geometry.get("coordinates")
    if geometry.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
        m.counts["without coordinates"] += 1
        return None, None
    long = decimal_literal(coordinates[0], -180, 180)
    lat = decimal_literal(coordinates[1], -90, 90)
    if lat is None or long is None:
        m.problem("coordinates out of range; not mapped", n, "geometry", coordinates, id=place_id)
        return None, None
    m.counts["with coordinates"] += 1
    return lat, long
