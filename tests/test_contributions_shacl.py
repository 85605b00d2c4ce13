"""The compiled SHACL Core evaluator gives exactly pyshacl's results on our shapes (it is what validates
large contributions), and anything it cannot evaluate falls back to pyshacl."""

from __future__ import annotations

import pytest
from contributions_support import CORPUS, IRIS, reference_store
from rdflib import Graph

from graph.embedded import EmbeddedStore
from loaders.contributions import references
from loaders.contributions.mapping import Context, map_table
from loaders.contributions.parse import detect_format, parse
from loaders.contributions.rdf_input import normalise
from loaders.contributions.shacl import Compiled, Unsupported, Validator
from loaders.contributions.shacl_data import Data
from loaders.contributions.validate import shacl_results

CASES = [CORPUS / "shacl-violations.ttl"] + sorted((CORPUS / "good").glob("*.*[!p]")) + [
    p for p in sorted((CORPUS / "bad").iterdir()) if p.suffix in (".ttl", ".json", ".jsonld", ".csv")
    and "expected" not in p.name]


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return reference_store()


def draft_of(path, store):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    parsed = parse(data, detect_format(data, filename=path.name), IRIS)
    ctx = Context(IRIS, store, references.references(store))
    return (map_table(parsed.table, ctx, parsed.problems) if parsed.table is not None else normalise(parsed, ctx)), ctx


def key(result):  # type: ignore[no-untyped-def]
    return (result.focus, result.path, result.value, result.component, result.severity, result.message)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_compiled_and_pyshacl_agree(store: EmbeddedStore, path) -> None:  # type: ignore[no-untyped-def]
    draft, ctx = draft_of(path, store)
    if not draft.triples:
        pytest.skip("nothing to validate: refused before validation")
    ours = sorted(map(key, shacl_results(draft, ctx, engine="compiled")), key=str)
    theirs = sorted(map(key, shacl_results(draft, ctx, engine="pyshacl")), key=str)
    assert ours == theirs


def test_the_violations_file_breaks_many_rules(store: EmbeddedStore) -> None:
    draft, ctx = draft_of(CORPUS / "shacl-violations.ttl", store)
    components = {r.component for r in shacl_results(draft, ctx, engine="compiled")}
    assert {"MinCountConstraintComponent", "MaxCountConstraintComponent", "NodeKindConstraintComponent",
            "ClassConstraintComponent", "PatternConstraintComponent", "UniqueLangConstraintComponent",
            "MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent", "OrConstraintComponent",
            "NodeConstraintComponent"} <= components


def test_a_shape_we_cannot_evaluate_sends_its_targets_to_pyshacl(store: EmbeddedStore) -> None:
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:sparql [ sh:select "SELECT $this WHERE { FILTER(false) }" ] .
        <urn:t> a sh:NodeShape ; sh:targetClass <urn:D> ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .
    """, format="turtle")
    compiled = Compiled(shapes)
    assert [s.id for s in compiled.top] == ["urn:t"] and compiled.unsupported
    data = Data([("<urn:x>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<urn:D>"),
                 ("<urn:y>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<urn:C>")])
    assert [r.component for r in Validator(compiled, data).validate(["<urn:x>"])] == ["MinCountConstraintComponent"]
    with pytest.raises(Unsupported):
        Validator(compiled, data).validate(["<urn:y>"])
