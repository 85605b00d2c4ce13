"""Solid pod providers and organisations using Solid (solidproject.org): who runs personal data stores.

Two lists of the Solid Project's site. "Hosted Pod Services" (``hosted-pod-services.csv``): each service is a
``dcat:DataService`` (``{base}id/service/solid-{slug}``) with its sign-up page as ``dcat:landingPage``, its
operator as ``dct:publisher`` and where the pods are hosted, as the page states it, as ``dct:spatial`` (EU, a
country; "Asia Pacific" names no region we hold and is reported). "Organisations using Solid"
(``solid-organisations.csv``): each organisation, with its ``type`` as the page writes it.

Operators of a hosted pod service and organisations the page calls a pod provider are classified
``personal-data-store``; "Software Engineering" organisations are described without a kind. Operators are one
organisation per website (the page lists Meisdata's site for three services and for "Solid Grassoots", which runs
solidweb.org), so that second name becomes an alternative label; the page's typo ``https://digita.ia/`` is reported
and not used as Digita's homepage. None is stated to be a co-operative. The list gives no countries.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS

from graph.iris import Iris
from loaders.matching import Known, Record
from loaders.resolve import country_iri
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.directory_common import FIRST_ROW, Directory, read_csv
from loaders.sources.organisation_common import SPDX, clean, institution_kind

SOURCE_URL = "https://github.com/solid/solidproject.org/tree/34d62cc2976cf2a511e01806f758e5da48030449"
SERVICES_PAGE = "https://solidproject.org/users/get-a-pod"
ORGANISATIONS_PAGE = "https://solidproject.org/for_organisations"
ORGANISATIONS_FILE = "solid-organisations.csv"
REQUIRED = ("service", "signup_url", "organisation", "organisation_url", "hosting_location")
ORGANISATION_REQUIRED = ("name", "url", "tagline", "type")
#: Websites the page gets wrong, with why (reported, not used).
BAD_SITES = {"https://digita.ia/": "typo on the page: Digita's site is digita.ai (the organisations list has it)"}
PDS = institution_kind("personal-data-store")


class Solid:
    """Maps the two Solid Project lists; see the module docstring."""

    info = SourceInfo(
        name="solid",
        family="source",
        title="Solid Project: hosted pod services and organisations using Solid",
        licence=SPDX + "MIT",
        attribution="From the Solid Project website (solid/solidproject.org, MIT licence): \"Hosted Pod Services\" "
                    "and \"Organisations using Solid\".",
        source_url=SOURCE_URL,
        publisher="Solid Project",
        default_file="solid-pod-providers/hosted-pod-services.csv",
        matches=True,
    )

    def build(self, iris: Iris, file: Path | None = None, known: Known | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        services = read_csv(path, REQUIRED, "the Solid hosted pod services list")
        organisations_path = path.with_name(ORGANISATIONS_FILE)
        organisations = read_csv(organisations_path, ORGANISATION_REQUIRED, "the organisations using Solid list") \
            if organisations_path.is_file() else []
        operators = _Operators(Directory(iris, known, None))
        d = operators.d
        for n, row in enumerate(organisations, start=FIRST_ROW):
            name = clean(row.get("name"))
            if not name:
                d.m.problem("organisation without a name; row skipped", n, "name", name)
                continue
            kind = clean(row.get("type"))
            org = operators.get(name, clean(row.get("url")), n, "url", URIRef(ORGANISATIONS_PAGE))
            d.m.text(org, DCTERMS.description, row.get("tagline"), lang="en")
            d.m.text(org, SKOS.note, f"Listed by the Solid Project as: {kind}" if kind else "", lang="en")
            if "pod provider" in kind.lower():
                d.m.add(org, ORG.classification, PDS)
            d.m.counts["organisations using Solid"] += 1
        for n, row in enumerate(services, start=FIRST_ROW):
            _service(operators, row, n)
        d.m.counts["organisations"] = len(set(operators.by_site.values()) | set(operators.by_name.values()))
        return d.m.built()


class _Operators:
    """One organisation per website (or, without a usable website, per name) within these lists."""

    def __init__(self, d: Directory) -> None:
        self.d = d
        self.by_site: dict[str, URIRef] = {}
        self.by_name: dict[str, URIRef] = {}

    def get(self, name: str, site: str, n: int, column: str, page: URIRef) -> URIRef:
        d = self.d
        if site in BAD_SITES:
            d.m.problem(f"website not used: {BAD_SITES[site]}", n, column, site)
            site = ""
        record = Record.of(name, websites=[site])
        site_key = next(iter(record.websites), None)
        org = self.by_site.get(site_key) if site_key else self.by_name.get(record.name_key)
        if org is None:
            own = URIRef(d.iris.thing("organisation", "solid-" + Iris.slugify(name)))
            org = d.organisation(own, record, [ORG.FormalOrganization], source=page)
            d.homepage(org, site, n, column)
        elif record.name_key not in self.by_name:
            d.m.text(org, SKOS.altLabel, name)  # another name the page uses for the same site
        if site_key:
            self.by_site.setdefault(site_key, org)
        self.by_name.setdefault(record.name_key, org)
        return org


def _service(operators: _Operators, row: dict[str, str], n: int) -> None:
    d = operators.d
    m = d.m
    title = clean(row.get("service"))
    if not title:
        m.problem("service without a name; row skipped", n, "service", title)
        return
    operator = operators.get(clean(row.get("organisation")), clean(row.get("organisation_url")), n,
                             "organisation_url", URIRef(SERVICES_PAGE))
    m.add(operator, ORG.classification, PDS)
    service = URIRef(d.iris.thing("service", "solid-" + Iris.slugify(title)))
    m.add(service, RDF.type, DCAT.DataService)
    m.add(service, DCTERMS.title, m.literal(title))
    m.add(service, DCTERMS.publisher, operator)
    m.add(service, DCTERMS.source, URIRef(SERVICES_PAGE))
    m.add(service, DCTERMS.type, PDS)  # a personal data store service
    d.homepage(service, row.get("signup_url", ""), n, "signup_url", DCAT.landingPage)
    location = clean(row.get("hosting_location"))
    for place in [p.strip() for p in location.replace("&", ";").replace(" or ", ";").split(";") if p.strip()]:
        spatial = _place(d, place)
        if spatial is None:
            m.problem("hosting location names no country or region we hold; not mapped", n, "hosting_location",
                      place)
        else:
            m.add(service, DCTERMS.spatial, spatial)
    m.counts["pod services"] += 1


def _place(d: Directory, text: str) -> URIRef | None:
    if text.strip().upper() == "EU":
        return URIRef(d.iris.thing("region", "eu"))
    iri, _ = country_iri(d.iris, text)
    return URIRef(iri) if iri else None
