"""CSV rows -> triples in our model (SPEC.md section 4), one organisation record per row plus its datasets.

Every value that cannot be mapped becomes a problem at its row and column; nothing is guessed. New
records use placeholder subjects until reconciliation gives them their IRI (see :mod:`.model`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from graph.iris import Iris
from graph.store import GraphStore
from loaders.contributions import fields
from loaders.contributions.fields import ADMS, DCAT, DCT, ESSGLOBAL, FOAF, GEO, LOCN, ORG, ROV, SKOS
from loaders.contributions.friendly import Resolver
from loaders.contributions.model import DATASET, ORGANISATION, Draft, Locator, Record, placeholder
from loaders.contributions.parse import Table
from loaders.contributions.problems import Problem
from loaders.contributions.references import References
from loaders.contributions.terms import RDF_TYPE, XSD, TermError, iri, literal

EU_DGA = "https://w3id.org/dpv/legal/eu/dga#"
DATA_COOPERATIVE = "https://ourdata.coop/def/institution-kind/data-cooperative"
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
_BARE_HOST = re.compile(r"^(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?:[/?#]\S*)?$")


@dataclass
class Context:
    iris: Iris
    store: GraphStore
    refs: References

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.iris, self.refs)


def web_address(text: str) -> str | None:
    """An http(s) IRI term for a web address ("www.x.org" gets http://), or None."""
    value = text.strip()
    if _BARE_HOST.match(value):
        value = "http://" + value
    if not value.lower().startswith(("http://", "https://")):
        return None
    try:
        return iri(value)
    except TermError:
        return None


def decimal(text: str, low: float, high: float) -> str | None:
    """A canonical xsd:decimal in [low, high] (the form the store keeps, so statements read back the same)."""
    try:
        number = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite() or not low <= number <= high:
        return None
    return literal("0" if number.is_zero() else format(number.normalize(), "f"), XSD + "decimal")


class RowMapper:
    """Maps one row; ``add`` collects triples, ``problem`` places a problem at this row and a column."""

    def __init__(self, ctx: Context, locator: Locator, row: int, values: dict[str, str], draft: Draft) -> None:
        self.ctx, self.locator, self.row, self.values, self.draft = ctx, locator, row, values, draft
        self.triples = draft.triples

    def problem(self, message: str, code: str, column: str, value: str | None = None,
                candidates: list[str] | None = None) -> None:
        self.draft.problems.append(Problem(message, code, row=self.row, column=self.locator.column(column),
                                           value=value, candidates=candidates or []))

    def resolved(self, column: str, text: str, found: tuple[str | None, Problem | None]) -> str | None:
        value, problem = found
        if problem is not None:
            problem.row, problem.column = self.row, self.locator.column(column)
            self.draft.problems.append(problem)
        return value

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.append((s, iri(p), o))

    def text(self, s: str, p: str, column: str, lang: str | None = None) -> str:
        value = self.values.get(column, "")
        if value:
            self.add(s, p, literal(value, lang=lang))
        return value


def map_table(table: Table, ctx: Context, problems: list[Problem]) -> Draft:
    locator = Locator("csv")
    locator.given_columns = dict(table.given)
    draft = Draft("csv", [], [], problems, locator)
    number = 0
    for row, values in table.rows:
        number += 1
        org = map_organisation(RowMapper(ctx, locator, row, values, draft), number)
        locator.rows[org.term] = (row, None)
        draft.records.append(org)
        for n in sorted({d[0] for name, v in values.items() if v and (d := fields.dataset_column(name))}):
            number += 1
            dataset = map_dataset(RowMapper(ctx, locator, row, values, draft), number, n, org)
            locator.rows[dataset.term] = (row, n)
            draft.records.append(dataset)
    draft.triples = list(dict.fromkeys(draft.triples))  # a value given twice is one statement
    return draft


def _existing_organisation(m: RowMapper, text: str) -> str | None:
    iris = m.ctx.iris
    prefix = iris.base + "id/organisation/"
    slug = text.strip().removeprefix(prefix).strip("/")
    try:
        candidate = iris.thing("organisation", slug)
    except Exception:  # noqa: BLE001 - any invalid slug is the contributor's problem, reported below
        candidate = None
    if candidate is not None and m.ctx.store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
                                                    bindings={"s": _uri(candidate)}):
        return candidate
    m.problem(f"We hold no organisation '{text}'. Leave 'id' empty to add a new organisation, or give the IRI "
              f"of one we hold (e.g. {prefix}example).", "unknown-id", "id", text)
    return None


def _uri(value: str):  # type: ignore[no-untyped-def]
    from rdflib import URIRef

    return URIRef(value)


def map_organisation(m: RowMapper, number: int) -> Record:
    values, resolver = m.values, m.ctx.resolver
    record = Record(number, ORGANISATION, placeholder(number), {"row": m.row}, label=values.get("name", ""))
    if values.get("id"):
        existing = _existing_organisation(m, values["id"])
        if existing is not None:
            record.term, record.explicit = iri(existing), True
    org = record.term
    lang = values.get("language") or None
    if lang and not _LANGUAGE.match(lang):
        m.problem(f"'{lang}' is not a language code; use a two-letter code such as en, fr or de.", "invalid-language",
                  "language", lang)
        lang = None
    m.add(org, RDF_TYPE[1:-1], iri(ORG + "FormalOrganization"))
    if not m.text(org, SKOS + "prefLabel", "name", lang):
        if "name" in m.locator.given_columns:  # a missing column is reported once, at the header
            m.problem("The name is missing: every row needs the organisation's name.", "missing-value", "name")
    else:
        record.names.append(values["name"])
    if m.text(org, ROV + "legalName", "legal_name"):
        record.names.append(values["legal_name"])
    m.text(org, DCT + "description", "description", lang)
    country = None
    if not values.get("country"):
        if "country" in m.locator.given_columns:
            m.problem("The country is missing: say where the organisation is registered or based.",
                      "missing-value", "country")
    else:
        country = m.resolved("country", values["country"], resolver.country(values["country"]))
        if country:
            m.add(org, DCT + "spatial", iri(country))
            record.country = country
    if values.get("legal_form"):
        form = m.resolved("legal_form", values["legal_form"], resolver.legal_form(values["legal_form"], country))
        if form:
            m.add(org, ROV + "orgType", iri(form))
    for text in _many(values.get("kind", "")):
        kind_iri = m.resolved("kind", text, resolver.kind(text))
        if kind_iri:
            m.add(org, ORG + "classification", iri(kind_iri))
            if kind_iri == DATA_COOPERATIVE:
                m.add(org, RDF_TYPE[1:-1], iri(EU_DGA + "DataCooperative"))
    _registration(m, record)
    if values.get("website"):
        homepage = web_address(values["website"])
        if homepage is None:
            m.problem(f"'{values['website']}' is not a web address; give one starting with http:// or https://.",
                      "invalid-url", "website", values["website"])
        else:
            m.add(org, FOAF + "homepage", homepage)
    _site(m, org)
    if values.get("members"):
        text = values["members"].replace(",", "").replace(" ", "")
        if not re.fullmatch(r"\d+", text):
            m.problem(f"'{values['members']}' is not a number of members; give a whole number, e.g. 120.",
                      "invalid-number", "members", values["members"])
        else:
            m.add(org, ESSGLOBAL + "totalOfMembers", literal(str(int(text)), XSD + "integer"))
    for column, prop in (("structure", "organisationalStructure"), ("membership_type", "baseMembershipType"),
                         ("sector", "primarySector")):
        if values.get(column):
            code = m.resolved(column, values[column], resolver.essglobal(column, values[column]))
            if code:
                m.add(org, ESSGLOBAL + prop, iri(code))
    return record


def _many(text: str) -> list[str]:
    return [part.strip() for part in text.split(fields.LIST_SEPARATOR) if part.strip()]


def _registration(m: RowMapper, record: Record) -> None:
    number, register = m.values.get("registration_number", ""), m.values.get("register", "")
    if not number and not register:
        return
    if not number or not register:
        missing = "registration_number" if not number else "register"
        m.problem("Give both the registration number and the register that issued it, or neither.",
                  "incomplete-registration", missing)
        return
    org = record.term
    ident = f"<{org[1:-1]}/registration/{Iris.slugify(register, 60)}>"
    m.add(org, RDF_TYPE[1:-1], iri(ROV + "RegisteredOrganization"))
    m.add(org, ROV + "registration", ident)
    m.add(ident, RDF_TYPE[1:-1], iri(ADMS + "Identifier"))
    m.add(ident, SKOS + "notation", literal(number))
    m.add(ident, ADMS + "schemaAgency", literal(register))
    record.registrations.append((number, register))


def _site(m: RowMapper, org: str) -> None:
    values = m.values
    parts = [(c, values.get(c, "")) for c in ("street", "post_code", "town", "region")]
    lat_text, long_text = values.get("latitude", ""), values.get("longitude", "")
    lat = decimal(lat_text, -90, 90) if lat_text else None
    long = decimal(long_text, -180, 180) if long_text else None
    if lat_text and lat is None:
        m.problem(f"'{lat_text}' is not a latitude: give decimal degrees between -90 and 90, e.g. 50.9097.",
                  "invalid-coordinate", "latitude", lat_text)
    if long_text and long is None:
        m.problem(f"'{long_text}' is not a longitude: give decimal degrees between -180 and 180, e.g. -1.4044.",
                  "invalid-coordinate", "longitude", long_text)
    if bool(lat_text) != bool(long_text):
        m.problem("Give both latitude and longitude, or neither.", "incomplete-coordinates",
                  "longitude" if lat_text else "latitude")
    has_point = lat is not None and long is not None
    if not any(v for _, v in parts) and not has_point:
        return
    site = f"<{org[1:-1]}/site/registered>"
    m.add(org, ORG + "hasRegisteredSite", site)
    m.add(site, RDF_TYPE[1:-1], iri(ORG + "Site"))
    if has_point:
        m.add(site, GEO + "lat", lat)  # type: ignore[arg-type]
        m.add(site, GEO + "long", long)  # type: ignore[arg-type]
    if any(v for _, v in parts):
        address = f"<{site[1:-1]}/address>"
        m.add(site, LOCN + "address", address)
        m.add(address, RDF_TYPE[1:-1], iri(LOCN + "Address"))
        for column, prop in zip(("street", "post_code", "town", "region"),
                                ("thoroughfare", "postCode", "postName", "adminUnitL2"), strict=True):
            m.text(address, LOCN + prop, column)


def map_dataset(m: RowMapper, number: int, n: int, org: Record) -> Record:
    values = {name.removeprefix(f"dataset_{n}_"): v for name, v in m.values.items()
              if name.startswith(f"dataset_{n}_")}
    title = values.get("title", "")
    record = Record(number, DATASET, placeholder(number), {"row": m.row, "dataset": n}, label=title,
                    publisher=org.term)
    dataset, lang = record.term, m.values.get("language") or None
    lang = lang if lang and _LANGUAGE.match(lang) else None
    column = f"dataset_{n}_"
    m.add(dataset, RDF_TYPE[1:-1], iri(DCAT + "Dataset"))
    m.add(dataset, DCT + "publisher", org.term)
    if title:
        m.add(dataset, DCT + "title", literal(title, lang=lang))
        record.names.append(title)
    else:
        m.problem(f"Dataset {n} has no title: give {column}title, or leave all of its columns empty.",
                  "missing-value", column + "title")
    if values.get("description"):
        m.add(dataset, DCT + "description", literal(values["description"], lang=lang))
    if values.get("licence"):
        licence = m.resolved(column + "licence", values["licence"], m.ctx.resolver.licence(values["licence"]))
        if licence:
            m.add(dataset, DCT + "license", iri(licence))
    if values.get("url"):
        url = web_address(values["url"])
        if url is None:
            m.problem(f"'{values['url']}' is not a web address; give one starting with http:// or https://.",
                      "invalid-url", column + "url", values["url"])
        else:
            distribution = f"<{dataset[1:-1]}/distribution/1>"
            m.add(dataset, DCAT + "distribution", distribution)
            m.add(distribution, RDF_TYPE[1:-1], iri(DCAT + "Distribution"))
            m.add(distribution, DCAT + "accessURL", url)
    for text in _many(values.get("theme", "")):
        theme = m.resolved(column + "theme", text, m.ctx.resolver.theme(text))
        if theme:
            m.add(dataset, DCAT + "theme", iri(theme))
    for keyword in _many(values.get("keywords", "")):
        m.add(dataset, DCAT + "keyword", literal(keyword, lang=lang))
    return record

