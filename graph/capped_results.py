"""Writing a query result under caps (rows, bytes) that say so, instead of cutting a document mid-row.

A public endpoint must bound what one query can send (issue 6). A capped result is still a valid document of
its format, made of whole rows (solutions, or triples for CONSTRUCT/DESCRIBE), and the caller learns it was cut
(:class:`CapReport`, which it turns into a header); a capped SPARQL JSON body also says so itself:
``{"capped":true,"head":...}``, a member that SPARQL JSON readers ignore.

How, keeping the engine's serializers for every byte:

- No row cap: the result is serialized natively through a writer that counts bytes and stops the engine as soon
  as the byte cap is passed (the work really stops). Most results end there, untouched.
- Otherwise rows go through Python in chunks: solutions as SPARQL TSV lines (``str()`` of a term is its
  N-Triples form), parsed back by the engine and serialized in the wanted format; triples handed to
  ``pyoxigraph.serialize``. Every format's document is ``head + chunk bodies + tail`` (the empty document is
  ``head + tail``), so chunk bodies are cut out of each chunk's document and spliced. Byte accounting is then
  exact, memory stays at one chunk (for JSON, see the hold below), chunks aim at what may still fit (rows are
  computed only as they are taken), and the last chunk is bisected to the most whole rows that fit.

Results are one-shot iterators, so the query is evaluated again (``make_result()``) only after the fast path
overflowed. A JSON body's head depends on whether the rows get cut, which is known at the end: the first
:data:`HOLD_BYTES` of rows wait in memory; past that the head is written with the flag, and if nothing gets cut
the flag is overwritten in place by as many spaces (``{`` then 14 spaces: still the same valid JSON).

>>> import io
>>> store = ox.Store()
>>> store.add(ox.Quad(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("x")))
>>> store.add(ox.Quad(ox.NamedNode("http://ex.org/b"), ox.NamedNode("http://ex.org/p"), ox.Literal("y")))
>>> out = io.BytesIO()
>>> write_capped(lambda: store.query("SELECT ?s { ?s ?p ?o } ORDER BY ?s"), "json", out, ResultCaps(max_rows=1))
CapReport(capped=True, rows=1, reason='max-rows')
>>> out.getvalue().decode()
'{"capped":true,"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://ex.org/a"}}]}}'
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyoxigraph as ox

from graph.csv_results import TsvToCsv
from graph.engine_query import RDF_FORMATS, RESULT_FORMATS

_RESULT_FORMATS = {**RESULT_FORMATS, "csv": ox.QueryResultsFormat.TSV}  # CSV goes through TsvToCsv (IRIs quoted)
_RDF_FORMATS = RDF_FORMATS
# What closes each format's document, and what separates two rows' text: the rest of the empty document is its head
_TAILS = {"json": b"]}}", "xml": b"</results></sparql>", "jsonld": b"]", "rdfxml": b"</rdf:RDF>"}
_SEPARATORS = {"json": b",", "jsonld": b","}
_JSON_HEAD = b'{"head":'
JSON_FLAG = b'{"capped":true,'

HOLD_BYTES = 4 * 1024 * 1024  # rows kept back while a JSON body's head (flag or not) is undecided
CHUNK_BYTES = 256 * 1024  # aim of one chunk's serialized size
_FIRST_CHUNK, _MIN_CHUNK, _MAX_CHUNK = 64, 8, 8192  # rows per chunk


@dataclass(frozen=True)
class ResultCaps:
    max_rows: int = 0  # 0: no row cap (solutions for SELECT, triples for CONSTRUCT/DESCRIBE)
    max_bytes: int = 0  # 0: no byte cap


@dataclass(frozen=True)
class CapReport:
    capped: bool
    rows: int | None  # rows/triples written when known (always known when capped)
    reason: str | None  # "max-rows" or "max-bytes"


UNCAPPED = CapReport(capped=False, rows=None, reason=None)


def write_capped(make_result: Callable[[], Any], fmt_name: str, output: BinaryIO, caps: ResultCaps,
                 *, json_flag: bool = True) -> CapReport:
    """Writes the result of ``make_result()`` in ``fmt_name`` into ``output``, within ``caps``.

    ``make_result`` evaluates the query afresh each call; it is called again when the byte cap stopped the fast
    path. ``output`` must start empty, and be seekable and truncatable when a cap is set: a spent attempt is
    wiped with ``seek(0); truncate()``, a JSON head may be rewritten in place. A capped document holds whole
    rows and is at most ``max_bytes`` long, except that a cap below the format's empty document still gets
    that document. ASK results are never capped. Engine errors (OSError, SyntaxError, RuntimeError) propagate.
    """
    result = make_result()
    if isinstance(result, ox.QueryBoolean):
        result.serialize(output, _RESULT_FORMATS[fmt_name] if fmt_name != "csv" else ox.QueryResultsFormat.CSV)
        return UNCAPPED
    solutions = isinstance(result, ox.QuerySolutions)
    if fmt_name not in (_RESULT_FORMATS if solutions else _RDF_FORMATS):
        raise ValueError(f"'{fmt_name}' is not a format for this kind of result")
    if not caps.max_rows:
        if _write_native(result, fmt_name, output, caps.max_bytes):
            return UNCAPPED
        output.seek(0)
        output.truncate()
        result = make_result()
    flag = json_flag and solutions and fmt_name == "json"
    rows, reason = _Splicer(result, fmt_name, output, caps, flag).run()
    return CapReport(capped=reason is not None, rows=rows, reason=reason)


class _OverBudget(Exception):
    """Raised inside the engine's serializer to stop it: the byte cap is passed."""


class _Budgeted:
    """A binary sink that passes bytes on, counting them, and stops the writer that would pass ``limit``."""

    def __init__(self, target: Any, limit: int = 0) -> None:
        self._target = target
        self._limit = limit
        self.count = 0

    def write(self, data: Any) -> int:
        size = len(data)
        if self._limit and self.count + size > self._limit:
            raise _OverBudget
        self.count += size
        if self._target is not None:
            self._target.write(data)
        return size

    def flush(self) -> None:
        """The engine flushes at the end; the caller owns ``output`` and flushes it when it wants."""


def _write_native(result: Any, fmt_name: str, output: BinaryIO, max_bytes: int) -> bool:
    """The whole result by the engine's serializer; False when it was stopped at ``max_bytes``."""
    sink = _Budgeted(output, max_bytes)
    try:
        if fmt_name == "csv":
            transcoder = TsvToCsv(sink)
            result.serialize(transcoder, ox.QueryResultsFormat.TSV)
            transcoder.close()
        else:
            result.serialize(sink, _RESULT_FORMATS.get(fmt_name) or _RDF_FORMATS[fmt_name])
    except _OverBudget:
        return False
    return True


def _tsv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):  # str() of a triple is "s p o": a triple term needs its brackets in TSV
        return f"<<( {term} )>>"
    return str(term)


class _Rows:
    """The result's rows as the engine can serialize them again: TSV lines of solutions, or Triple objects."""

    def __init__(self, result: Any, fmt_name: str) -> None:
        self._solutions = isinstance(result, ox.QuerySolutions)
        self._fmt_name = fmt_name
        if self._solutions:
            self._header = "\t".join(str(v) for v in result.variables) + "\n"
            self._iter: Iterator[Any] = ("\t".join(map(_tsv_term, s)) + "\n" for s in result)
        else:
            self._iter = iter(result)
        self._peeked: list[Any] = []

    def take(self, count: int) -> list[Any]:
        taken = self._peeked[:count]
        del self._peeked[:count]
        taken.extend(itertools.islice(self._iter, count - len(taken)))
        return taken

    def has_more(self) -> bool:
        if not self._peeked:
            self._peeked.extend(itertools.islice(self._iter, 1))
        return bool(self._peeked)

    def document(self, rows: Sequence[Any]) -> bytes:
        """The whole document of ``rows``, by the engine's serializer (the same path as the fast one)."""
        out = io.BytesIO()
        if not self._solutions:
            ox.serialize(rows, out, _RDF_FORMATS[self._fmt_name])
            return out.getvalue()
        parsed = ox.parse_query_results((self._header + "".join(rows)).encode(), format=ox.QueryResultsFormat.TSV)
        _write_native(parsed, self._fmt_name, out, 0)
        return out.getvalue()


class _Splicer:
    """Rows in chunks, each chunk's body (its document minus head and tail) written in turn, within the caps."""

    def __init__(self, result: Any, fmt_name: str, output: BinaryIO, caps: ResultCaps, flag: bool) -> None:
        self._rows = _Rows(result, fmt_name)
        self._output = output
        self._caps = caps
        self._tail = _TAILS.get(fmt_name, b"")
        self._sep = _SEPARATORS.get(fmt_name, b"")
        empty = self._rows.document([])
        if not empty.endswith(self._tail):
            raise RuntimeError(f"unexpected empty {fmt_name} document from the engine: {empty[:200]!r}")
        self._head = empty[: len(empty) - len(self._tail)]
        self._flag_head = self._head
        if flag:  # the flag replaces the opening brace of the engine's SPARQL JSON
            if not self._head.startswith(_JSON_HEAD):
                raise RuntimeError(f"unexpected SPARQL JSON head from the engine: {self._head[:200]!r}")
            self._flag_head = JSON_FLAG + self._head[1:]
        self._held: list[bytes] | None = [] if flag else None  # bodies waiting for the head
        self._held_size = 0
        self._used = 0  # bytes of bodies and separators so far
        self._count = 0

    def run(self) -> tuple[int, str | None]:
        """Returns (rows written, cap reason or None)."""
        if self._held is None:
            self._output.write(self._flag_head)
        reason = self._fill()
        if self._held is not None:  # the head waited: now we know whether it carries the flag
            self._output.write(self._flag_head if reason else self._head)
            for body in self._held:
                self._output.write(body)
        elif reason is None and self._flag_head != self._head:  # the flag went out, yet nothing was cut
            end = self._output.tell()
            self._output.seek(0)
            self._output.write(b"{" + b" " * (len(JSON_FLAG) - 1))
            self._output.seek(end)
        self._output.write(self._tail)
        return self._count, reason

    def _fill(self) -> str | None:
        max_rows, max_bytes = self._caps.max_rows, self._caps.max_bytes
        size = _FIRST_CHUNK
        while True:
            want = min(size, max_rows - self._count) if max_rows else size
            chunk = self._rows.take(want) if want else []
            if not chunk:
                return "max-rows" if max_rows and self._count == max_rows and self._rows.has_more() else None
            body = self._body(chunk)
            if max_bytes and not self._fits(body, max_bytes):
                if (self._held is not None and self._held_size + len(body) <= HOLD_BYTES
                        and not self._rows.has_more() and self._fits(body, max_bytes, False)):
                    self._add(body, len(chunk))  # the last rows: they fit once the head needs no flag
                    return None
                self._add_most(chunk, max_bytes)
                return "max-bytes"
            self._add(body, len(chunk))
            aim = CHUNK_BYTES
            if max_bytes:  # rows are computed as they are taken: take about what may still fit
                aim = min(aim, max_bytes - len(self._flag_head) - self._used - len(self._tail))
            size = max(_MIN_CHUNK, min(_MAX_CHUNK, aim * len(chunk) // max(len(body), 1) + 1))

    def _body(self, rows: Sequence[Any]) -> bytes:
        document = self._rows.document(rows)
        if not (document.startswith(self._head) and document.endswith(self._tail)):
            raise RuntimeError(f"unexpected document shape from the engine: {document[:200]!r}")
        return document[len(self._head) : len(document) - len(self._tail)]

    def _fits(self, body: bytes, max_bytes: int, flagged: bool = True) -> bool:
        head = self._flag_head if flagged else self._head
        sep = len(self._sep) if self._count else 0
        return len(head) + self._used + sep + len(body) + len(self._tail) <= max_bytes

    def _add_most(self, chunk: list[Any], max_bytes: int) -> None:
        """Adds the longest prefix of ``chunk`` that fits (a bisection: sizes grow with the rows)."""
        fits, fails, best = 0, len(chunk), b""
        while fails - fits > 1:
            middle = (fits + fails) // 2
            body = self._body(chunk[:middle])
            if self._fits(body, max_bytes):
                fits, best = middle, body
            else:
                fails = middle
        if fits:
            self._add(best, fits)

    def _add(self, body: bytes, rows: int) -> None:
        piece = self._sep + body if self._count else body
        self._used += len(piece)
        self._count += rows
        if self._held is None:
            self._output.write(piece)
            return
        self._held.append(piece)
        self._held_size += len(piece)
        if self._held_size > HOLD_BYTES:  # too much to keep back: the flag goes out, taken back at the end if need be
            held, self._held = self._held, None
            self._output.write(self._flag_head)
            for body_piece in held:
                self._output.write(body_piece)
