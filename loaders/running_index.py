"""The importer's running index of what the store knows (:class:`loaders.matching.Known`), kept across the imports of
a first load: the store is read once, then each import replaces only the graph it wrote."""

from __future__ import annotations

from collections.abc import Iterable
from weakref import WeakKeyDictionary

from graph.store import GraphStore, Triple
from loaders.matching import Known

#: Per store, the index of everything it holds and the store version it was built at, so a first load (many
#: imports in a row) queries the store once and then only replaces the graph each import wrote.
_RUNNING: WeakKeyDictionary[GraphStore, tuple[int, Known]] = WeakKeyDictionary()


def known_for_import(store: GraphStore, graph: str) -> Known:
    """What the store knows outside ``graph``, for a source about to be imported into ``graph``."""
    cached = _RUNNING.get(store)
    if cached is None or cached[0] != store.version():
        cached = (store.version(), Known.from_store(store))
        _RUNNING[store] = cached
    return cached[1].without([graph])


def note_import(store: GraphStore, graph: str, triples: Iterable[Triple], *, before: int, data: bool) -> None:
    """Keeps the running index current after an import wrote ``graph`` (store version ``before`` -> now)."""
    cached = _RUNNING.get(store)
    if cached is None:
        return
    if cached[0] != before:
        _RUNNING.pop(store, None)  # someone else wrote meanwhile: rebuild from the store next time
        return
    if data:
        cached[1].replace_graph(graph, triples)
    _RUNNING[store] = (store.version(), cached[1])
