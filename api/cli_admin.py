"""``ourdata backup`` and ``ourdata restore``: a consistent copy of the store, and putting one back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli import StoreOpt, app, err, make_settings, reported
from graph.errors import BadRequest, StoreLocked

DirArg = Annotated[Path, typer.Argument(help="Backup directory (created; must not exist yet).")]


@app.command()
def backup(
    directory: DirArg,
    url: Annotated[str | None, typer.Option("--url", help="Ask a running server to make the backup; DIR is then a "
                                                          "path on the server's machine.")] = None,
    token: Annotated[str | None, typer.Option("--token", envvar="OURDATA_TOKEN",
                                              help="Admin token for --url [env OURDATA_TOKEN].")] = None,
    store: StoreOpt = None,
) -> None:
    """A consistent backup of the store, also while serving (with --url, the server makes it)."""
    target = directory.expanduser().absolute()
    with reported():
        if url:
            quads = _remote(url, token, target)
        else:
            from graph import backup as backups
            from graph.embedded import EmbeddedStore

            settings = make_settings(store=store)
            if settings.store_path is None:
                raise BadRequest("An in-memory store cannot be backed up.")
            try:
                graph_store = EmbeddedStore.open(settings.store_path)
            except StoreLocked as exc:
                raise StoreLocked(f"{exc.detail} A running server makes the backup itself: "
                                  "'ourdata backup DIR --url URL --token ADMIN_TOKEN'.") from exc
            try:
                backups.backup(graph_store, target)
                quads = graph_store.count()
            finally:
                graph_store.close()
    err.print(f"Backed up {quads:,} quads to {target}.")


def _remote(url: str, token: str | None, target: Path) -> int:
    import httpx

    if not token:
        err.print("[red]error:[/red] a backup through the server needs an admin token: --token or OURDATA_TOKEN.")
        raise typer.Exit(2)
    endpoint = url.rstrip("/") + "/admin/backup"
    try:
        response = httpx.post(endpoint, json={"directory": str(target)}, timeout=httpx.Timeout(60, read=3600),
                              headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        err.print(f"[red]error:[/red] cannot reach {endpoint}: {exc}")
        raise typer.Exit(2) from exc
    if response.status_code != 201:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        err.print(f"[red]error:[/red] {response.status_code}: {detail}")
        raise typer.Exit(2)
    return int(response.json()["quads"])


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A backup made by 'ourdata backup'.")],
    store: StoreOpt = None,
) -> None:
    """Replace the store by a backup (stop the server first: refused while the store is in use)."""
    from graph import backup as backups

    settings = make_settings(store=store)
    with reported():
        if settings.store_path is None:
            raise BadRequest("An in-memory store cannot be restored into.")
        quads = backups.restore(directory.expanduser().absolute(), settings.store_path)
    err.print(f"Restored {quads:,} quads into {settings.store_path}.")
