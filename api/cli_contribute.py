"""``ourdata load`` and ``ourdata validate``: the contribution pipeline from the shell, on the store or a server.

Exit codes: 0 loaded (or valid), 1 a file was rejected (every problem is listed in a table), 2 usage or
environment (a locked store, a server that cannot be reached, a refused token).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli import BaseOpt, MemoryOpt, StoreOpt, app, err, make_settings, out, reported
from graph.iris import Iris
from graph.settings import Settings
from graph.store import GraphStore, open_store
from loaders.contributions import ContributionRejected, ContributionTooLarge, Outcome, Submission, check, ingest
from loaders.contributions.parse import MEDIA_TYPES, detect_format

FilesArg = Annotated[list[Path], typer.Argument(help="Files to contribute (CSV, JSON, JSON-LD, Turtle, N-Triples, "
                                                     "RDF/XML).", exists=True, dir_okay=False, readable=True)]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="csv, json, jsonld, turtle, ntriples, rdfxml "
                                                                     "(default: from the extension or content).")]
BIG = 512 * 1024  # files from this size get a progress bar
MEDIA_FOR = {name: media for media, name in MEDIA_TYPES.items()}


@contextmanager
def progress_bar(size: int) -> Iterator[Any]:
    """A progress callback for the pipeline; a bar on stderr only for large files."""
    if size < BIG:
        yield lambda phase, done, total: None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("reading", total=None)

        def update(phase: str, done: int, total: int) -> None:
            bar.update(task, description=phase, completed=done, total=total or None)

        yield update


SHOWN = 200  # problems listed in the table; the rest are counted


def _short(iri: str) -> str:
    """``http://www.w3.org/2004/02/skos/core#prefLabel`` -> ``skos:prefLabel`` (our context's prefixes)."""
    from loaders.contributions.parse import our_context

    for prefix, namespace in our_context().items():
        if isinstance(namespace, str) and namespace.endswith(("/", "#")) and iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def _where(problem: dict[str, Any]) -> str:
    if problem.get("focus_node"):
        path = f" {_short(problem['path'])}" if problem.get("path") else ""
        return f"{problem['focus_node']}{path}"
    return ", ".join(f"{k} {problem[k]}" for k in ("field", "row", "line", "column", "pointer")
                     if problem.get(k) not in (None, ""))


def print_problems(name: str, detail: str, problems: list[dict[str, Any]]) -> None:
    table = Table("where", "problem", "value", title=f"{name}: {detail}", title_justify="left", show_lines=False)
    for problem in problems[:SHOWN]:
        where = _where(problem)
        message = problem["message"]
        if problem.get("severity") == "warning":
            message = "[yellow]warning:[/yellow] " + message
        if problem.get("candidates"):
            message += "\n  candidates: " + ", ".join(problem["candidates"][:5])
        table.add_row(where, message, str(problem.get("value", "")))
    out.print(table)
    if len(problems) > SHOWN:
        out.print(f"... and {len(problems) - SHOWN:,} more problems of the same kinds (--dry-run through the API, or "
                  "fix these first).")


def print_outcome(name: str, report: dict[str, Any]) -> None:
    counts = ", ".join(f"{n} {action}" for action, n in sorted(report.get("counts", {}).items()))
    records = report.get("records", [])
    if report["status"] == "unchanged":
        out.print(f"{name}: already loaded as contribution {report['id']}; nothing changed.")
        return
    verb = "valid" if report["status"] == "valid" else f"loaded as contribution {report['id']}"
    out.print(f"{name}: {verb}: {len(records)} record(s) ({counts}), {report['triples']:,} triple(s).")
    table = Table("record", "action", "IRI", "match")
    for record in records[:25]:
        where = f"row {record['row']}" if record.get("row") else record.get("pointer") or record.get("focus_node") \
            or str(record["record"])
        match = record.get("match", {}).get("reason", "") if record.get("match") else ""
        table.add_row(where, record["action"], record["iri"] or "", match)
    if records:
        out.print(table)
    if len(records) > 25:
        out.print(f"... and {len(records) - 25} more.")
    for item in report.get("superseded", []):
        out.print(f"superseded {item['triples']} earlier statement(s) about {item['record']} "
                  f"(contribution {item['contribution'].rsplit('/', 1)[-1]})")
    if report.get("warnings"):
        print_problems(name, "warnings", report["warnings"])


def _open(settings: Settings, *, write: bool) -> GraphStore:
    """The store; for checks only, a temporary in-memory store with the reference data when there is none."""
    path = settings.store_path
    if path is not None and path.exists():
        store = open_store(settings, read_only=not write)
        if not store.is_empty():
            return store
        store.close()
        if write:
            err.print(f"[red]error:[/red] the store at {path} is empty: run 'ourdata init' first.")
            raise typer.Exit(2)
    elif write and path is not None:
        err.print(f"[red]error:[/red] there is no store at {path}: run 'ourdata init' first (or give --store).")
        raise typer.Exit(2)
    from loaders.initial import first_load

    memory = open_store(Settings(memory=True, base_iri=settings.base_iri, _env_file=None))  # type: ignore[call-arg]
    err.print("Checking against the bundled reference data (no store).")
    first_load(memory, Iris(settings.base_iri), organisations=False)
    return memory


def _local(files: list[Path], settings: Settings, fmt: str | None, source: str | None, licence: str | None,
           dry_run: bool, write: bool) -> int:
    store = _open(settings, write=write and not dry_run)
    iris = Iris(settings.base_iri)
    rejected = 0
    try:
        subs = [Submission(f.read_bytes(), agent=source or "local", filename=f.name, format=fmt, source=source,
                           licence=licence) for f in files]
        need_check = dry_run or not write or len(subs) > 1
        outcomes: dict[str, Outcome] = {}
        if need_check:
            for sub in subs:
                try:
                    with progress_bar(len(sub.data)) as progress:
                        outcomes[sub.filename or ""] = check(sub, store, iris, settings, progress)
                except ContributionRejected as exc:
                    rejected += 1
                    print_problems(sub.filename or "", exc.detail, exc.errors)
                except ContributionTooLarge as exc:
                    rejected += 1
                    err.print(f"[red]{sub.filename}:[/red] {exc.detail}")
            if rejected and write and not dry_run:
                err.print("Nothing was loaded: fix the problems above and run again.")
            if rejected or dry_run or not write:
                for name, outcome in outcomes.items():
                    print_outcome(name, outcome.report())
                return 1 if rejected else 0
        for sub in subs:
            try:
                with progress_bar(len(sub.data)) as progress:
                    outcome = ingest(sub, store, iris, settings, progress)
                print_outcome(sub.filename or "", outcome.report())
            except ContributionRejected as exc:
                rejected += 1
                print_problems(sub.filename or "", exc.detail, exc.errors)
            except ContributionTooLarge as exc:
                rejected += 1
                err.print(f"[red]{sub.filename}:[/red] {exc.detail}")
    finally:
        store.close()
    return 1 if rejected else 0


def _remote(files: list[Path], url: str, token: str | None, fmt: str | None, source: str | None,
            licence: str | None, dry_run: bool) -> int:
    import httpx

    if not token:
        err.print("[red]error:[/red] sending to a server needs a token: --token or OURDATA_TOKEN.")
        return 2
    endpoint = url.rstrip("/") + "/api/v1/contributions"
    rejected = 0
    with httpx.Client(timeout=httpx.Timeout(60, read=600), headers={"Authorization": f"Bearer {token}"}) as client:
        for file in files:
            data = file.read_bytes()
            name = detect_format(data, fmt=fmt, filename=file.name)
            params = {k: v for k, v in {"dry_run": str(dry_run).lower(), "format": name, "source": source,
                                        "licence": licence, "filename": file.name}.items() if v}
            headers = {"Content-Type": MEDIA_FOR.get(name, "application/octet-stream")}
            if len(data) >= BIG:
                headers["Prefer"] = "respond-async"
            try:
                response = client.post(endpoint, params=params, content=data, headers=headers)
                if response.status_code == 202:
                    response = _follow(client, url, response, len(data))
            except httpx.HTTPError as exc:
                err.print(f"[red]error:[/red] cannot reach {endpoint}: {exc}")
                return 2
            code, body = response.status_code, _body(response)
            if code in (200, 201):
                print_outcome(file.name, body)
            elif code in (401, 403):
                err.print(f"[red]error:[/red] {code}: {body.get('detail', response.text)}")
                return 2
            else:
                rejected += 1
                print_problems(file.name, body.get("detail", response.text), body.get("errors", []))
    return 1 if rejected else 0


def _follow(client: Any, url: str, response: Any, size: int) -> Any:
    """Polls an accepted job until it ends; returns a response-like object with the final status and body."""
    import httpx

    location = url.rstrip("/") + response.headers["location"]
    with progress_bar(max(size, BIG)) as progress:
        while True:
            job = client.get(location).json()
            info = job.get("progress", {})
            progress(info.get("phase", ""), info.get("done", 0), info.get("total", 0))
            if job["status"] != "running":
                break
            time.sleep(0.5)
    result = job.get("result", {})
    status = {"created": 201, "unchanged": 200, "valid": 200}.get(job["status"], result.get("status", 500))
    return httpx.Response(status, json=result)


def _body(response: Any) -> dict[str, Any]:
    try:
        data: dict[str, Any] = response.json()
        return data
    except ValueError:
        return {"detail": response.text}


@app.command()
def load(
    files: FilesArg,
    format: FormatOpt = None,
    source: Annotated[str | None, typer.Option("--source", help="Who or where the records come from (kept in the "
                                                                "provenance; names the contributor locally).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report what would change; write nothing."
                                          )] = False,
    url: Annotated[str | None, typer.Option("--url", help="Send to a running server instead of opening the store.")
                   ] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="OURDATA_TOKEN",
                                              help="Contributor or admin token for --url [env OURDATA_TOKEN].")
                     ] = None,
    licence: Annotated[str | None, typer.Option("--licence", help="The contribution's licence (SPDX id, name or URL)."
                                                )] = None,
    store: StoreOpt = None,
    memory: MemoryOpt = False,
    base_iri: BaseOpt = None,
) -> None:
    """Validate and load contributed records: each file is one atomic, attributed contribution."""
    with reported():
        if url:
            code = _remote(files, url, token, format, source, licence, dry_run)
        else:
            settings = make_settings(store=store, memory=memory, base_iri=base_iri)
            if format:
                detect_format(b"", fmt=format)
            code = _local(files, settings, format, source, licence, dry_run, write=True)
    raise typer.Exit(code)


@app.command()
def validate(
    files: FilesArg,
    format: FormatOpt = None,
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
) -> None:
    """Check contributed records without loading them; exit 1 when they do not conform."""
    with reported():
        settings = make_settings(store=store, base_iri=base_iri)
        code = _local(files, settings, format, None, None, True, write=False)
    raise typer.Exit(code)
