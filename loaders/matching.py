"""One record per organisation (and per catalogue): a new source's record is matched to the resource already known.

Sources are pure, so they cannot look at the store. The importer builds a :class:`Known` index of the organisations
and catalogues the store already holds (every data graph except the importing source's own) and hands it to the
source's ``build``; the source asks :meth:`Known.match` for each record and, when it matches, writes its statements
about the existing IRI instead of minting a new one. Load order therefore decides which IRI wins (the first source
that describes an organisation mints it); re-importing a source gives the same result, because its own graph is not
in the index it is matched against.

Rules, strongest first; a key shared by several known resources is ambiguous and skipped, never guessed:

1. ``registration``: the same register number from the same register (``rov:registration`` or ``adms:identifier``
   with ``adms:schemaAgency``), e.g. ``companies house|SC123456``;
2. ``wikidata``: the same Wikidata item (``owl:sameAs``/``skos:exactMatch`` to ``wikidata.org/entity/Q...``);
3. ``website``: the same normalised homepage (``loaders.match_keys.url_key``: no scheme, ``www.``, query,
   trailing slash, language or "home" segment: ``https://www.Coops.tech/en/`` -> ``coops.tech``), generic hosts
   (github.com, facebook.com ...) only with a path;
4. ``name-and-country``: the same normalised name (``match_keys.name_key``) and a country in common. Never on a name
   alone: a record without a country, or with another country, does not match; nor does one whose Wikidata item,
   register number (same register) or website (both known, none shared) says it is another body.

How a match is recorded (in the matching source's own graph, so it is attributable and replaced on re-import): the
IRI the source would have minted stays as an alias of the existing resource::

    <{base}id/organisation/tech-coops-agaric> owl:sameAs <{base}id/organisation/coops-uk-R000123> ;
        od:matchReason "website" ;
        od:matchKey "agaric.coop" .

and the source's statements (types, homepage ...) are about ``coops-uk-R000123``; its name is an ``skos:altLabel``
there (the source that minted the IRI keeps ``skos:prefLabel``). The alias has no ``rdf:type``, so it is never
counted as an organisation. ``loaders.match_report`` lists matches, near-misses and
conflicts from these statements.

API for a source (``build(self, iris, file=None, known=None)`` with ``SourceInfo(matches=True)``)::

    from loaders.identify import identify
    from loaders.matching import Known, Record

    record = Record.of("Aberdeen City Council", countries=[country_iri], websites=["http://www.aberdeencity.gov.uk/"],
                       wikidata=["Q2425849"], registrations=[("ONS GSS", "S12000033")])
    found = identify(known, record, URIRef(iris.thing("organisation", "ods-aberdeen_city_council")))
    org = found.subject              # the existing IRI when matched, else the IRI passed in
    mapping.triples += found.triples  # the alias statements above (empty when not matched)

A known resource goes to one record of a source only (:mod:`loaders.identify`). ``identify`` gives it to the first
record that matches it; ``identify_all(known, [(record, own_iri), ...])`` (-> ``{own_iri: Identified}``) to the
strongest match, so a source should match its records in one batch when two of them may name the same body ("South
Ayrshire" by name and "South Ayrshire Council" by website). ``loaders.sources.directory_common.Directory.plan``
does this for the directory sources.

``Known()`` is an empty index (nothing matches); ``Known.from_triples(built.triples, graph)`` indexes another
source's output (handy in tests); ``known.add(iri, record, graph)`` adds a record by hand. Catalogues are matched
the same way with ``Record.of(..., kind="catalogue")`` (``dcat:Catalog``: ``dct:title``, ``foaf:homepage``,
``dct:spatial``).

>>> known = Known()
>>> known.add("https://x.org/id/organisation/a", Record.of("Agaric", countries=["https://x.org/id/country/us"],
...           websites=["http://agaric.coop/"]), "https://x.org/graph/source/a")
>>> known.match(Record.of("Agaric Collective", websites=["https://www.agaric.coop"])).reason
'website'
>>> known.match(Record.of("AGARIC", countries=["https://x.org/id/country/de"])) is None
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal as KindLiteral

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS

from graph.store import GraphStore, Node, Triple
from loaders.match_keys import name_key, registration_key, url_key, wikidata_id
from ontology.vocab import OD

__all__ = ["Known", "Match", "Record", "name_key", "registration_key", "url_key", "wikidata_id"]
Kind = KindLiteral["organisation", "catalogue"]
ROV = "http://www.w3.org/ns/regorg#"
ADMS = "http://www.w3.org/ns/adms#"
SCHEMA_URL = URIRef("https://schema.org/url")

#: Classes that make a resource an organisation, or a catalogue, for matching.
TYPES: dict[str, Kind] = {
    str(ORG.FormalOrganization): "organisation", str(ORG.Organization): "organisation",
    str(ORG.OrganizationalCollaboration): "organisation", ROV + "RegisteredOrganization": "organisation",
    str(DCAT.Catalog): "catalogue",
}
NAME_PROPERTIES = (SKOS.prefLabel, URIRef(ROV + "legalName"), SKOS.altLabel, FOAF.name, DCTERMS.title, RDFS.label)
WEBSITE_PROPERTIES = (FOAF.homepage, DCAT.landingPage, SCHEMA_URL)
SAME_PROPERTIES = (OWL.sameAs, SKOS.exactMatch)
IDENTIFIER_PROPERTIES = (URIRef(ROV + "registration"), URIRef(ADMS + "identifier"))
RULES = ("registration", "wikidata", "website")
_FAMILIES_NOT_DATA = ("ontology", "vocabulary", "reference")


# ------------------------------------------------------------------ records and matches
@dataclass(frozen=True)
class Record:
    """What a source says about one organisation (or catalogue) that can identify it."""

    name: str
    countries: frozenset[str] = frozenset()  # our country IRIs ({base}id/country/xx)
    websites: frozenset[str] = frozenset()  # url_key()s
    registrations: frozenset[str] = frozenset()  # registration_key()s
    wikidata: frozenset[str] = frozenset()  # QIDs
    kind: Kind = "organisation"

    @classmethod
    def of(cls, name: str, *, countries: Iterable[str | None] = (), websites: Iterable[str | None] = (),
           registrations: Iterable[tuple[str, str]] = (), wikidata: Iterable[str | None] = (),
           kind: Kind = "organisation") -> Record:
        """Builds a record from raw values: URLs, (register, number) pairs, QIDs or Wikidata IRIs."""
        return cls(
            name=name,
            countries=frozenset(str(c) for c in countries if c),
            websites=frozenset(k for k in (url_key(w) for w in websites if w) if k),
            registrations=frozenset(k for k in (registration_key(a, n) for a, n in registrations) if k),
            wikidata=frozenset(q for q in (wikidata_id(w) for w in wikidata if w) if q),
            kind=kind,
        )

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class Match:
    iri: str
    reason: str  # registration | wikidata | website | name-and-country
    key: str  # the value both records share


@dataclass
class _Entry:
    """What one graph (or, merged, every graph) says about one resource."""

    iri: str
    kind: Kind | None = None
    names: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    websites: set[str] = field(default_factory=set)
    registrations: set[str] = field(default_factory=set)
    wikidata: set[str] = field(default_factory=set)
    graphs: set[str] = field(default_factory=set)

    def merge(self, other: _Entry) -> None:
        self.kind = self.kind or other.kind
        for name in ("names", "countries", "websites", "registrations", "wikidata", "graphs"):
            getattr(self, name).update(getattr(other, name))


Entry = _Entry


def _contradicts(record: Record, entry: _Entry, rule: str) -> bool:
    """Whether an identifier both hold says they are different bodies (so a weaker rule must not join them)."""
    if record.wikidata and entry.wikidata and not record.wikidata & entry.wikidata:
        return True
    agencies = {r.split("|", 1)[0] for r in record.registrations} & {r.split("|", 1)[0] for r in entry.registrations}
    for agency in agencies:
        ours = {r for r in record.registrations if r.startswith(agency + "|")}
        if not ours & entry.registrations:
            return True
    return bool(rule == "name-and-country" and record.websites and entry.websites
                and not record.websites & entry.websites)


class Known:
    """The organisations and catalogues already described, indexed by every key the rules use.

    Facts are kept per graph, so :meth:`without` (leave out the importing source's own graph) and
    :meth:`replace_graph` (a source was just re-imported) are cheap; the merged index is built on first use."""

    def __init__(self) -> None:
        self._facts: dict[str, dict[str, _Entry]] = {}  # graph -> IRI -> what that graph says
        self._merged: dict[str, _Entry] | None = None
        self._index: dict[tuple[str, str, str], set[str]] = {}
        #: known IRI -> the IRI of the record (of the source being built) that was matched to it
        self.claims: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._entries())

    def __contains__(self, iri: object) -> bool:
        return str(iri) in self._entries()

    @property
    def graphs(self) -> list[str]:
        return sorted(self._facts)

    def add(self, iri: str, record: Record, graph: str) -> None:
        """Adds (or extends) a known resource by hand."""
        entry = self._facts.setdefault(graph, {}).setdefault(str(iri), _Entry(str(iri)))
        entry.kind = entry.kind or record.kind
        if record.name_key:
            entry.names.add(record.name_key)
        entry.countries |= record.countries
        entry.websites |= record.websites
        entry.registrations |= record.registrations
        entry.wikidata |= record.wikidata
        entry.graphs.add(graph)
        self._merged = None

    def without(self, graphs: Iterable[str]) -> Known:
        """The same index without what ``graphs`` say (facts are shared, not copied)."""
        left_out = set(graphs)
        other = Known()
        other._facts = {g: facts for g, facts in self._facts.items() if g not in left_out}
        return other

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Forgets what ``graph`` said and indexes its new triples instead."""
        self._facts.pop(graph, None)
        self._facts.update(_facts_from_quads((s, p, o, graph) for s, p, o in triples))
        self._merged = None

    def match(self, record: Record) -> Match | None:
        """The one known resource this record is, by the strongest rule that names exactly one; else None."""
        entries, index = self._entries(), self._index
        for rule, keys in zip(RULES, (record.registrations, record.wikidata, record.websites), strict=True):
            for key in sorted(keys):
                found = index.get((record.kind, rule, key), set())
                if len(found) == 1:
                    iri = next(iter(found))
                    if not _contradicts(record, entries[iri], rule):
                        return Match(iri, rule, key)
        name = record.name_key
        if not name or not record.countries:
            return None  # never on a name alone
        found = {iri for c in record.countries for iri in index.get((record.kind, "name", f"{name}|{c}"), ())}
        candidates = sorted(iri for iri in found if not _contradicts(record, entries[iri], "name-and-country"))
        if len(candidates) != 1:
            return None
        shared = sorted(record.countries & entries[candidates[0]].countries)
        return Match(candidates[0], "name-and-country", f"{name}|{shared[0].rsplit('/', 1)[-1]}")

    def graphs_of(self, iri: str) -> set[str]:
        entry = self._entries().get(str(iri))
        return set(entry.graphs) if entry else set()

    def resources(self, kind: Kind | None = None) -> list[Entry]:
        """Every known resource (of one kind), with what all graphs say about it merged."""
        return [e for e in self._entries().values() if kind is None or e.kind == kind]

    def by_graph(self, iri: str) -> dict[str, Entry]:
        """What each graph says about one resource (for spotting sources that disagree)."""
        return {g: facts[str(iri)] for g, facts in sorted(self._facts.items()) if str(iri) in facts}

    # -------------------------------------------------------------- building
    @classmethod
    def from_triples(cls, triples: Iterable[Triple], graph: str) -> Known:
        """Indexes one graph's triples (another source's ``Built.triples``)."""
        known = cls()
        known.replace_graph(graph, triples)
        return known

    @classmethod
    def from_store(cls, store: GraphStore, *, exclude_graphs: Iterable[str] = ()) -> Known:
        """Indexes every organisation and catalogue typed in a data graph of the store (not ontology, vocabulary or
        reference graphs), leaving out ``exclude_graphs`` (the importing source's own graph)."""
        families = ", ".join(f'"{f}"' for f in _FAMILIES_NOT_DATA)
        data_graph = f"FILTER NOT EXISTS {{ ?g <{OD.sourceFamily}> ?family FILTER (?family IN ({families})) }}"
        props = " ".join(f"<{p}>" for p in (*NAME_PROPERTIES, *WEBSITE_PROPERTIES, *SAME_PROPERTIES,
                                              DCTERMS.spatial))
        types = " ".join(f"<{t}>" for t in TYPES)
        typed = f"SELECT ?s ?o ?g WHERE {{ VALUES ?o {{ {types} }} GRAPH ?g {{ ?s a ?o }} {data_graph} }}"
        direct = f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {props} }} GRAPH ?g {{ ?s ?p ?o }} {data_graph} }}"
        identifiers = f"""SELECT ?s ?agency ?number ?g WHERE {{
            VALUES ?ip {{ {' '.join(f'<{p}>' for p in IDENTIFIER_PROPERTIES)} }}
            GRAPH ?g {{ ?s ?ip ?id . ?id <{SKOS.notation}> ?number ; <{ADMS}schemaAgency> ?agency }} {data_graph} }}"""
        known = cls()
        rows = [(r["s"], RDF.type, r["o"], str(r["g"])) for r in store.select(typed)]
        rows += [(r["s"], r["p"], r["o"], str(r["g"])) for r in store.select(direct)]
        known._facts = _facts_from_quads(rows)
        for row in store.select(identifiers):
            key = registration_key(str(row["agency"]), str(row["number"]))
            entry = known._facts.get(str(row["g"]), {}).get(str(row["s"]))
            if key and entry is not None:
                entry.registrations.add(key)
        return known.without(exclude_graphs) if exclude_graphs else known

    def _entries(self) -> dict[str, _Entry]:
        """Every graph's facts merged per resource, and the index; resources no graph types are left out."""
        if self._merged is not None:
            return self._merged
        merged: dict[str, _Entry] = {}
        for graph in sorted(self._facts):
            for iri, facts in self._facts[graph].items():
                merged.setdefault(iri, _Entry(iri)).merge(facts)
        self._merged = {iri: entry for iri, entry in merged.items() if entry.kind is not None}
        index: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        for entry in self._merged.values():
            keys = [("registration", k) for k in entry.registrations] + [("wikidata", k) for k in entry.wikidata]
            keys += [("website", k) for k in entry.websites]
            keys += [("name", f"{n}|{c}") for n in entry.names for c in entry.countries]
            for rule, key in keys:
                index[(str(entry.kind), rule, key)].add(entry.iri)
        self._index = dict(index)
        return self._merged


_NOTATION, _AGENCY, _TYPE, _SPATIAL = str(SKOS.notation), ADMS + "schemaAgency", str(RDF.type), str(DCTERMS.spatial)
#: predicate -> which set of an entry its object feeds
_ROLE = {**{str(p): "name" for p in NAME_PROPERTIES}, **{str(p): "website" for p in WEBSITE_PROPERTIES},
         **{str(p): "same" for p in SAME_PROPERTIES}, _SPATIAL: "country",
         **{str(p): "identifier" for p in IDENTIFIER_PROPERTIES}, _NOTATION: "notation", _AGENCY: "agency",
         _TYPE: "type"}


def _facts_from_quads(quads: Iterable[tuple[Node, Node, Node, str]]) -> dict[str, dict[str, _Entry]]:
    """Per graph and subject, the keys its statements give (identifiers stated in the same quads included)."""
    facts: dict[str, dict[str, _Entry]] = defaultdict(dict)
    notations: dict[tuple[str, str], str] = {}
    agencies: dict[tuple[str, str], str] = {}
    links: list[tuple[str, str, str]] = []  # (graph, subject, identifier node)
    for s, p, o, graph in quads:
        role = _ROLE.get(str(p))
        if role is None or not isinstance(s, URIRef):
            continue
        subject, value = str(s), str(o)
        if role == "notation":
            notations[(graph, subject)] = value
        elif role == "agency":
            agencies[(graph, subject)] = value
        elif role == "identifier":
            links.append((graph, subject, value))
        elif role != "type" or value in TYPES:
            entry = facts[graph].get(subject)
            if entry is None:
                entry = facts[graph][subject] = _Entry(subject, graphs={graph})
            _absorb(entry, role, value, isinstance(o, Literal), isinstance(o, URIRef))
    for graph, subject, node in links:
        key = registration_key(agencies.get((graph, node), ""), notations.get((graph, node), ""))
        entry = facts[graph].get(subject)
        if key and entry is not None:
            entry.registrations.add(key)
    return dict(facts)


def _absorb(entry: _Entry, role: str, value: str, literal: bool, iri: bool) -> None:
    if role == "type":
        entry.kind = entry.kind or TYPES[value]
    elif role == "name" and literal:
        if key := _cached_name_key(value):
            entry.names.add(key)
    elif role == "website":
        if key := url_key(value):
            entry.websites.add(key)
    elif role == "same":
        if qid := wikidata_id(value):
            entry.wikidata.add(qid)
    elif role == "country" and iri and "/id/country/" in value:
        entry.countries.add(value)


@lru_cache(maxsize=1 << 16)
def _cached_name_key(name: str) -> str:
    return name_key(name)
