"""The "Tech coops list" (hng/tech-coops): worker-owned technology co-operatives, and the networks they form.

One organisation per co-op row (``{base}id/organisation/tech-coops-{slug of the name}``), classified a co-operative.
The list is meant for worker-owned co-ops, but rows do not say so one by one (some notes describe multi-stakeholder
co-ops), so no ESSGLOBAL membership type is stated. ``region_country`` is free text ("Leeds, UK",
"USA / Nicaragua / Germany", "Remote"): every country it names becomes ``dct:spatial`` (a US state or Canadian
province counts for its country); text naming none is reported. ``business_areas`` become keywords, ``notes``
(Markdown) the description, ``status`` (active/defunct) ``rov:orgStatus``.

The six networks (``tech-coop-networks.csv`` beside the co-ops file) are ``org:OrganizationalCollaboration``s
classified ``network``. A co-op whose notes say it is a member or part of a network ("Member of FACTTIC", "Part of
[CoTech](https://coops.tech)") gets an ``org:Membership`` in it (and ``org:hasMember``); the list states no other
memberships. Co-ops and networks another source already describes are matched (``loaders.matching``).
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF

from graph.iris import Iris
from loaders.matching import Known, Record, name_key, url_key
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.directory_common import (
    FIRST_ROW,
    Directory,
    countries_in_text,
    markdown_links,
    plain_text,
    read_csv,
)
from loaders.sources.organisation_common import ROV, SPDX, clean, institution_kind

SOURCE_URL = "https://github.com/hng/tech-coops/tree/50b21849c2da9be8e2a4604e2016be94861c9aeb"
NETWORKS_FILE = "tech-coop-networks.csv"
REQUIRED = ("name", "url", "business_areas", "region_country", "notes", "status")
NETWORK_REQUIRED = ("name", "url", "description")
_MEMBERSHIP = re.compile(r"\b(?:member of|part of)\b(.*)", re.IGNORECASE | re.DOTALL)
STATUS_SCHEME = ("organisation-status", "Status of an organisation, as its source states it")


class TechCoops:
    """Maps the tech co-ops list and its networks; see the module docstring."""

    info = SourceInfo(
        name="tech-coops",
        family="source",
        title="Tech coops list: worker-owned technology co-operatives and their networks",
        licence=SPDX + "CC0-1.0",
        attribution="From the Tech coops list (github.com/hng/tech-coops, tech-coops.xyz) by its contributors, "
                    "dedicated to the public domain under CC0 1.0.",
        source_url=SOURCE_URL,
        publisher="Tech coops list contributors (hng/tech-coops)",
        default_file="tech-coops-list/tech-coops.csv",
        matches=True,
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        rows = read_csv(path, REQUIRED, "the tech co-ops list")
        networks_path = path.with_name(NETWORKS_FILE)
        networks = read_csv(networks_path, NETWORK_REQUIRED, "the tech co-op networks list") \
            if networks_path.is_file() else []
        d = Directory(iris, known, URIRef(SOURCE_URL))
        d.plan([_network_record(iris, row) for row in networks if clean(row.get("name"))]
               + [_coop_record(iris, row) for row in rows if clean(row.get("name"))])
        network_keys = [_network(d, row, n) for n, row in enumerate(networks, start=FIRST_ROW)]
        seen: set[str] = set()
        for n, row in enumerate(rows, start=FIRST_ROW):
            name = clean(row.get("name"))
            slug = Iris.slugify(name) if name else ""
            if not name or slug in seen:
                d.m.problem("co-op without a name, or repeated; row skipped", n, "name", name)
                continue
            seen.add(slug)
            _coop(d, row, n, slug, [k for k in network_keys if k is not None])
        d.m.counts["organisations"] = len(seen)
        d.m.counts["networks"] = sum(1 for k in network_keys if k is not None)
        return d.m.built()


NetworkKey = tuple[URIRef, str, str | None]  # (IRI, compact name, website key)


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name_key(text))


def _network_record(iris: Iris, row: dict[str, str]) -> tuple[Record, URIRef]:
    name = clean(row.get("name"))
    own = URIRef(iris.thing("organisation", "tech-coops-network-" + Iris.slugify(name)))
    return Record.of(name, websites=[row.get("url")]), own


def _coop_record(iris: Iris, row: dict[str, str]) -> tuple[Record, URIRef]:
    name = clean(row.get("name"))
    countries, _ = countries_in_text(iris, clean(row.get("region_country")))
    own = URIRef(iris.thing("organisation", "tech-coops-" + Iris.slugify(name)))
    return Record.of(name, countries=countries, websites=[row.get("url")]), own


def _network(d: Directory, row: dict[str, str], n: int) -> NetworkKey | None:
    name = clean(row.get("name"))
    if not name:
        d.m.problem("network without a name; row skipped", n, "name", name)
        return None
    record, own = _network_record(d.iris, row)
    network = d.organisation(own, record, [ORG.OrganizationalCollaboration])
    d.m.add(network, ORG.classification, institution_kind("network"))
    d.homepage(network, row.get("url", ""), n, "url")
    d.m.text(network, DCTERMS.description, row.get("description"), lang="en")
    return network, _compact(name), url_key(row.get("url"))


def _coop(d: Directory, row: dict[str, str], n: int, slug: str, networks: list[NetworkKey]) -> None:
    m = d.m
    region = clean(row.get("region_country"))
    if region and not countries_in_text(d.iris, region)[0]:
        m.problem("no country found in the text; no dct:spatial", n, "region_country", region)
    elif not region:
        m.counts["without country"] += 1
    record, own = _coop_record(d.iris, row)
    org = d.organisation(own, record, [ORG.FormalOrganization])
    m.add(org, ORG.classification, institution_kind("cooperative"))
    notes = clean(row.get("notes"))
    d.homepage(org, row.get("url", ""), n, "url")
    for area in clean(row.get("business_areas")).split(","):
        m.text(org, DCAT.keyword, area.strip(), lang="en")
    m.text(org, DCTERMS.description, plain_text(notes), lang="en")
    status = clean(row.get("status")).lower()
    if status in ("active", "defunct"):
        m.add(org, URIRef(ROV + "orgStatus"), d.concept(STATUS_SCHEME[0], status, status, STATUS_SCHEME[1]))
        m.counts[f"status {status}"] += 1
    elif status:
        m.problem("status is neither active nor defunct; not mapped", n, "status", status)
    for network in _networks_named(notes, networks):
        membership(d, network, org)


def _networks_named(notes: str, networks: list[NetworkKey]) -> list[URIRef]:
    """The networks the notes say the co-op is a member or part of, by name or by a link to the network's site."""
    said = _MEMBERSHIP.search(notes)
    if said is None:
        return []
    text = said[1]
    links = {url_key(link) for link in markdown_links(text)}
    compact = _compact(plain_text(text))
    return [iri for iri, name, site in networks if (name and name in compact) or (site and site in links)]


def membership(d: Directory, network: URIRef, member: URIRef) -> URIRef:
    """An ``org:Membership`` of ``member`` in ``network`` (``{network}/membership/{member's last segment}``)."""
    ms = URIRef(f"{network}/membership/{str(member).rsplit('/', 1)[-1]}")
    d.m.add(ms, RDF.type, ORG.Membership)
    d.m.add(ms, ORG.member, member)
    d.m.add(ms, ORG.organization, network)
    d.m.add(network, ORG.hasMember, member)
    d.m.counts["memberships"] += 1
    return ms



