"""ODRL policies for the licences people use for data: derived from RDFLicense (or CC's ccREL), then corrected.

A policy is reduced to three sets of actions (permitted, required, prohibited), corrected by our overlay
(``loaders/data/licence-overlay/licence-overlay.ttl``) and written back as an ``odrl:Set`` whose every rule
has its own IRI under the licence (``{licence}/policy/permission/1`` ...), one action per rule.
Analysts then ask:

- permits commercial use: ``?licence odrl:hasPolicy ?p . FILTER NOT EXISTS { ?p odrl:prohibition/odrl:action
  cc:CommercialUse }``
- requires share-alike: ``?licence odrl:hasPolicy/odrl:permission/odrl:duty/odrl:action cc:ShareAlike``

The upstream RDFLicense graph is also published as is (its blank nodes named under the licence, e.g.
``{licence}/rdflicense/permission/1``), so our corrections can be compared with what RDFLicense says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from graph.errors import BadRequest
from graph.store import Triple
from loaders.sources.reference_common import CC, ODRL, data_file, parse_rdf

OVERLAY_FILE = data_file("licence-overlay", "licence-overlay.ttl")
FIX = Namespace("urn:ourdata:licence-overlay#")
#: Relative licence IRIs in the overlay are resolved against this and then stripped, whatever our base is.
OVERLAY_BASE = "https://licence.invalid/"
_CHANGES = {FIX.addPermission: ("permits", True), FIX.removePermission: ("permits", False),
            FIX.addDuty: ("duties", True), FIX.removeDuty: ("duties", False),
            FIX.addProhibition: ("prohibits", True), FIX.removeProhibition: ("prohibits", False)}


@dataclass
class Rules:
    """What a licence lets you do, requires and forbids, as ODRL/ccREL action IRIs."""

    permits: set[URIRef] = field(default_factory=set)
    duties: set[URIRef] = field(default_factory=set)
    prohibits: set[URIRef] = field(default_factory=set)
    source: URIRef | None = None
    derived_from: URIRef | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Correction:
    licence: str  # SPDX id
    change: URIRef  # a fix: property
    value: URIRef
    why: str


def rdflicense_rules(graph: Graph, policy: URIRef) -> Rules:
    """The actions of one RDFLicense policy (permissions carry the duties)."""
    rules = Rules(derived_from=policy)
    for permission in graph.objects(policy, ODRL.permission):
        rules.permits.update(a for a in graph.objects(permission, ODRL.action) if isinstance(a, URIRef))
        for duty in graph.objects(permission, ODRL.duty):
            rules.duties.update(a for a in graph.objects(duty, ODRL.action) if isinstance(a, URIRef))
    for prohibition in graph.objects(policy, ODRL.prohibition):
        rules.prohibits.update(a for a in graph.objects(prohibition, ODRL.action) if isinstance(a, URIRef))
    source = graph.value(policy, DCTERMS.source)
    rules.source = source if isinstance(source, URIRef) else None
    return rules


def ccrel_rules(graph: Graph, licence: URIRef) -> Rules:
    """CC's own description of a licence: cc:permits / cc:requires / cc:prohibits."""
    def actions(prop: URIRef) -> set[URIRef]:
        return {a for a in graph.objects(licence, prop) if isinstance(a, URIRef)}

    return Rules(permits=actions(CC.permits), duties=actions(CC.requires), prohibits=actions(CC.prohibits),
                 source=licence, derived_from=licence)


def corrections(path: Path = OVERLAY_FILE) -> list[Correction]:
    """The overlay's corrections; BadRequest when one lacks a licence, a change or a reason."""
    graph = parse_rdf(path, "turtle", OVERLAY_BASE)
    found: list[Correction] = []
    for node in set(graph.subjects(FIX.licence, None)):
        licence = graph.value(node, FIX.licence)
        why = graph.value(node, RDFS.comment)
        changes = [(p, o) for p, o in graph.predicate_objects(node) if p in _CHANGES or p == FIX.source]
        if not isinstance(licence, URIRef) or not why or len(changes) != 1:
            raise BadRequest(f"{path.name}: each correction needs fix:licence, one change and rdfs:comment")
        change, value = changes[0]
        found.append(Correction(str(licence).removeprefix(OVERLAY_BASE), change, value, str(why)))  # type: ignore[arg-type]
    return sorted(found, key=lambda c: (c.licence, str(c.change), str(c.value)))


def corrected(rules: Rules, fixes: list[Correction]) -> Rules:
    """Applies the overlay's corrections for one licence; each leaves its reason in ``notes``."""
    for fix in fixes:
        if fix.change == FIX.source:
            rules.source = fix.value
        else:
            attribute, add = _CHANGES[fix.change]
            actions: set[URIRef] = getattr(rules, attribute)
            (actions.add if add else actions.discard)(fix.value)
        rules.notes.append(fix.why)
    return rules


def policy_triples(licence: URIRef, title: str, rules: Rules) -> list[Triple]:
    """The licence's ``odrl:Set``: one rule per action, numbered in IRI order so re-imports diff cleanly.

    Every duty binds every permission, except share-alike, which binds adapting (cc:DerivativeWorks)
    where the licence permits it: sharing an unmodified copy never triggers share-alike."""
    policy = URIRef(f"{licence}/policy")
    triples: list[Triple] = [
        (licence, ODRL.hasPolicy, policy), (policy, RDF.type, ODRL.Set), (policy, RDF.type, ODRL.Policy),
        (policy, ODRL.uid, policy), (policy, RDFS.label, Literal(f"Licence policy: {title}", lang="en")),
    ]
    if rules.source is not None:
        triples.append((policy, DCTERMS.source, rules.source))
    if rules.derived_from is not None:
        triples.append((policy, PROV.wasDerivedFrom, rules.derived_from))
    triples += [(policy, SKOS.changeNote, Literal(note, lang="en")) for note in rules.notes]
    duties: dict[URIRef, URIRef] = {}
    for number, action in enumerate(sorted(rules.duties), start=1):
        duty = URIRef(f"{policy}/duty/{number}")
        duties[action] = duty
        triples += [(duty, RDF.type, ODRL.Duty), (duty, ODRL.action, action)]
    adapting = CC.DerivativeWorks in rules.permits
    for number, action in enumerate(sorted(rules.permits), start=1):
        permission = URIRef(f"{policy}/permission/{number}")
        triples += [(policy, ODRL.permission, permission), (permission, RDF.type, ODRL.Permission),
                    (permission, ODRL.action, action)]
        for duty_action, duty in duties.items():
            if duty_action == CC.ShareAlike and adapting and action != CC.DerivativeWorks:
                continue
            triples.append((permission, ODRL.duty, duty))
    for number, action in enumerate(sorted(rules.prohibits), start=1):
        prohibition = URIRef(f"{policy}/prohibition/{number}")
        triples += [(policy, ODRL.prohibition, prohibition), (prohibition, RDF.type, ODRL.Prohibition),
                    (prohibition, ODRL.action, action)]
    return triples


def skolemised(graph: Graph, root: URIRef, name: str) -> list[Triple]:
    """``root``'s description with every blank node under it renamed ``{name}/{property}/{n}`` (recursively),
    numbered by content so the names are stable across loads."""
    out: list[Triple] = []

    def visit(subject: URIRef | BNode, iri: URIRef, prefix: str) -> None:
        by_property: dict[URIRef, list[BNode]] = {}
        for prop, obj in sorted(graph.predicate_objects(subject)):
            if isinstance(obj, BNode):
                by_property.setdefault(prop, []).append(obj)  # type: ignore[arg-type]
            else:
                out.append((iri, prop, obj))  # type: ignore[arg-type]
        for prop, nodes in by_property.items():
            local = str(prop).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            ordered = sorted(nodes, key=lambda n: sorted((str(p), str(o)) for p, o in graph.predicate_objects(n)))
            for number, node in enumerate(ordered, start=1):
                child = URIRef(f"{prefix}/{local}/{number}")
                out.append((iri, prop, child))
                visit(node, child, str(child))

    visit(root, root, name)
    return out
