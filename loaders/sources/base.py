"""What every source mapper provides: who published the data, under which licence, and its triples.

A mapper is pure: it reads its file and returns triples (rdflib terms) plus a report of what it could
not map. It never touches the store; :func:`loaders.importer.import_source` writes the result into the
source's own named graph, atomically, with provenance in the meta graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from graph.iris import Iris
from graph.store import Triple

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

Family = Literal["ontology", "vocabulary", "reference", "source"]


@dataclass(frozen=True)
class SourceInfo:
    """Describes a source for its named graph, VoID and the attribution we must show."""

    name: str  # slug: the graph is {base}graph/{family}/{name} (ontology: {base}graph/ontology)
    family: Family
    title: str
    licence: str  # IRI of the licence the source is published under
    attribution: str  # the sentence shown wherever this data is shown
    source_url: str  # where the data comes from
    publisher: str
    default_file: str | None = None  # path under loaders/data/, when the source reads one file
    #: True when ``build`` takes ``known=`` (a :class:`loaders.matching.Known` index of the organisations and
    #: catalogues the store already holds) and describes a record it matches on the existing IRI.
    matches: bool = False


@dataclass
class Built:
    """A mapper's output: the graph's triples, what could not be mapped, and counts for the report."""

    triples: list[Triple]
    problems: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


class Source(Protocol):
    info: SourceInfo

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        """Reads ``file`` (or the bundled default) and maps it. Raises graph.errors.BadRequest for an
        unreadable file; unmappable values go into ``Built.problems`` instead.

        A source whose ``info.matches`` is true also accepts ``known=`` (see ``loaders/matching.py``): the importer
        passes the index it built from the store, so the source stays pure."""
        ...
