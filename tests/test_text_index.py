"""The full-text index: tokenization (accents, case, hyphens), prefix matching and ranking."""

from __future__ import annotations

import time

import pytest

from graph.text_index import TextDoc, TextIndex, fold, query_terms, tokens


def keys(index: TextIndex, query: str) -> list[str]:
    return [key for key, _score in index.search(query)]


@pytest.fixture(scope="module")
def index() -> TextIndex:
    return TextIndex([
        TextDoc("exact", ("Our Data Co-op",), ("A co-operative for health data.",)),
        TextDoc("mentions", ("Health Data Collective",), ("Works with our data co-op partners on data co-op rules.",)),
        TextDoc("french", ("Coopérative Énergie Données",), ("Une coopérative citoyenne.",)),
        TextDoc("german", ("Straßenbahn Genossenschaft Zürich",), ()),
        TextDoc("norse", ("Øresund Datasamvirke",), ()),
        TextDoc("drivers", ("Driver's Seat Cooperative",), ("Platform co-operative for drivers' data.",)),
        TextDoc("long", ("Our Data Co-op: Intelligent Sharing for Community Benefit and Many More Words",), ()),
        TextDoc("energy", ("Bristol Energy Co-operative",), ("Community-owned solar.",)),
    ])


def test_folding_removes_accents_and_case() -> None:
    assert fold("Coopérative ÉNERGIE") == "cooperative energie"
    assert fold("Straße Øre Łódź") == "strasse ore lodz"
    assert tokens("Co-op's") == ["co", "op", "s", "coops"]
    assert query_terms("co-op data") == ["coop", "data"]


def test_exact_name_beats_description_mentions(index: TextIndex) -> None:
    ranked = keys(index, "our data co-op")
    assert ranked[0] == "exact"
    assert "mentions" in ranked  # the description also matches every word
    assert ranked.index("exact") < ranked.index("long") < ranked.index("mentions")


def test_name_match_beats_description_match(index: TextIndex) -> None:
    ranked = keys(index, "energy")
    assert ranked == ["energy"]
    ranked = keys(index, "health")
    assert ranked[0] == "mentions"  # "Health" in the name
    assert ranked.index("mentions") < ranked.index("exact")  # "health" only in the description


def test_accents_are_ignored_both_ways(index: TextIndex) -> None:
    assert keys(index, "cooperative energie")[0] == "french"
    assert keys(index, "COOPÉRATIVE ÉNERGIE")[0] == "french"
    assert keys(index, "strassenbahn zurich") == ["german"]
    assert keys(index, "zürich straß") == ["german"]
    assert keys(index, "oresund") == ["norse"]


def test_last_term_matches_as_prefix(index: TextIndex) -> None:
    assert keys(index, "bristol ener") == ["energy"]
    assert keys(index, "datasam") == ["norse"]
    assert keys(index, "bristol ener ") == []  # a trailing space ends the word: no prefix


def test_every_term_must_match(index: TextIndex) -> None:
    assert keys(index, "bristol health") == []
    assert keys(index, "") == []
    assert keys(index, "  ,; ") == []


def test_hyphen_and_joined_forms_match(index: TextIndex) -> None:
    assert set(keys(index, "coop ")) == {"exact", "mentions", "long"}  # "Co-op" is indexed as "coop" too
    assert set(keys(index, "co-operative ")) == {"exact", "energy", "drivers", "french"}  # = "cooperative"
    assert keys(index, "driver's seat") == ["drivers"]


def test_ties_are_ordered_by_key_and_limit_applies(index: TextIndex) -> None:
    results = index.search("data", limit=3)
    assert len(results) == 3
    scores = [score for _key, score in index.search("data")]
    assert scores == sorted(scores, reverse=True)


def test_builds_and_answers_fast_at_scale() -> None:
    words = ["data", "co-op", "community", "energy", "housing", "workers", "Coopérative", "platform", "trust"]
    docs = [TextDoc(f"k{i:06d}", (f"{words[i % 9]} {words[(i // 9) % 9]} {i}",), (f"about {words[(i // 81) % 9]}",))
            for i in range(20_000)]
    started = time.perf_counter()
    index = TextIndex(docs)
    built = time.perf_counter() - started
    started = time.perf_counter()
    results = index.search("data co")
    answered = time.perf_counter() - started
    assert results
    assert built < 10 and answered < 1, (built, answered)  # generous: measured in benchmarks/RESULTS.md


def test_keep_filters_before_ranking(index: TextIndex) -> None:
    everything = keys(index, "data")
    kept = [key for key, _ in index.search("data", keep=lambda key: key != "exact")]
    assert kept == [key for key in everything if key != "exact"]
