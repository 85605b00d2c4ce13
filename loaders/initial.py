"""The first load on an empty store: ontology, reference data and bundled organisations."""

from __future__ import annotations

from collections.abc import Callable

from graph.iris import Iris
from graph.store import GraphStore
from loaders.importer import ImportReport, import_source
from loaders.registry import ontology_and_reference, organisation_sources

Progress = Callable[[str, int, int], None]  # (source name, index, total)


def first_load(store: GraphStore, iris: Iris, *, organisations: bool = True,
               progress: Progress | None = None) -> list[ImportReport]:
    """Loads every bundled source, each in its own atomic write. Idempotent: a source already
    present is replaced by the same content, so nothing changes."""
    sources = ontology_and_reference() + (organisation_sources() if organisations else [])
    reports = []
    for index, source in enumerate(sources):
        if progress is not None:
            progress(source.info.name, index, len(sources))
        reports.append(import_source(store, iris, source))
    if progress is not None:
        progress("done", len(sources), len(sources))
    return reports
