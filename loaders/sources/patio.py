"""Patio, the International Co-operative Alliance's worldwide network of tech worker co-operatives: its members.

Patio itself is an ``org:OrganizationalCollaboration`` classified ``network`` (``{base}id/organisation/patio``, or
the IRI another source gave it: the tech co-ops list names it "Patio ICA"); each member co-op
(``{base}id/organisation/patio-{slug}``) is a co-operative with an ``org:Membership`` in it. ``country`` is the
English name of the group the co-op is listed under; the country marker's coordinates are the site's globe pin (a
capital city), not the co-op's address, so they are not mapped. ``services`` (``;``-separated, from the site's
list with a few spelling variants) become concepts of a small scheme ``{base}def/tech-service`` linked by
``org:purpose``; the English tagline is ``dct:abstract``, the description ``dct:description``.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG

from graph.iris import Iris
from loaders.matching import Known, Record, name_key
from loaders.resolve import country_iri
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.directory_common import FIRST_ROW, Directory, read_csv
from loaders.sources.organisation_common import SPDX, clean, institution_kind
from loaders.sources.tech_coops import membership

SOURCE_URL = ("https://github.com/patio-coop/patio-homepage/tree/c5572772f6198558d27b9b708a7f2c3ffb49c2cf/"
              "prototype/assets")
PATIO_SITES = ("https://patio.coop/", "https://patio.ica.coop/")
REQUIRED = ("name", "url", "country", "services", "tagline_en", "description_en")
SERVICE_SCHEME = ("tech-service", "Services of technology co-operatives (as Patio lists them)")


class Patio:
    """Maps Patio's member list; see the module docstring."""

    info = SourceInfo(
        name="patio",
        family="source",
        title="Patio: the ICA's worldwide network of tech worker co-operatives, member list",
        licence=SPDX + "MIT",
        attribution="Member list of Patio.coop, the International Co-operative Alliance's tech co-op network "
                    "(patio-coop/patio-homepage, MIT licence, Copyright (c) 2023 Patio.coop).",
        source_url=SOURCE_URL,
        publisher="Patio.coop (International Co-operative Alliance)",
        default_file="patio-tech-coops/patio-member-coops.csv",
        matches=True,
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        rows = read_csv(path, REQUIRED, "Patio's member list")
        d = Directory(iris, known, URIRef(SOURCE_URL))
        own_patio, patio_record = URIRef(iris.thing("organisation", "patio")), Record.of("Patio", websites=PATIO_SITES)
        d.plan([(patio_record, own_patio)] + [_record(iris, row) for row in rows if clean(row.get("name"))])
        patio = d.organisation(own_patio, patio_record, [ORG.OrganizationalCollaboration])
        d.m.add(patio, ORG.classification, institution_kind("network"))
        for site in PATIO_SITES:
            d.homepage(patio, site, 0, "url")
        d.m.add(patio, DCTERMS.description, d.m.literal(
            "The worldwide network of technology worker co-operatives of the International Co-operative Alliance.",
            "en"))
        seen: set[str] = set()
        for n, row in enumerate(rows, start=FIRST_ROW):
            name = clean(row.get("name"))
            slug = Iris.slugify(name) if name else ""
            if not name or slug in seen:
                d.m.problem("member without a name, or repeated; row skipped", n, "name", name)
                continue
            seen.add(slug)
            _member(d, row, n, slug, patio)
        d.m.counts["organisations"] = len(seen)
        return d.m.built()


def _record(iris: Iris, row: dict[str, str]) -> tuple[Record, URIRef]:
    country, _ = country_iri(iris, clean(row.get("country")))
    own = URIRef(iris.thing("organisation", "patio-" + Iris.slugify(clean(row.get("name")))))
    return Record.of(clean(row["name"]), countries=[country], websites=[row.get("url")]), own


def _member(d: Directory, row: dict[str, str], n: int, slug: str, patio: URIRef) -> None:
    m = d.m
    if country_iri(d.iris, clean(row.get("country")))[0] is None:
        m.problem("unknown country; not mapped", n, "country", clean(row.get("country")))
    record, own = _record(d.iris, row)
    org = d.organisation(own, record, [ORG.FormalOrganization])
    m.add(org, ORG.classification, institution_kind("cooperative"))
    d.homepage(org, row.get("url", ""), n, "url")
    m.text(org, DCTERMS.abstract, row.get("tagline_en"), lang="en")
    m.text(org, DCTERMS.description, row.get("description_en"), lang="en")
    for service in clean(row.get("services")).split(";"):
        service = service.strip()
        code = Iris.slugify(name_key(service)) if service else ""
        if code and code != "unnamed":
            m.add(org, ORG.purpose, d.concept(SERVICE_SCHEME[0], code, service, SERVICE_SCHEME[1]))
            m.counts["services stated"] += 1
    membership(d, patio, org)
