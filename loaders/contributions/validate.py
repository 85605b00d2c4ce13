"""Validation: the ontology's SHACL shapes, then the reference checks shapes cannot state, as located problems.

SHACL sees the contribution plus the reference concepts it names (their types, schemes and countries, from
the store), so ``sh:class`` and the scheme checks work without the whole reference data in the data graph.
Small contributions are validated by pyshacl; from :data:`PYSHACL_MAX_TRIPLES` triples on, by the compiled
SHACL Core evaluator of :mod:`.shacl` (same shapes, same results, about 20 times faster), unless the shapes
use a feature it lacks. Then come the checks across records and reference data: the legal form belongs to
the organisation's country, kinds and themes are concepts of their schemes, a dataset's publisher exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.term import Node

from loaders.contributions.fields import DCAT, DCT, ORG, ROV
from loaders.contributions.mapping import Context
from loaders.contributions.model import DATASET, ORGANISATION, Draft
from loaders.contributions.problems import ERROR, WARNING, Problem
from loaders.contributions.references import DATA_THEMES, INSTITUTION_KINDS
from loaders.contributions.shacl import Compiled, Result, Unsupported, Validator, shape_message
from loaders.contributions.shacl_data import Data
from loaders.contributions.terms import RDF_TYPE, Triple, from_rdflib, iri_value, kind, local_name, text, to_graph

PYSHACL_MAX_TRIPLES = 3000
SH = "http://www.w3.org/ns/shacl#"


@lru_cache(maxsize=4)
def shapes(base: str) -> Graph:
    from ontology import shapes_graph

    return shapes_graph(base)


@lru_cache(maxsize=4)
def compiled(base: str) -> Compiled:
    return Compiled(shapes(base))


def context_triples(draft: Draft, ctx: Context) -> list[Triple]:
    """What SHACL must see besides the contribution: the reference concepts it names, and the types of the
    organisations and datasets we hold that it points at."""
    subjects = {s for s, _, _ in draft.triples}
    objects = {o for _, _, o in draft.triples if o[0] == "<" and o not in subjects}
    out = ctx.refs.context_for(objects)
    ours = ctx.iris.base + "id/"
    for term in objects:
        value = iri_value(term)
        if value.startswith(ours) and ctx.refs.get(value) is None and "/organisation/" in value:
            for row in ctx.store.select("SELECT ?s ?t WHERE { ?s a ?t }", bindings={"s": URIRef(value)}):
                out.append((term, RDF_TYPE, from_rdflib(row["t"])))
    return out


def shacl_results(draft: Draft, ctx: Context, *, engine: str = "auto") -> list[Result]:
    """SHACL results about the contribution's subjects. ``engine``: auto, pyshacl or compiled.

    A value that fails an ``sh:node`` shape is reported through the results that say why (the latitude is
    out of range, not just "the site is not valid") when those are about the contribution's own nodes."""
    triples = draft.triples + context_triples(draft, ctx)
    subjects = {s for s, _, _ in draft.triples}
    if engine == "auto":
        engine = "pyshacl" if len(draft.triples) <= PYSHACL_MAX_TRIPLES else "compiled"
    results: list[Result] | None = None
    if engine == "compiled":
        try:
            results = Validator(compiled(ctx.iris.base), Data(triples)).validate(subjects)
        except Unsupported:
            results = None
    if results is None:
        results = pyshacl_results(triples, ctx.iris.base)
    return list(_flatten(results, subjects))


def _flatten(results: list[Result], subjects: set[str]) -> Iterator[Result]:
    for result in results:
        if result.focus not in subjects:
            continue  # a reference concept checked because it is in the data graph: not the contributor's
        if result.component == "NodeConstraintComponent" and result.details and \
                all(d.focus in subjects for d in result.details):
            yield from _flatten(result.details, subjects)
        else:
            yield result


def pyshacl_results(triples: list[Triple], base: str) -> list[Result]:
    """pyshacl on the whole data graph: its ``focus_nodes`` and ``use_shapes`` options also skip the nested
    shapes of values outside the list (pyshacl 0.40), so results are filtered afterwards instead."""
    from pyshacl import validate as pyshacl_validate

    data = to_graph(triples)
    shapes_graph = Graph()
    shapes_graph += shapes(base)  # pyshacl gets its own copy (requests run in parallel); blank nodes stay the same
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes_graph, inference="none", allow_warnings=True)
    index = Data(triples)

    def read(node: Node) -> Result:
        def one(name: str) -> Node | None:
            return next(iter(report.objects(node, URIRef(SH + name))), None)

        focus = from_rdflib(one("focusNode"))
        value = one("value")
        value_term = from_rdflib(value) if value is not None else None
        path = one("resultPath")
        if isinstance(path, URIRef):
            path_text: str | None = str(path)
        elif value_term is not None:  # a complex path: name the predicate the value came through
            path_text = next((iri_value(p) for p, os in index.out.get(focus, {}).items() if value_term in os), None)
        else:
            path_text = None
        shape = one("sourceShape")
        message = shape_message(shapes_graph, shape) if shape is not None else None  # not pyshacl's default text
        return Result(focus, path_text, value_term, str(one("sourceConstraintComponent")).removeprefix(SH),
                      str(one("resultSeverity")).removeprefix(SH), message, str(shape),
                      [read(d) for d in report.objects(node, URIRef(SH + "detail"))])

    return [read(node) for node in report.objects(None, URIRef(SH + "result"))]


def _sentence(result: Result) -> str:
    """A plain sentence for a result whose shape gives no sh:message."""
    what = local_name(result.path) if result.path else "this record"
    component = result.component.removesuffix("ConstraintComponent")
    value = f" '{text(result.value)}'" if result.value else ""
    sentences = {
        "MinCount": f"{what} is missing.", "MaxCount": f"{what} has too many values.",
        "Class": f"The {what}{value} is not one of the concepts it must be.",
        "Datatype": f"The {what}{value} has the wrong type of value.",
        "NodeKind": f"The {what}{value} must be given differently (a link or text).",
        "Pattern": f"The {what}{value} does not have the expected form.",
    }
    return sentences.get(component, f"The {what}{value} does not meet the rule {component}.")


def _code(component: str) -> str:
    name = component.removesuffix("ConstraintComponent")
    return "shacl-" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def validate(draft: Draft, ctx: Context, *, engine: str = "auto") -> list[Problem]:
    """Every SHACL and reference problem of the draft, located."""
    problems = []
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    for result in shacl_results(draft, ctx, engine=engine):
        key = (result.focus, result.path, result.value, result.message)
        if key in seen:
            continue
        seen.add(key)
        problem = Problem(result.message or _sentence(result), _code(result.component),
                          severity=ERROR if result.severity == "Violation" else WARNING,
                          value=text(result.value) if result.value else None)
        problems.append(draft.locator.place(problem, result.focus, result.path))
    problems += reference_checks(draft, ctx)
    return problems


def reference_checks(draft: Draft, ctx: Context) -> list[Problem]:
    refs, locator = ctx.refs, draft.locator
    wanted = {f"<{p}>" for p in (ROV + "orgType", ORG + "classification", DCAT + "theme", DCT + "publisher")}
    values: dict[tuple[str, str], list[str]] = {}
    for s, p, o in draft.triples:
        if p in wanted:
            values.setdefault((s, p[1:-1]), []).append(o)
    problems: list[Problem] = []
    terms = {r.term for r in draft.records}
    kinds_loaded = bool(refs.by_scheme.get(INSTITUTION_KINDS))
    themes_loaded = bool(refs.by_scheme.get(DATA_THEMES))
    for record in draft.records:
        if record.kind == ORGANISATION:
            for form in values.get((record.term, ROV + "orgType"), []):
                problems += _legal_form_checks(form, record.country, record.term, ctx, locator)
            for value in values.get((record.term, ORG + "classification"), []):
                if kinds_loaded and kind(value) == "iri" and not refs.in_scheme(iri_value(value), INSTITUTION_KINDS):
                    problems.append(locator.place(Problem(
                        f"{text(value)} is not a kind of institution of our scheme (data-cooperative, data-trust, "
                        "...).", "unknown-kind", value=text(value)), record.term, ORG + "classification"))
        if record.kind == DATASET:
            for value in values.get((record.term, DCAT + "theme"), []):
                if themes_loaded and kind(value) == "iri" and not refs.in_scheme(iri_value(value), DATA_THEMES):
                    problems.append(locator.place(Problem(
                        f"{text(value)} is not an EU data theme (HEAL, ENVI, TRAN...).", "unknown-theme",
                        value=text(value)), record.term, DCAT + "theme"))
            for publisher in values.get((record.term, DCT + "publisher"), []):
                if publisher in terms or kind(publisher) != "iri":
                    continue
                if not ctx.store.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
                                        bindings={"s": URIRef(iri_value(publisher))}):
                    problems.append(locator.place(Problem(
                        f"The publisher {iri_value(publisher)} is neither an organisation we hold nor one in this "
                        "contribution.", "unknown-publisher", value=iri_value(publisher)), record.term,
                        DCT + "publisher"))
    return problems


def _legal_form_checks(form: str, country: str | None, subject: str, ctx: Context, locator) -> list[Problem]:  # type: ignore[no-untyped-def]
    from loaders import resolve

    concept = ctx.refs.get(iri_value(form)) if kind(form) == "iri" else None
    if concept is None:
        return []  # SHACL says it is not a legal form
    problems = []
    code = concept.notations[0] if concept.notations else iri_value(form).rsplit("/", 1)[-1]
    if country and concept.spatial and country not in concept.spatial:
        where = ctx.refs.get(next(iter(concept.spatial)))
        home = ctx.refs.get(country)
        alpha2 = country.rstrip("/").rsplit("/", 1)[-1]
        _, candidates = resolve.legal_form_iri(ctx.iris, concept.label(), alpha2)
        found, _ = resolve.legal_form_iri(ctx.iris, concept.label(), alpha2)
        suggestions = [found] if found else candidates
        problems.append(locator.place(Problem(
            f"{code} ({concept.label()}) is a legal form of {where.label() if where else 'another country'}, but "
            f"the organisation is in {home.label() if home else country}. Give a legal form of that country.",
            "legal-form-country", value=code, candidates=suggestions), subject, ROV + "orgType"))
    if concept.deprecated:
        problems.append(locator.place(Problem(
            f"{code} ({concept.label()}) is a legal form that is no longer in use (ISO 20275 marks it inactive).",
            "legal-form-inactive", severity=WARNING, value=code), subject, ROV + "orgType"))
    return problems

