"""RDF contributions (Turtle, N-Triples, RDF/XML, JSON-LD, JSON) -> records under our IRIs.

The rules (SPEC.md section 2): subjects under ``{base}id/organisation/`` and ``{base}id/dataset/`` keep their
IRIs; other organisations and datasets (typed so, with an outside IRI or none) get our IRI after
reconciliation, linked to theirs with ``owl:sameAs``; parts of a record (sites, addresses, registrations,
distributions, policies) that are blank nodes or outside IRIs become ``{record}/site/registered``,
``{record}/registration/1`` ..., so the graph holds no blank nodes and withdrawing diffs exactly. A
contribution cannot describe anything else: reference data, the ontology and other graphs are ours to keep.
Values given as text or outside IRIs where our concepts are expected (a country, legal form, licence, kind,
theme) are resolved like CSV values.
"""

from __future__ import annotations

from collections import defaultdict, deque

from rdflib import URIRef

from loaders.contributions.fields import DCAT, DCT, ORG, ROV, SKOS
from loaders.contributions.mapping import Context
from loaders.contributions.model import DATASET, ORGANISATION, Draft, Locator, Record, placeholder, root_of
from loaders.contributions.parse import Parsed
from loaders.contributions.problems import Problem
from loaders.contributions.terms import RDF_TYPE, Triple, from_rdflib, iri, iri_value, kind, lexical, local_name, text

OWL_SAME_AS = "<http://www.w3.org/2002/07/owl#sameAs>"
OD = "https://ourdata.coop/def/"
ORGANISATION_TYPES = {ORG + "Organization", ORG + "FormalOrganization", ROV + "RegisteredOrganization",
                      ORG + "OrganizationalCollaboration", "https://w3id.org/dpv/legal/eu/dga#DataCooperative"}
DATASET_TYPES = {DCAT + "Dataset"}
#: how a part of a record is named under it; parts marked single are one per record (no number)
SEGMENTS = {
    ORG + "hasRegisteredSite": ("site/registered", True), ORG + "hasSite": ("site", False),
    "http://www.w3.org/ns/locn#address": ("address", True), ORG + "siteAddress": ("address", True),
    ROV + "registration": ("registration", False), DCAT + "distribution": ("distribution", False),
    "http://www.w3.org/ns/odrl/2/hasPolicy": ("policy", True),
}
REFERENCE_PREDICATES = (DCT + "spatial", ROV + "orgType", DCT + "license", ORG + "classification", DCAT + "theme")
_KINDS = {"organisation": ORGANISATION, "dataset": DATASET}
_REFERENCE_KINDS = {"country": "a country", "legal-form": "a legal form", "licence": "a licence",
                    "region": "a region", "agent": "a contributor"}


def normalise(parsed: Parsed, ctx: Context) -> Draft:
    locator = Locator(parsed.format)
    locator.pointers, locator.keys = parsed.pointers, parsed.keys
    draft = Draft(parsed.format, [], [], list(parsed.problems), locator)
    triples = parsed.triples
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    types: dict[str, set[str]] = defaultdict(set)
    for s, p, o in triples:
        by_subject[s].append((p, o))
        if p == RDF_TYPE and o[0] == "<":
            types[s].add(o[1:-1])
    names: dict[str, str] = {}  # the term in the file -> our term
    refused: set[str] = set()
    terms: set[str] = set()  # the records' terms
    base_id = ctx.iris.base + "id/"
    for subject in by_subject:
        if subject[0] == "<" and subject.startswith(base_id, 1) and root_of(subject) in terms:
            continue  # a part of a record this file names: named with the record's parts
        if _reference(subject, ctx, base_id) and _restated(subject, by_subject[subject], ctx):
            refused.add(subject)  # what we hold already, as the API embeds it (a country's names): left out
            continue
        record = _record_for(subject, types.get(subject, set()), base_id, ctx, draft, len(draft.records) + 1,
                             refused, terms)
        if record is None:
            continue
        draft.records.append(record)
        terms.add(record.term)
        if not record.explicit or record.term == subject:  # (a part of one of ours is named with its parts)
            names[subject] = record.term
            locator.origin[record.term] = subject
        if record.given:
            draft.triples.append((record.term, OWL_SAME_AS, subject))
    _name_parts(by_subject, names, draft, base_id, terms, refused)
    for subject in by_subject:
        if subject not in names and subject not in refused:
            draft.problems.append(locator.place(Problem(
                f"{text(subject)} is neither an organisation nor a dataset (say so with rdf:type, e.g. "
                "org:FormalOrganization or dcat:Dataset), nor linked from one in this file.", "orphan"), subject))
    renamed = draft.triples
    if len(names) == len(by_subject) and all(k == v for k, v in names.items()):
        renamed += triples  # every subject is ours already, and no object needs a new name
    else:
        get = names.get
        for s, p, o in triples:
            new = get(s)
            if new is not None:
                renamed.append((new, p, get(o, o)))
    draft.triples = _resolve_references(draft, ctx)
    _describe_records(draft, ctx)
    return draft


def _reference(subject: str, ctx: Context, base_id: str) -> bool:
    """One of our things that contributions cannot describe: reference data, definitions, graphs."""
    if subject[0] != "<":
        return False
    value = subject[1:-1]
    if ctx.refs.get(value) is not None or value.startswith(OD):
        return True
    rel = value.removeprefix(base_id).split("/") if value.startswith(base_id) else []
    return value.startswith(ctx.iris.base) and not (rel and rel[0] in _KINDS)


def _restated(subject: str, statements: list[tuple[str, str]], ctx: Context) -> bool:
    """Whether every statement about ``subject`` is one we hold already."""
    held = {(from_rdflib(p), from_rdflib(o)) for _, p, o in ctx.store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bindings={"s": URIRef(subject[1:-1])})}
    return all(statement in held for statement in statements)


def _record_for(subject: str, subject_types: set[str], base_id: str, ctx: Context, draft: Draft,
                number: int, refused: set[str], terms: set[str]) -> Record | None:
    value = iri_value(subject) if kind(subject) == "iri" else ""
    rel = value.removeprefix(base_id).split("/") if value.startswith(base_id) else []
    if rel and rel[0] in _KINDS and len(rel) >= 2 and rel[1]:
        root = root_of(subject)
        if root in terms:
            return None  # a part of a record named in this file
        # a record, or a part of one of our records that this file does not describe itself
        return Record(number, _KINDS[rel[0]], root, draft.locator.where(root), explicit=True)
    if _reference(subject, ctx, base_id):
        what = _REFERENCE_KINDS.get(rel[0], "not an organisation or dataset") if rel else \
            "one of our definitions or graphs"
        refused.add(subject)
        draft.problems.append(draft.locator.place(Problem(
            f"{value} is {what}: contributions add organisations and datasets, not statements about our "
            "reference data, definitions or graphs.", "not-allowed"), subject))
        return None
    kinds = [k for k, t in ((ORGANISATION, ORGANISATION_TYPES), (DATASET, DATASET_TYPES)) if subject_types & t]
    if not kinds:
        return None  # a part of a record, named when reached from it
    given = iri_value(subject) if kind(subject) == "iri" else None
    return Record(number, kinds[0], placeholder(number), draft.locator.where(subject), given=given)


def _name_parts(by_subject: dict[str, list[tuple[str, str]]], names: dict[str, str], draft: Draft,
                base_id: str, terms: set[str], refused: set[str]) -> None:
    """Names every blank node and outside IRI reached from a record ``{record}/{segment}[/{n}]``."""
    counters: dict[tuple[str, str], int] = defaultdict(int)
    for subject in by_subject:
        if subject not in names and kind(subject) == "iri" and iri_value(subject).startswith(base_id) and \
                root_of(subject) in terms:
            names[subject] = subject  # a part of one of our records, kept as it is
    if len(names) == len(by_subject) and not any(o[0] == "_" for pos in by_subject.values() for _, o in pos):
        return  # every subject is named and no blank node is left: nothing to walk (our own IRIs throughout)
    queue = deque(names)
    while queue:
        owner = queue.popleft()
        for p, o in by_subject.get(owner, []):
            if o in names or o in refused or kind(o) == "literal" or (kind(o) == "iri" and o not in by_subject):
                continue
            segment, single = SEGMENTS.get(iri_value(p), (local_name(iri_value(p)), False))
            counters[(owner, segment)] += 1
            count = counters[(owner, segment)]
            suffix = segment if single and count == 1 else f"{segment}/{count}"
            new = f"<{iri_value(names[owner])}/{suffix}>"
            names[o] = new
            draft.locator.origin[new] = o
            draft.locator.parent[o] = (owner, iri_value(p))
            if kind(o) == "iri":
                draft.triples.append((new, OWL_SAME_AS, o))
            queue.append(o)


def _resolve_references(draft: Draft, ctx: Context) -> list[Triple]:
    """Outside IRIs (EU country, GLEIF, SPDX) and text where a concept is expected become our concepts.
    Countries go first: a legal form given by name is looked up in its organisation's country."""
    spatial = f"<{DCT}spatial>"
    references = {f"<{p}>" for p in REFERENCE_PREDICATES}
    first = [_resolved(t, draft, ctx, {}) for t in draft.triples if t[1] == spatial]
    countries = {t[0]: iri_value(t[2]) for t in first if t is not None and t[2][0] == "<"}
    out = [t for t in first if t is not None]
    for triple in draft.triples:
        if triple[1] not in references:
            out.append(triple)
        elif triple[1] != spatial:
            resolved = _resolved(triple, draft, ctx, countries)
            if resolved is not None:
                out.append(resolved)
    return list(dict.fromkeys(out))


def _resolved(triple: Triple, draft: Draft, ctx: Context, countries: dict[str, str]) -> Triple | None:
    s, p, o = triple
    predicate = iri_value(p)
    if predicate not in REFERENCE_PREDICATES:
        return triple
    resolver = ctx.resolver
    if o[0] == "<":
        ours = ctx.refs.ours(iri_value(o))
        if ours is None and predicate == DCT + "license":
            ours = resolver.licence(iri_value(o))[0]
        return (s, p, iri(ours)) if ours else triple
    value = lexical(o) if o[0] == '"' else o
    if predicate == DCT + "spatial":
        found = resolver.country(value)
    elif predicate == ROV + "orgType":
        found = resolver.legal_form(value, countries.get(s))
    else:
        found = resolver.by_predicate()[predicate](value)
    resolved, problem = found
    if problem is not None:
        draft.problems.append(draft.locator.place(problem, s, predicate))
        return None
    return (s, p, iri(resolved))  # type: ignore[arg-type]


def _describe_records(draft: Draft, ctx: Context) -> None:
    """Fills each record's reconciliation keys (names, country, registrations, publisher) from its triples."""
    wanted = {f"<{p}>" for p in (SKOS + "prefLabel", ROV + "legalName", DCT + "title", DCT + "spatial",
                                 ROV + "registration", SKOS + "notation", DCT + "publisher",
                                 "http://www.w3.org/ns/adms#schemaAgency")}
    values: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s, p, o in draft.triples:
        if p in wanted:
            values[(s, p[1:-1])].append(o)
    for record in draft.records:
        term = record.term
        for predicate in (SKOS + "prefLabel", ROV + "legalName", DCT + "title"):
            record.names += [lexical(o) for o in values[(term, predicate)] if o[0] == '"']
        record.label = record.names[0] if record.names else (record.given or iri_value(term))
        spatial = [iri_value(o) for o in values[(term, DCT + "spatial")] if o[0] == "<"]
        record.country = spatial[0] if spatial else None
        for ident in values[(term, ROV + "registration")]:
            numbers = values[(ident, SKOS + "notation")]
            agencies = values[(ident, "http://www.w3.org/ns/adms#schemaAgency")]
            if numbers and agencies:
                record.registrations.append((text(numbers[0]), text(agencies[0])))
        publishers = values[(term, DCT + "publisher")]
        record.publisher = publishers[0] if publishers else None
