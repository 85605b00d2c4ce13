"""ISO 3166-1 countries (from pycountry) and the regions an analyst groups them by (UN M49, EU, EEA).

Each country is a SKOS concept with ``skos:broader`` to *every* region it is in (region, sub-region,
intermediate region, EU, EEA), so "in Europe" is one hop: ``dct:spatial/skos:broader <{base}id/region/europe>``
with no reasoning or property paths over the hierarchy. No region data ships with pycountry: the groupings
are facts we keep in ``loaders/data/regions/`` (see its PROVENANCE.md).
"""

from __future__ import annotations

from pathlib import Path

import pycountry
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import Built, SourceInfo
from loaders.sources.reference_common import EU_COUNTRY, SPDX, country_labels, data_file, read_csv, scheme_triples

REGIONS_DIR = data_file("regions")
LEVELS = ("m49_region", "m49_sub_region", "m49_intermediate_region")
#: Political groupings besides M49: slug -> (column in countries.csv, English name, notation).
GROUPINGS = {"eu": ("eu", "European Union", "EU"), "eea": ("eea", "European Economic Area", "EEA")}


def region_iri(iris: Iris, slug: str) -> URIRef:
    return URIRef(iris.thing("region", slug))


class Countries:
    info = SourceInfo(
        name="countries",
        family="reference",
        title="Countries (ISO 3166-1) and regions (UN M49, EU, EEA)",
        licence=SPDX + "LGPL-2.1-only",
        attribution="Country codes and names from Debian iso-codes via pycountry (LGPL-2.1); "
                    "region groupings from the UN M49 standard and EU/EEA membership.",
        source_url="https://pypi.org/project/pycountry/",
        publisher="Debian iso-codes (via pycountry); United Nations Statistics Division (M49)",
        default_file="regions/countries.csv",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        """``file`` is the country -> regions table; the M49 areas file is read from beside it."""
        table = file or REGIONS_DIR / "countries.csv"
        areas = list(read_csv(table.parent / "m49-areas.csv"))
        slug_of = {row["m49"]: row["slug"] for row in areas}
        triples: list[Triple] = []
        problems: list[dict[str, object]] = []
        region_scheme = iris.definition("region")
        country_scheme = iris.definition("country")
        triples += scheme_triples(country_scheme, "Countries", "ISO 3166-1 countries, labelled in the EU languages.")
        triples += scheme_triples(region_scheme, "Regions",
                                  "UN M49 regions, sub-regions and intermediate regions, the EU and the EEA.")
        for row in areas:
            triples += self._region(iris, row["slug"], row["name"], row["m49"], region_scheme,
                                    slug_of.get(row["parent"]))
        for slug, (_, name, notation) in GROUPINGS.items():
            triples += self._region(iris, slug, name, notation, region_scheme, None)

        regions_of = {row["alpha2"]: row for row in read_csv(table)}
        for number, country in enumerate(sorted(pycountry.countries, key=lambda c: c.alpha_2), start=1):
            row = regions_of.get(country.alpha_2)
            if row is None:
                problems.append({"message": "country has no row in the regions table", "row": number,
                                 "column": "alpha2", "value": country.alpha_2})
                row = {}
            triples += self._country(iris, country, row, slug_of, country_scheme, problems, number)
        unknown = sorted(set(regions_of) - {c.alpha_2 for c in pycountry.countries})
        problems += [{"message": "not an ISO 3166-1 country in pycountry", "column": "alpha2", "value": code}
                     for code in unknown]
        return Built(triples=triples, problems=problems,
                     counts={"countries": len(pycountry.countries), "regions": len(areas) + len(GROUPINGS)})

    @staticmethod
    def _region(iris: Iris, slug: str, name: str, notation: str, scheme: str, parent: str | None) -> list[Triple]:
        node = region_iri(iris, slug)
        triples: list[Triple] = [
            (node, RDF.type, SKOS.Concept), (node, SKOS.inScheme, URIRef(scheme)),
            (node, SKOS.prefLabel, Literal(name, lang="en")), (node, SKOS.notation, Literal(notation)),
        ]
        if parent:
            triples.append((node, SKOS.broader, region_iri(iris, parent)))
        else:
            triples.append((node, SKOS.topConceptOf, URIRef(scheme)))
        return triples

    @staticmethod
    def _country(iris: Iris, country: object, row: dict[str, str], slug_of: dict[str, str], scheme: str,
                 problems: list[dict[str, object]], number: int) -> list[Triple]:
        alpha2: str = country.alpha_2  # type: ignore[attr-defined]
        node = URIRef(iris.thing("country", alpha2.lower()))
        triples: list[Triple] = [
            (node, RDF.type, SKOS.Concept), (node, SKOS.inScheme, URIRef(scheme)),
            (node, SKOS.topConceptOf, URIRef(scheme)), (node, SKOS.notation, Literal(alpha2)),
            (node, DCTERMS.identifier, Literal(country.alpha_3)),  # type: ignore[attr-defined]
            (node, SKOS.exactMatch, URIRef(EU_COUNTRY + country.alpha_3)),  # type: ignore[attr-defined]
        ]
        labels = country_labels(country)
        triples += [(node, SKOS.prefLabel, Literal(label, lang=lang)) for lang, label in labels.items()]
        official = getattr(country, "official_name", None)
        if official and official != labels["en"]:
            triples.append((node, SKOS.altLabel, Literal(official, lang="en")))
        name = getattr(country, "name", "")
        if name != labels["en"]:  # e.g. ISO's "Bolivia, Plurinational State of"
            triples.append((node, SKOS.altLabel, Literal(name, lang="en")))
        for column in LEVELS:
            code = row.get(column, "")
            if not code:
                continue
            if code not in slug_of:
                problems.append({"message": "unknown M49 area code", "row": number, "column": column, "value": code})
                continue
            triples.append((node, SKOS.broader, region_iri(iris, slug_of[code])))
        for slug, (column, _, _) in GROUPINGS.items():
            if row.get(column) == "1":
                triples.append((node, SKOS.broader, region_iri(iris, slug)))
        return triples
