"""The landscape in numbers, from a catalogue snapshot: counts per country, kind, legal form, source, licence.

Counts come from the snapshot's bitsets (no query per number); labels from the store, once per snapshot.
A member with two kinds (or licences) counts under each, so a breakdown may add up to more than the total.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from graph.catalogue import Snapshot
from graph.catalogue_build import KindIndex
from graph.catalogue_terms import ACTIONS_BY_NAME, INSTITUTION_KIND
from graph.describe import labels
from graph.store import GraphStore

_CACHE: OrderedDict[str, dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()

#: (collection, facet, key in the answer)
BREAKDOWNS = (
    ("organisations", "country", "byCountry"),
    ("organisations", "kind", "byKind"),
    ("organisations", "legal_form", "byLegalForm"),
    ("organisations", "source", "bySource"),
    ("datasets", "licence", "byLicence"),
    ("datasets", "permits", "byPermittedAction"),
    ("datasets", "country", "byCountry"),
    ("datasets", "kind", "byPublisherKind"),
    ("datasets", "source", "bySource"),
    ("licences", "permits", "byPermittedAction"),
)


def _code(snapshot: Snapshot, facet: str, key: str) -> str:
    if facet in ("permits", "requires", "prohibits"):
        return key
    if key in snapshot.data.notation:
        return snapshot.data.notation[key]
    if key.startswith(INSTITUTION_KIND):
        return key[len(INSTITUTION_KIND):]
    return key.rstrip("/").rsplit("/", 1)[-1]


def _counts(index: KindIndex, facet: str) -> list[tuple[str, int]]:
    counts = [(key, mask.bit_count()) for key, mask in index.facets.get(facet, {}).items()]
    return sorted(((k, n) for k, n in counts if n), key=lambda kn: (-kn[1], kn[0]))


def compute(snapshot: Snapshot, store: GraphStore) -> dict[str, Any]:
    with _LOCK:
        if snapshot.token in _CACHE:
            return _CACHE[snapshot.token]
    answer: dict[str, Any] = {name: {"total": index.size} for name, index in snapshot.data.kinds.items()}
    rows = [(collection, facet, key, _counts(snapshot.kind(collection), facet))
            for collection, facet, key in BREAKDOWNS]
    iris = {k for _c, _facet, _key, counts in rows for k, _n in counts if k.startswith(("http://", "https://"))}
    names = labels(store, sorted(iris))
    for collection, facet, key, counts in rows:
        answer[collection][key] = [
            {"id": k, "code": _code(snapshot, facet, k),
             "label": ACTIONS_BY_NAME[k].label if k in ACTIONS_BY_NAME else names.get(k, _code(snapshot, facet, k)),
             "count": n}
            for k, n in counts
        ]
    with _LOCK:
        _CACHE[snapshot.token] = answer
        while len(_CACHE) > 4:
            _CACHE.popitem(last=False)
    return answer
