"""SPARQL 1.1 CSV results written from the engine's TSV, because the engine's own CSV writer leaves IRIs
unquoted: an IRI holding a comma (legal in IRIs) would split its row. TSV is unambiguous, so we read it
line by line and write RFC 4180 CSV with Python's csv module.

>>> import io
>>> out = io.BytesIO()
>>> sink = TsvToCsv(out)
>>> _ = sink.write(b'?s\\t?o\\n<http://ex.org/a,b>\\t"x,\\\\"y\\\\"\\\\n z"@en\\n_:b1\\t12\\n')
>>> sink.close()
>>> out.getvalue().decode()
's,o\\r\\n"http://ex.org/a,b","x,""y""\\n z"\\r\\n_:b1,12\\r\\n'
"""

from __future__ import annotations

import csv
import io
from typing import Protocol

from graph.rdf_io import unescape


class _Writable(Protocol):
    def write(self, data: bytes) -> int: ...


def csv_value(term: str) -> str:
    """The CSV value of one TSV term: IRIs without brackets, literals as their lexical form."""
    if not term:
        return ""
    first = term[0]
    if first == "<":
        return term[1:-1]
    if first == '"':
        end = term.rfind('"')
        body = term[1:end]
        return unescape(body)
    return term  # blank nodes and bare numbers/booleans


class TsvToCsv:
    """A binary sink: takes TSV bytes in any chunking, writes CSV bytes to ``target``."""

    def __init__(self, target: _Writable) -> None:
        self._target = target
        self._pending = b""
        self._header_done = False
        self._no_columns = False  # SELECT * {}: its header and rows are empty lines, not the one empty field ""

    def write(self, data: bytes) -> int:
        chunk = self._pending + bytes(data)
        cut = chunk.rfind(b"\n")
        if cut < 0:
            self._pending = chunk
            return len(data)
        self._pending = chunk[cut + 1 :]
        self._emit(chunk[: cut + 1].decode("utf-8").split("\n")[:-1])
        return len(data)

    def flush(self) -> None:
        """Nothing to do: complete lines are written as they arrive."""

    def close(self) -> None:
        if self._pending:
            self._emit([self._pending.decode("utf-8")])
            self._pending = b""

    def _emit(self, lines: list[str]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for line in lines:
            fields = line.split("\t")
            if not self._header_done:
                self._header_done = True
                self._no_columns = not line
                writer.writerow([f[1:] if f.startswith(("?", "$")) else f for f in fields] if line else [])
            elif self._no_columns:
                writer.writerow([])
            else:
                writer.writerow([csv_value(f) for f in fields])
        self._target.write(buffer.getvalue().encode("utf-8"))
