"""``ourdata serve`` and ``ourdata init``: open the store, run the first load if it is empty, serve."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli import BaseOpt, MemoryOpt, StoreOpt, app, err, make_settings, reported
from graph.iris import Iris
from graph.settings import Settings
from graph.store import GraphStore, open_store
from loaders.initial import first_load, needs_first_load


def load_if_empty(store: GraphStore, settings: Settings, *, organisations: bool, force: bool = False) -> None:
    """The first load, with a progress bar on stderr; does nothing on a store that holds data,
    and resumes a first load that was interrupted."""
    if not force and not needs_first_load(store, Iris(settings.base_iri)):
        err.print("Store already holds data; skipping the first load.")
        return
    started = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=False) as bar:
        task = bar.add_task("first load", total=None)

        def progress(name: str, index: int, total: int) -> None:
            bar.update(task, description=f"loading {name}", completed=index, total=total)

        reports = first_load(store, Iris(settings.base_iri), organisations=organisations, progress=progress,
                             resume=not force)
    triples = sum(r.triples for r in reports)
    err.print(f"Loaded {len(reports)} graphs, {triples:,} triples in {time.perf_counter() - started:.1f} s.")
    problems = sum(len(r.problems) for r in reports)
    if problems:
        err.print(f"{problems:,} values could not be mapped; see 'ourdata report'.")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [env OURDATA_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [env OURDATA_PORT].")] = None,
    store: StoreOpt = None,
    memory: MemoryOpt = False,
    base_iri: BaseOpt = None,
    no_organisations: Annotated[bool, typer.Option("--no-organisations",
                                                   help="First load without organisation sources.")] = False,
) -> None:
    """Serve the HTTP API; on an empty store, first load the ontology, reference data and organisations."""
    from api import serving
    from api.app import create_app

    settings = make_settings(host=host, port=port, store=store, memory=memory, base_iri=base_iri)
    with reported():
        graph_store = open_store(settings)
    try:
        with reported():
            load_if_empty(graph_store, settings, organisations=settings.load_organisations and not no_organisations)
        where = "memory" if settings.store_path is None else str(settings.store_path)
        err.print(f"Serving {where} on http://{settings.host}:{settings.port}/ (base IRI {settings.base_iri})")
        serving.run(create_app(settings, store=graph_store), settings, graph_store)
    finally:
        graph_store.close()


@app.command()
def init(
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
    no_organisations: Annotated[bool, typer.Option("--no-organisations",
                                                   help="Load only the ontology and reference data.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Reload bundled sources even if the store has data.")] = False,
) -> None:
    """Run the first load without serving (idempotent)."""
    settings = make_settings(store=store, base_iri=base_iri)
    with reported():
        graph_store = open_store(settings)
        try:
            load_if_empty(graph_store, settings, organisations=not no_organisations, force=force)
        finally:
            graph_store.close()
