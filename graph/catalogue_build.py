"""Builds the catalogue snapshot: members of each collection, their filter values, change times and text index.

A dozen SELECTs, each over one predicate or type (index lookups, no joins), read as CSV; the rest is Python.
What a member "has" is what the named graphs say (the store's default graph is not a source of records).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from graph import bitsets
from graph.catalogue_queries import (
    POLICY_ACTIONS,
    POLICY_HOLDERS,
    csv_rows,
    graph_times,
    predicate_rows,
    subjects_in,
    typed_in,
    typed_values,
)
from graph.catalogue_terms import (
    ACTION_BY_IRI,
    ACTIONS,
    DCT,
    INSTITUTION_KIND,
    KINDS,
    ORG,
    ROV,
    SKOS,
    Kind,
)
from graph.iris import Iris
from graph.store import GraphStore
from graph.text_index import TextDoc, TextIndex

Values = dict[str, set[str]]  # member IRI -> values


def parse_time(text: str) -> float | None:
    """Seconds since the epoch for an xsd:date / xsd:dateTime lexical form (naive = UTC); None if not one."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class KindIndex:
    """One collection: members in IRI order, a bitset per filter value, change times, a text index."""

    def __init__(self, kind: Kind, members: list[str]) -> None:
        self.kind = kind
        self.members = members
        self.position = {iri: i for i, iri in enumerate(members)}
        self.size = len(members)
        self.all = bitsets.full(self.size)
        self.facets: dict[str, dict[str, int]] = {}
        self.modified: list[float | None] = [None] * self.size
        self.text = TextIndex(())

    def set_facet(self, name: str, values: Values) -> None:
        by_value: dict[str, list[int]] = defaultdict(list)
        for iri, found in values.items():
            position = self.position.get(iri)
            if position is None:
                continue
            for value in found:
                by_value[value].append(position)
        self.facets[name] = {value: bitsets.from_positions(p, self.size) for value, p in by_value.items()}


class _Reader:
    """Runs each query once and remembers the rows. Queries are shaped so the engine decodes few terms."""

    def __init__(self, store: GraphStore, iris: Iris) -> None:
        self.store = store
        self.graphs = [g for g in store.named_graphs() if g != iris.meta_graph]
        self.contribution_prefix = iris.base + "graph/contribution/"
        self._predicates: dict[str, list[list[str]]] = {}
        self._types: dict[str, list[tuple[str, str]]] = {}
        self._notations: list[list[str]] | None = None

    def predicate(self, iri: str) -> list[list[str]]:
        """(s, o) rows of one predicate."""
        if iri not in self._predicates:
            self._predicates[iri] = csv_rows(self.store, predicate_rows(iri))
        return self._predicates[iri]

    def typed(self, iri: str) -> list[tuple[str, str]]:
        """(s, graph) for every named graph that gives ``s`` this type."""
        if iri not in self._types:
            self._types[iri] = [(s, g) for g in self.graphs for (s,) in csv_rows(self.store, typed_in(g, iri))]
        return self._types[iri]

    def notations(self) -> list[list[str]]:
        """(s, code) of concepts and licences (not of the many registration identifiers)."""
        if self._notations is None:
            self._notations = [row for t in (SKOS + "Concept", DCT + "LicenseDocument")
                               for row in csv_rows(self.store, typed_values(t, SKOS + "notation"))]
        return self._notations

    def contributed(self) -> list[tuple[str, str]]:
        """(s, graph) for every subject of every contribution graph (they may add to resources others typed)."""
        return [(s, g) for g in self.graphs if g.startswith(self.contribution_prefix)
                for (s,) in csv_rows(self.store, subjects_in(g))]

    def values(self, predicate: str, subjects: Iterable[str] | None = None) -> Values:
        wanted = None if subjects is None else set(subjects)
        found: Values = defaultdict(set)
        rows = self.notations() if predicate == SKOS + "notation" else self.predicate(predicate)
        for s, o in rows:
            if wanted is None or s in wanted:
                found[s].add(o)
        return found


def _members(reader: _Reader, iris: Iris, kind: Kind) -> tuple[list[str], Values]:
    prefix = f"{iris.base}id/{kind.thing}/"
    graphs: Values = defaultdict(set)
    for type_iri in kind.types:
        for s, g in reader.typed(type_iri):
            if s.startswith(prefix) and "/" not in s[len(prefix):] and len(s) > len(prefix):
                graphs[s].add(g)
    return sorted(graphs), graphs


def _policy_terms(store: GraphStore, alias: dict[str, str]) -> tuple[dict[str, dict[str, set[str]]], set[str]]:
    """subject (mapped to ours through exactMatch) -> relation -> action names; and the subjects with a policy."""
    terms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    holders: set[str] = set()
    for s, rel, action in csv_rows(store, POLICY_ACTIONS):
        subject = alias.get(s, s)
        holders.add(subject)
        known = ACTION_BY_IRI.get(action)
        if known is not None:
            terms[subject][rel].add(known.name)
    for (s,) in csv_rows(store, POLICY_HOLDERS):
        holders.add(alias.get(s, s))
    return terms, holders


def _licence_facets(subjects: Iterable[str], terms: dict[str, dict[str, set[str]]],
                    holders: set[str]) -> dict[str, set[str]]:
    """permits / requires / prohibits action names for terms combined from several policies (licence + dataset)."""
    permitted: set[str] = set()
    prohibited: set[str] = set()
    required: set[str] = set()
    has_terms = False
    for subject in subjects:
        has_terms = has_terms or subject in holders
        rules = terms.get(subject, {})
        permitted |= rules.get("permission", set())
        prohibited |= rules.get("prohibition", set())
        required |= rules.get("duty", set())
    if has_terms:
        permitted |= {a.name for a in ACTIONS if a.implicit}
    return {"permits": permitted - prohibited, "requires": required, "prohibits": prohibited}


def _invert(per_member: dict[str, dict[str, set[str]]], facet: str) -> Values:
    return {iri: found[facet] for iri, found in per_member.items()}


class SnapshotData:
    """Everything a snapshot holds (built here; queried by :class:`graph.catalogue.Snapshot`)."""

    def __init__(self) -> None:
        self.token = uuid.uuid4().hex
        self.kinds: dict[str, KindIndex] = {}
        self.notation: dict[str, str] = {}  # IRI of a country / legal form / licence -> its code
        self.regions: set[str] = set()
        self.institution_kinds: set[str] = set()
        self.graphs: set[str] = set()
        self.graph_modified: dict[str, float] = {}
        self.build_seconds = 0.0


def build(store: GraphStore, iris: Iris) -> SnapshotData:
    started = time.perf_counter()
    data = SnapshotData()
    reader = _Reader(store, iris)
    members: dict[str, list[str]] = {}
    graphs: dict[str, Values] = {}
    for name, kind in KINDS.items():
        members[name], graphs[name] = _members(reader, iris, kind)
        data.kinds[name] = KindIndex(kind, members[name])

    for s, o in reader.notations():
        data.notation.setdefault(s, o)
    country_prefix = f"{iris.base}id/country/"
    region_prefix = f"{iris.base}id/region/"
    countries = set(members["countries"])
    broader = reader.values(SKOS + "broader", countries)
    regions_of = {c: {r for r in rs if r.startswith(region_prefix)} for c, rs in broader.items()}
    data.regions = set().union(*regions_of.values()) if regions_of else set()
    for s, _g in reader.typed(SKOS + "Concept"):
        if s.startswith(INSTITUTION_KIND):
            data.institution_kinds.add(s)

    licences = set(members["licences"])
    alias: dict[str, str] = {}
    for s, o in reader.predicate(SKOS + "exactMatch"):
        if s in licences:
            alias.setdefault(o, s)
    terms, holders = _policy_terms(store, alias)

    organisations = members["organisations"]
    org_country = reader.values(DCT + "spatial", organisations)
    org_country = {o: {c for c in cs if c.startswith(country_prefix)} for o, cs in org_country.items()}
    org_form = reader.values(ROV + "orgType", organisations)
    org_kind = reader.values(ORG + "classification", organisations)
    datasets = members["datasets"]
    dataset_licences = {d: {alias.get(lic, lic) for lic in ls}
                        for d, ls in reader.values(DCT + "license", datasets).items()}
    publishers = reader.values(DCT + "publisher", datasets)
    dataset_terms = {d: _licence_facets({d} | dataset_licences.get(d, set()), terms, holders) for d in datasets}
    dataset_country = reader.values(DCT + "spatial", datasets)

    def regions(places: Values) -> Values:
        return {s: set().union(*(regions_of.get(c, set()) for c in cs)) for s, cs in places.items()}

    def via_publisher(per_org: Values) -> Values:
        return {d: set().union(*(per_org.get(p, set()) for p in ps)) for d, ps in publishers.items()}

    # datasets
    publisher_places = via_publisher(org_country)
    places = {d: dataset_country.get(d, set()) | publisher_places.get(d, set()) for d in datasets}
    index = data.kinds["datasets"]
    index.set_facet("country", places)
    index.set_facet("region", regions(places))
    index.set_facet("legal_form", via_publisher(org_form))
    index.set_facet("kind", via_publisher(org_kind))
    index.set_facet("licence", dataset_licences)
    for facet in ("permits", "requires", "prohibits"):
        index.set_facet(facet, _invert(dataset_terms, facet))

    # organisations: licence facets through the datasets they publish
    published: Values = defaultdict(set)
    for d, ps in publishers.items():
        for p in ps:
            published[p].add(d)
    index = data.kinds["organisations"]
    index.set_facet("country", org_country)
    index.set_facet("region", regions(org_country))
    index.set_facet("legal_form", org_form)
    index.set_facet("kind", org_kind)
    index.set_facet("licence", {o: set().union(*(dataset_licences.get(d, set()) for d in ds))
                                for o, ds in published.items()})
    for facet in ("permits", "requires", "prohibits"):
        index.set_facet(facet, {o: set().union(*(dataset_terms[d][facet] for d in ds)) for o, ds in published.items()})

    index = data.kinds["licences"]
    licence_terms = {lic: _licence_facets({lic}, terms, holders) for lic in licences}
    for facet in ("permits", "requires", "prohibits"):
        index.set_facet(facet, _invert(licence_terms, facet))

    forms = members["legal-forms"]
    form_country = reader.values(DCT + "spatial", forms)
    data.kinds["legal-forms"].set_facet("country", form_country)
    data.kinds["legal-forms"].set_facet("region", regions(form_country))
    data.kinds["countries"].set_facet("region", regions_of)

    _finish(data, reader, store, iris, graphs)
    data.build_seconds = time.perf_counter() - started
    return data


def _finish(data: SnapshotData, reader: _Reader, store: GraphStore, iris: Iris, graphs: dict[str, Values]) -> None:
    """Text indexes, sources and change times (these read the label, description and modified statements)."""
    for g, t in csv_rows(store, graph_times(iris.meta_graph)):
        moment = parse_time(t)
        if moment is not None:
            data.graph_modified[g] = max(moment, data.graph_modified.get(g, moment))
    contributed = reader.contributed()
    modified = reader.values(DCT + "modified")
    for name, index in data.kinds.items():
        kind = index.kind
        member_graphs = graphs[name]
        for s, g in contributed:
            if s in index.position:
                member_graphs[s].add(g)
        names = _texts(reader, index, kind.name_properties)
        texts = _texts(reader, index, kind.text_properties)
        index.text = TextIndex(TextDoc(iri, names.get(iri, ()), texts.get(iri, ())) for iri in index.members)
        index.set_facet("source", member_graphs)
        data.graphs |= set().union(*member_graphs.values()) if member_graphs else set()
        for iri, position in index.position.items():
            times = [data.graph_modified[g] for g in member_graphs.get(iri, ()) if g in data.graph_modified]
            times += [t for t in (parse_time(v) for v in modified.get(iri, ())) if t is not None]
            index.modified[position] = max(times) if times else None


def _texts(reader: _Reader, index: KindIndex, properties: Iterable[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for predicate in properties:
        rows = reader.notations() if predicate == SKOS + "notation" else reader.predicate(predicate)
        for s, o in rows:
            if s in index.position:
                found[s].append(o)
    return found
