"""``ourdata token create|list|revoke``: works while the server runs (tokens live in SQLite, not the store)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli import MemoryOpt, StoreOpt, err, make_settings, out, reported, token_app
from api.tokens import ROLES, TokenStore


def _tokens(store: object, memory: bool) -> TokenStore:
    return TokenStore(make_settings(store=store, memory=memory).token_path)


@token_app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="A name to recognise the token by.")],
    role: Annotated[str, typer.Option("--role", help="contributor or admin")] = "contributor",
    store: StoreOpt = None,
    memory: MemoryOpt = False,
) -> None:
    """Create a token and print its secret (shown once)."""
    if role not in ROLES:
        err.print(f"[red]error:[/red] role must be one of {', '.join(ROLES)}")
        raise typer.Exit(2)
    with reported():
        secret = _tokens(store, memory).create(name, role)
    typer.echo(secret)
    typer.echo(f"Token '{name}' ({role}) created. Keep the secret: it is not shown again.", err=True)


@token_app.command("list")
def list_tokens(store: StoreOpt = None, memory: MemoryOpt = False) -> None:
    """List tokens (names and roles; never secrets)."""
    with reported():
        records = _tokens(store, memory).list()
    table = Table("name", "role", "created", "last used")
    for record in records:
        table.add_row(record.name, record.role, record.created, record.last_used or "never")
    out.print(table)


@token_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")], store: StoreOpt = None,
           memory: MemoryOpt = False) -> None:
    """Revoke a token at once, also for a running server."""
    with reported():
        _tokens(store, memory).revoke(name)
    typer.echo(f"Token '{name}' revoked.")
