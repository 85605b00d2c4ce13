"""The ``ourdata`` command. Exit codes: 0 success, 1 the data or query was rejected, 2 usage or environment.

Each command builds its :class:`Settings` from flags and ``OURDATA_*`` variables and passes it on.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from graph.errors import (
    OurdataError,
    QuerySyntaxError,
    RdfSyntaxError,
    StoreLocked,
    ValidationFailed,
)
from graph.settings import Settings

app = typer.Typer(help="ourdata: the data-ownership landscape as a linked-data knowledge graph.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
token_app = typer.Typer(help="Manage API tokens (secrets are shown once and stored only hashed).",
                        no_args_is_help=True)
app.add_typer(token_app, name="token")

err = Console(stderr=True)
out = Console()
T = TypeVar("T")

_REJECTED = (QuerySyntaxError, RdfSyntaxError, ValidationFailed)

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store directory [env OURDATA_STORE].")]
MemoryOpt = Annotated[bool, typer.Option("--memory", help="Use an in-memory store (nothing kept).")]
BaseOpt = Annotated[str | None, typer.Option("--base-iri", help="Base of minted IRIs [env OURDATA_BASE_IRI].")]


def make_settings(**flags: Any) -> Settings:
    """Flags given on the command line win over ``OURDATA_*`` variables, which win over defaults."""
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None and v is not False})
    except ValueError as exc:
        err.print(f"[red]error:[/red] invalid setting: {exc}")
        raise typer.Exit(2) from exc


@contextmanager
def reported() -> Iterator[None]:
    """Turns our errors into a one-line message and the contract's exit code."""
    try:
        yield
    except OurdataError as exc:
        err.print(f"[red]error:[/red] {exc.detail}")
        for problem in exc.errors[:50]:
            where = ", ".join(f"{k} {v}" for k, v in problem.items() if k != "message")
            err.print(f"  - {problem.get('message')}" + (f" ({where})" if where else ""))
        code = 1 if isinstance(exc, _REJECTED) else 2
        if isinstance(exc, StoreLocked):
            code = 2
        raise typer.Exit(code) from exc


def run(fn: Callable[[], T]) -> T:
    with reported():
        return fn()


def _register() -> None:
    # commands live in one module per concern; importing registers them on ``app``
    from api import cli_admin, cli_contribute, cli_data, cli_import, cli_serve, cli_tokens  # noqa: F401


def main() -> None:
    _register()
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
