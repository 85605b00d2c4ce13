"""The embedded store: pyoxigraph on disk (RocksDB) or in memory. pyoxigraph types stay in this module.

Reads run in whatever thread calls them, and results are serialized in that same thread (pyoxigraph
results cannot cross threads). Writes take one lock, so a read-then-write (a diff, a check) is atomic
with respect to other writers in this process; RocksDB's own lock keeps other processes out.

>>> from graph.formats import RDF_BY_NAME
>>> store = EmbeddedStore.open(None)
>>> store.load(b'<http://ex.org/a> <http://ex.org/p> "1" .', RDF_BY_NAME["ntriples"], graph="http://ex.org/g")
1
>>> [row["o"].toPython() for row in store.select("SELECT ?o WHERE { ?s ?p ?o }")]
['1']
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib.term import URIRef

from graph.engine_query import evaluate, named, ox_format, result_kind, serialize_result
from graph.errors import BadRequest, NotAcceptable, QuerySyntaxError, RdfSyntaxError, StoreError, StoreLocked
from graph.federation import FederationGuard
from graph.formats import Format, ResultKind
from graph.rdf_io import parse_quads
from graph.sparql_text import with_using
from graph.store import (
    ApplyResult,
    FormatChooser,
    GraphInfo,
    Node,
    Quad,
    QueryLimits,
    QueryRequest,
    ReplaceResult,
    ResultSink,
    Row,
    Triple,
    UpdateRequest,
)
from graph.terms import to_ox, to_rdflib
from graph.update_text import add_nquads, data_block, nquads, replacement, statements

_named = named


def _ox_format(fmt: Format) -> Any:
    return ox_format(fmt.name)


def _graph_term(graph: str | None) -> Any:
    """The engine's graph name; a graph IRI that is not valid is the client's error, never a crash."""
    return ox.DefaultGraph() if graph is None else _named(graph)


class EmbeddedStore:
    """A :class:`graph.store.GraphStore` backed by pyoxigraph."""

    def __init__(self, store: ox.Store, *, path: Path | None, read_only: bool,
                 federation: FederationGuard | None = None) -> None:
        self._store = store
        #: which SERVICE / LOAD endpoints public queries and updates may reach (none unless configured)
        self.federation = federation or FederationGuard()
        self.path = path
        self.read_only = read_only
        self._write_lock = threading.Lock()
        self._version = itertools.count(1)
        self._current_version = 0
        self._version_listeners: list[Callable[[int], None]] = []
        self._readers: Any = None

    @classmethod
    def open(cls, path: Path | None, *, read_only: bool = False,
             federation: FederationGuard | None = None) -> EmbeddedStore:
        """Opens (or creates) the store at ``path``; ``None`` gives an in-memory store.

        Raises StoreLocked when another process holds the directory, instead of waiting.
        """
        if path is None:
            return cls(ox.Store(), path=None, read_only=False, federation=federation)
        try:
            if read_only:
                store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(
                    f"The store at '{path}' is in use by another process (a running 'ourdata serve'?). "
                    "Stop it, or send the work to the running server with --url."
                ) from exc
            raise StoreError(f"Cannot open the store at '{path}': {exc}") from exc
        return cls(store, path=path, read_only=read_only, federation=federation)

    # ------------------------------------------------------------------ reads
    def _evaluate(self, query: str, *, request: QueryRequest | None = None,
                  bindings: Mapping[str, Node] | None = None) -> Any:
        substitutions = {ox.Variable(name): to_ox(value) for name, value in bindings.items()} if bindings else None
        if request is None:
            return evaluate(self._store, query, substitutions=substitutions)
        return evaluate(self._store, query, default_graph_uris=request.default_graph_uris,
                        named_graph_uris=request.named_graph_uris, base_iri=request.base_iri,
                        substitutions=substitutions)

    def start_readers(self, *, workers: int, max_workers: int, inline_bytes: int, memory_mb: int = 0,
                      preload: tuple[str, ...] = ()) -> bool:
        """Runs public queries (``run_query``) in killable reader processes over checkpoints of this store, so
        their limits hold for real. Only an on-disk, writable store can checkpoint; False when not started."""
        if self.path is None or self.read_only or workers < 1 or self._readers is not None:
            return False
        from graph.query_pool import ReaderPool

        self._readers = ReaderPool.beside(self.path, checkpoint=self.backup, version=self.version,
                                          workers=workers, max_workers=max_workers, inline_bytes=inline_bytes,
                                          memory_mb=memory_mb, preload=preload)
        return True

    @property
    def engine(self) -> ox.Store:
        """The pyoxigraph store itself, for ``graph/`` modules that read its indexes directly
        (:mod:`graph.statement_reads`); never used above ``graph/``."""
        return self._store

    @property
    def readers(self) -> Any:
        """The reader pool, or None when queries run in the calling thread."""
        return self._readers

    def run_query(self, request: QueryRequest, choose: FormatChooser, sink: ResultSink | None,
                  limits: QueryLimits | None = None) -> Format:
        self.federation.check_query(request.query, request.base_iri)  # before the engine can reach out
        if self._readers is not None:
            if sink is None:  # HEAD: the kind of result, from the query alone (never evaluated on our data)
                return choose(result_kind(evaluate(ox.Store(), request.query, base_iri=request.base_iri)))
            return self._run_in_reader(request, choose, sink, limits or QueryLimits())
        result = self._evaluate(request.query, request=request)
        try:
            return self._write_result(result, choose, sink)
        finally:
            # the result is bound to this thread: drop it here, not wherever an exception's traceback ends up
            del result

    def _run_in_reader(self, request: QueryRequest, choose: FormatChooser, sink: ResultSink,
                       limits: QueryLimits) -> Format:
        formats: dict[ResultKind, Format | NotAcceptable] = {}
        for kind in ResultKind:
            try:
                formats[kind] = choose(kind)
            except NotAcceptable as refusal:
                formats[kind] = refusal
        result = self._readers.run(request.query, default_graph_uris=request.default_graph_uris,
                                   named_graph_uris=request.named_graph_uris, base_iri=request.base_iri,
                                   formats=formats, limits=limits)
        chunks = result.chunks()
        try:
            sink.begin(result.fmt, result.kind, result.cap)
            for chunk in chunks:
                sink.write(chunk)
            sink.flush()
        finally:
            chunks.close()  # deletes the spool file even when the client went away
        return result.fmt

    def _write_result(self, result: Any, choose: FormatChooser, sink: ResultSink | None) -> Format:
        try:
            kind = result_kind(result)
            fmt = choose(kind)
            if sink is None:
                return fmt
            sink.begin(fmt, kind, None)
            serialize_result(result, kind, fmt.name, sink)
            return fmt
        finally:
            del result  # a traceback that travels to another thread must not carry the result with it

    def select(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Row]:
        result = self._evaluate(query, bindings=bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QuerySyntaxError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows: list[Row] = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = to_rdflib(value)
            rows.append(row)
        return rows

    def ask(self, query: str, bindings: Mapping[str, Node] | None = None) -> bool:
        result = self._evaluate(query, bindings=bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QuerySyntaxError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Mapping[str, Node] | None = None) -> list[Triple]:
        result = self._evaluate(query, bindings=bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QuerySyntaxError("construct() needs a CONSTRUCT or DESCRIBE query")
        return [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)) for t in result]

    def graph_exists(self, graph: str) -> bool:
        return bool(self._store.contains_named_graph(_named(graph)))

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_infos(self) -> list[GraphInfo]:
        rows = self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        infos = [GraphInfo(str(r["g"]), int(r["n"].toPython())) for r in rows if isinstance(r.get("g"), URIRef)]
        default_count = sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        if default_count:
            infos.insert(0, GraphInfo(None, default_count))
        return infos

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, _named(graph)))

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def serialize(self, output: IO[bytes], fmt: Format, *, graph: str | None = None, whole: bool = False) -> None:
        try:
            if whole:
                if not fmt.supports_datasets:
                    raise BadRequest(f"{fmt.media_type} cannot hold named graphs; choose TriG, N-Quads or JSON-LD.")
                self._store.dump(output, _ox_format(fmt))
            else:
                self._store.dump(output, _ox_format(fmt), from_graph=_graph_term(graph))
        except OSError as exc:
            raise StoreError(f"Could not write the graph: {exc}") from exc

    def version(self) -> int:
        return self._current_version

    # ----------------------------------------------------------------- writes
    def _changed(self) -> None:
        self._current_version = next(self._version)
        for listener in self._version_listeners:
            listener(self._current_version)

    def on_version(self, listener: Callable[[int], None]) -> None:
        """Calls ``listener(version)`` after every write, before the write returns (front processes learn
        from it that their checkpoint is stale, so a read after a write sees the write)."""
        self._version_listeners.append(listener)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("This store is open read-only.")

    def update(self, request: UpdateRequest) -> None:
        self._check_writable()
        text = with_using(request.update, request.using_graph_uris, request.using_named_graph_uris)
        self.federation.check_update(text, request.base_iri)  # LOAD and SERVICE reach only allow-listed IRIs
        with self._write_lock:
            try:
                self._store.update(text, base_iri=request.base_iri)
            except SyntaxError as exc:
                raise QuerySyntaxError(f"The update does not parse: {exc}") from exc
            except (OSError, RuntimeError, ValueError) as exc:  # e.g. CLEAR GRAPH of a graph that does not exist
                raise BadRequest(f"The update failed and changed nothing: {exc}") from exc
            finally:
                self._changed()

    def load(self, data: bytes | IO[bytes], fmt: Format, *, graph: str | None, base_iri: str | None = None,
             allow_named_graphs: bool = False) -> int:
        self._check_writable()
        quads = parse_quads(data, _ox_format(fmt), fmt.name, _graph_term(graph), base_iri, allow_named_graphs)
        with self._write_lock:
            self._extend(quads)
            if graph is not None and not quads:
                self._store.add_graph(_named(graph))  # an empty document still makes the graph exist
        return len(quads)

    def add_quads(self, quads: Iterable[Quad]) -> int:
        self._check_writable()
        converted = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_term(g)) for s, p, o, g in quads]
        with self._write_lock:
            self._extend(converted)
        return len(converted)

    def _extend(self, quads: list[ox.Quad]) -> None:
        try:
            self._store.extend(quads)
        except OSError as exc:
            raise StoreError(f"The write failed and changed nothing: {exc}") from exc
        finally:
            self._changed()

    def replace_graph(self, data: bytes | IO[bytes], fmt: Format, *, graph: str | None,
                      base_iri: str | None = None) -> ReplaceResult:
        self._check_writable()
        quads = parse_quads(data, _ox_format(fmt), fmt.name, _graph_term(graph), base_iri)
        with self._write_lock:
            return self._replace(graph, quads, [], None)

    def replace_graph_with(self, graph: str, triples: Iterable[Triple], *, extra_quads: Iterable[Quad] = (),
                           drop_about: str | None = None) -> ReplaceResult:
        self._check_writable()
        g = _named(graph)
        new = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples]
        extra = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), _graph_term(eg)) for s, p, o, eg in extra_quads]
        with self._write_lock:
            return self._replace(graph, new, extra, drop_about)

    def _replace(self, graph: str | None, new: list[ox.Quad], extra: list[ox.Quad],
                 drop_about: str | None) -> ReplaceResult:
        """One transaction (see :func:`graph.update_text.replacement`); under the write lock."""
        target = _graph_term(graph)
        plan = replacement(self._store, target, new, extra, _named(drop_about) if drop_about is not None else None)
        if plan.append is not None:
            self._extend(plan.append)
            if plan.create:
                self._store.add_graph(target)
        elif plan.text:
            try:
                self._store.update(plan.text)
            except (OSError, SyntaxError, RuntimeError, ValueError) as exc:
                raise StoreError(f"The replacement failed and changed nothing: {exc}") from exc
            finally:
                self._changed()
        return ReplaceResult(created=plan.created, added=plan.added, removed=plan.removed)

    def drop_graph(self, graph: str | None) -> bool:
        self._check_writable()
        with self._write_lock:
            if graph is None:
                existed = not self._is_graph_empty(ox.DefaultGraph())
                self._store.update("CLEAR DEFAULT")
            else:
                target = _named(graph)
                existed = bool(self._store.contains_named_graph(target))
                if existed:
                    self._store.update(f"DROP GRAPH {target}")
            self._changed()
        return existed

    def _is_graph_empty(self, graph: Any) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is None

    def apply(self, *, remove: bytes = b"", add: bytes = b"") -> ApplyResult:
        self._check_writable()
        removed = nquads(remove)
        if any(isinstance(t, ox.BlankNode) for q in removed for t in (q.subject, q.object)):
            raise BadRequest("Quads to remove cannot hold blank nodes (DELETE DATA cannot name them).")
        if not removed:  # the engine parses and writes in one transaction, with no Python object per quad
            count = statements(add)
            with self._write_lock:
                try:
                    add_nquads(self._store, add, count, self.path)
                except SyntaxError as exc:
                    raise RdfSyntaxError(f"The quads to write do not parse: {exc}") from exc
                except (OSError, ValueError) as exc:
                    raise StoreError(f"The write failed and changed nothing: {exc}") from exc
                finally:
                    self._changed()
            return ApplyResult(added=count, removed=0)
        added = nquads(add)
        text = " ;\n".join(op for op in (data_block("DELETE", removed), data_block("INSERT", added)) if op)
        with self._write_lock:
            try:
                self._store.update(text)
            except (OSError, SyntaxError, RuntimeError, ValueError) as exc:
                raise StoreError(f"The write failed and changed nothing: {exc}") from exc
            finally:
                self._changed()
        return ApplyResult(added=len(added), removed=len(removed))

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()

    def backup(self, target: Path) -> None:
        """A consistent checkpoint of an on-disk store (hard links; cheap)."""
        if self.path is None:
            raise StoreError("An in-memory store cannot be backed up; export it instead.")
        self._store.backup(str(target))

    def stop_readers(self) -> None:
        if self._readers is not None:
            self._readers.close()
            self._readers = None

    def close(self) -> None:
        self.stop_readers()
        self.flush()
        del self._store
