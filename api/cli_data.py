"""``ourdata query`` and ``ourdata export``: read the store (or a running server) from the shell."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from api.cli import MemoryOpt, StoreOpt, app, err, make_settings, out, reported
from graph.errors import BadRequest, NotAcceptable
from graph.formats import RDF_BY_NAME, RESULTS_BY_NAME, Format, ResultKind
from graph.settings import Settings
from graph.store import QueryRequest, open_store

QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads")
EXPORT_FORMATS = ("nquads", "trig", "turtle", "ntriples", "jsonld", "rdfxml")


class _StdoutSink:
    def __init__(self) -> None:
        self.stream = sys.stdout.buffer

    def begin(self, fmt: Format, kind: ResultKind, cap: object = None) -> None:
        pass

    def write(self, data: bytes) -> int:
        return self.stream.write(data)

    def flush(self) -> None:
        self.stream.flush()


def _existing(settings: Settings) -> Settings:
    """Reading commands never create a store: a mistyped --store must not leave an empty one behind."""
    path = settings.store_path
    if path is not None and not path.exists():
        err.print(f"[red]error:[/red] there is no store at '{path}'; create it with 'ourdata init --store {path}'.")
        raise typer.Exit(2)
    return settings


def _read_query(text: str) -> str:
    if text.startswith("@"):
        path = Path(text[1:])
        if not path.is_file():
            raise BadRequest(f"No query file '{path}'.")
        return path.read_text(encoding="utf-8")
    if text == "-":
        return sys.stdin.read()
    return text


def _choose(fmt_name: str):  # type: ignore[no-untyped-def]
    def choose(kind: ResultKind) -> Format:
        table = RDF_BY_NAME if kind is ResultKind.GRAPH else RESULTS_BY_NAME
        if fmt_name == "table":
            return RDF_BY_NAME["turtle"] if kind is ResultKind.GRAPH else RESULTS_BY_NAME["json"]
        if fmt_name not in table:
            raise NotAcceptable(f"A {kind.value} result cannot be written as {fmt_name}.", available=list(table))
        return table[fmt_name]

    return choose


@app.command()
def query(
    text: Annotated[str, typer.Argument(metavar="QUERY|@FILE", help="The SPARQL query, @file, or - for stdin.")],
    format: Annotated[str, typer.Option("--format", "-f", help="|".join(QUERY_FORMATS))] = "table",
    store: StoreOpt = None,
    memory: MemoryOpt = False,
    url: Annotated[str | None, typer.Option("--url", help="Query a running server instead of the store.")] = None,
) -> None:
    """Run a SPARQL query on the store (the default graph is the union of all graphs)."""
    if format not in QUERY_FORMATS:
        err.print(f"[red]error:[/red] --format must be one of {', '.join(QUERY_FORMATS)}")
        raise typer.Exit(2)
    with reported():
        sparql = _read_query(text)
        if url:
            _remote_query(url, sparql, format)
            return
        graph_store = open_store(_existing(make_settings(store=store, memory=memory)))
        try:
            if format == "table":
                _print_table(graph_store, sparql)
            else:
                graph_store.run_query(QueryRequest(sparql), _choose(format), _StdoutSink())
                sys.stdout.flush()
        finally:
            graph_store.close()


class _BufferSink:
    """Collects a result in memory and remembers its kind (a table is read whole anyway)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.kind: ResultKind | None = None

    def begin(self, fmt: Format, kind: ResultKind, cap: object = None) -> None:
        self.kind = kind

    def write(self, data: bytes) -> int:
        self.data += data
        return len(data)

    def flush(self) -> None:
        pass


def _cell(term: dict[str, str] | None) -> str:
    if term is None:
        return ""
    return "_:" + term["value"] if term.get("type") == "bnode" else term["value"]


def _print_table(graph_store, sparql: str) -> None:  # type: ignore[no-untyped-def]
    """SELECT as a table (with its variables as columns even when no row matches), ASK as true/false,
    CONSTRUCT/DESCRIBE as Turtle; the query runs once."""
    sink = _BufferSink()
    graph_store.run_query(QueryRequest(sparql), _choose("table"), sink)
    if sink.kind is ResultKind.GRAPH:
        sys.stdout.buffer.write(bytes(sink.data) if sink.data.endswith(b"\n") or not sink.data else sink.data + b"\n")
        sys.stdout.flush()
        return
    document = json.loads(bytes(sink.data))
    if "boolean" in document:
        out.print("true" if document["boolean"] else "false")
        return
    columns: list[str] = document["head"].get("vars", [])
    rows = document["results"]["bindings"]
    table = Table(*columns) if columns else Table("(no variables)")
    for row in rows:
        table.add_row(*[_cell(row.get(c)) for c in columns])
    out.print(table)
    err.print(f"{len(rows)} row(s)")


def _remote_query(url: str, sparql: str, format: str) -> None:
    import httpx

    accept = {"table": "text/csv", "csv": "text/csv", "tsv": "text/tab-separated-values",
              "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
              "turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
              "rdfxml": "application/rdf+xml", "trig": "application/trig", "nquads": "application/n-quads"}[format]
    endpoint = url.rstrip("/") + "/sparql" if not url.rstrip("/").endswith("/sparql") else url
    response = httpx.post(endpoint, data={"query": sparql}, headers={"Accept": accept}, timeout=None)
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        err.print(f"[red]error:[/red] {response.status_code}: {detail}")
        raise typer.Exit(1 if response.status_code in (400, 406, 422) else 2)
    sys.stdout.buffer.write(response.content)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="|".join(EXPORT_FORMATS))] = "nquads",
    graph: Annotated[str | None, typer.Option("--graph", help="Only this named graph.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")] = None,
    store: StoreOpt = None,
) -> None:
    """Dump the whole store (N-Quads, TriG, JSON-LD) or one graph (any RDF format)."""
    if format not in EXPORT_FORMATS:
        err.print(f"[red]error:[/red] --format must be one of {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(2)
    fmt = RDF_BY_NAME[format]
    if graph is None and not fmt.supports_datasets:
        err.print(f"[red]error:[/red] {format} holds one graph: give --graph IRI, or use nquads/trig/jsonld.")
        raise typer.Exit(2)
    with reported():
        graph_store = open_store(_existing(make_settings(store=store)))
        try:
            if graph is not None and not graph_store.graph_exists(graph):
                err.print(f"[red]error:[/red] there is no graph <{graph}>.")
                raise typer.Exit(1)
            if output is None:
                graph_store.serialize(sys.stdout.buffer, fmt, graph=graph, whole=graph is None)
                sys.stdout.flush()
            else:
                tmp = output.with_name(output.name + ".part")
                with tmp.open("wb") as handle:
                    graph_store.serialize(handle, fmt, graph=graph, whole=graph is None)
                tmp.replace(output)  # never leave a half-written file under the requested name
                err.print(f"Wrote {output}.")
        finally:
            graph_store.close()
