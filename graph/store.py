"""The store interface every layer above ``graph/`` uses, and the factory that opens one.

The embedded pyoxigraph store (:mod:`graph.embedded`) is the first implementation; a remote SPARQL 1.1
store can implement the same protocol. Methods take and return plain Python values and rdflib terms,
never engine objects, so nothing above ``graph/`` depends on the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Protocol

from rdflib.term import BNode, Literal, URIRef

from graph.formats import Format, ResultKind
from graph.settings import Settings

if TYPE_CHECKING:
    from graph.capped_results import CapReport

Node = URIRef | BNode | Literal
Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef | None]  # graph None = the store's default graph
Row = dict[str, Node]

#: Chooses the output format once the query's kind is known; raises NotAcceptable when none fits.
FormatChooser = Callable[[ResultKind], Format]


@dataclass(frozen=True)
class QueryRequest:
    """A query as the SPARQL protocol delivers it.

    Without ``default_graph_uris`` and ``named_graph_uris`` the dataset is the query's own ``FROM`` /
    ``FROM NAMED`` if it has them, else the union of all graphs as default graph (our contract) with every
    named graph. With either, the dataset is exactly what they list, as ``FROM`` / ``FROM NAMED`` would be
    (SPARQL 1.1 Protocol 2.1.4): only ``named-graph-uri`` gives an empty default graph.
    """

    query: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class UpdateRequest:
    """An update as the SPARQL protocol delivers it (``using-graph-uri`` / ``using-named-graph-uri``)."""

    update: str
    using_graph_uris: tuple[str, ...] = ()
    using_named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None


@dataclass(frozen=True)
class QueryLimits:
    """How long a public query may run and how much it may return (None / 0: no limit).

    Enforced for real only where queries run in reader processes (an on-disk store served with query workers):
    there a query past its time limit is killed and raises QueryTimeout before any byte is written."""

    timeout: float | None = None
    max_rows: int = 0
    max_bytes: int = 0


class ResultSink(Protocol):
    """Where a query's serialized result goes; the store writes from the thread that evaluates."""

    def begin(self, fmt: Format, kind: ResultKind, cap: CapReport | None = None) -> None:
        """Called once, before any bytes, with the chosen format; ``cap`` says how a capped result was cut."""

    def write(self, data: bytes) -> int:
        """Receives serialized bytes; raising aborts the query (e.g. when the client has gone)."""
        ...

    def flush(self) -> None:
        """Called by the engine when it has written everything (it is a file-like object to the engine)."""


@dataclass
class GraphInfo:
    iri: str | None  # None: the default graph
    triples: int


@dataclass
class ReplaceResult:
    created: bool
    added: int
    removed: int
    graphs: list[str] = field(default_factory=list)


@dataclass
class ApplyResult:
    added: int
    removed: int


class GraphStore(Protocol):
    """One store of quads with a SPARQL 1.1 engine. Every write is atomic: all of it or nothing."""

    read_only: bool

    def run_query(self, request: QueryRequest, choose: FormatChooser, sink: ResultSink | None,
                  limits: QueryLimits | None = None) -> Format:
        """Evaluates and serializes into ``sink`` in the calling thread; returns the format used.

        With ``sink=None`` only the query is parsed and the format chosen (for HEAD).
        Raises QuerySyntaxError, NotAcceptable, QueryRejected, QueryTimeout or StoreError before any byte is written.
        """
        ...

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
        """Runs a SELECT; ``bindings`` are substituted as values, never pasted into text."""
        ...

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool: ...

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Triple]: ...

    def update(self, request: UpdateRequest) -> None:
        """Runs a SPARQL update atomically (all operations or none)."""
        ...

    def load(self, data: bytes | IO[bytes], fmt: Format, *, graph: str | None, base_iri: str | None = None,
             allow_named_graphs: bool = False) -> int:
        """Adds a document's triples to ``graph`` (None: the default graph) atomically; returns the count.

        With ``allow_named_graphs`` a TriG/N-Quads/JSON-LD document keeps its own named graphs;
        without it, a document that names graphs is refused (RdfSyntaxError)."""
        ...

    def replace_graph(
        self, data: bytes | IO[bytes], fmt: Format, *, graph: str | None, base_iri: str | None = None
    ) -> ReplaceResult:
        """Makes ``graph`` hold exactly this document, atomically (Graph Store Protocol PUT)."""
        ...

    def replace_graph_with(
        self, graph: str, triples: Iterable[Triple], *, extra_quads: Iterable[Quad] = (), drop_about: str | None = None
    ) -> ReplaceResult:
        """Makes ``graph`` hold exactly ``triples`` and, in the same transaction, adds ``extra_quads``
        after removing every quad of the meta graph whose subject is ``drop_about`` (importers' provenance)."""
        ...

    def add_quads(self, quads: Iterable[Quad]) -> int:
        """Adds quads atomically; returns how many were given."""
        ...

    def apply(self, *, remove: bytes = b"", add: bytes = b"") -> ApplyResult:
        """One transaction over any graphs: removes the quads of the N-Quads document ``remove``, then adds those
        of ``add`` (all of it or nothing). N-Quads keeps bulk writes (contributions) free of a Python object per
        term. ``remove`` may not hold blank nodes; quads it names that are not there are ignored."""
        ...

    def drop_graph(self, graph: str | None) -> bool:
        """Removes a graph (None: empties the default graph); False when it did not exist."""
        ...

    def graph_exists(self, graph: str) -> bool: ...

    def named_graphs(self) -> list[str]: ...

    def graph_infos(self) -> list[GraphInfo]:
        """Every graph with its triple count (for VoID and health)."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Quads in one graph, or in the whole store when ``graph`` is None."""
        ...

    def is_empty(self) -> bool: ...

    def serialize(self, output: IO[bytes], fmt: Format, *, graph: str | None = None, whole: bool = False) -> None:
        """Writes a graph (None: the default graph), or with ``whole`` every quad, without holding it in memory."""
        ...

    def version(self) -> int:
        """A number that changes whenever the store changes (for caches and ETags in this process)."""
        ...

    def close(self) -> None: ...


def open_store(settings: Settings, *, read_only: bool = False) -> GraphStore:
    """Opens the store the settings name: on disk at ``settings.store_path``, or in memory."""
    from graph.embedded import EmbeddedStore
    from graph.federation import FederationGuard

    return EmbeddedStore.open(settings.store_path, read_only=read_only,
                              federation=FederationGuard.from_settings(settings))
