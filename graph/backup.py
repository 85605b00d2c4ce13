"""Backup and restore of the on-disk store.

A backup is an engine checkpoint: a consistent copy of the store at one instant (hard links where the
file system allows, so it is cheap), itself a store directory that can be opened. Restore copies a backup
into a temporary directory beside the store, checks that it opens, then swaps it into place with renames,
so a failed or interrupted restore never leaves a half-copied store under the store's name.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.errors import BadRequest, Conflict, StoreError


def checked_target(directory: str | Path) -> Path:
    """A directory a backup may be written to: absolute, not existing yet, its parent existing."""
    path = Path(directory)
    if not path.is_absolute():
        raise BadRequest(f"The backup directory must be an absolute path on the server's machine, not '{path}'.")
    if path.exists():
        raise Conflict(f"'{path}' exists already; a backup goes into a new directory.")
    if not path.parent.is_dir():
        raise BadRequest(f"The parent directory '{path.parent}' does not exist.")
    return path


def backup(store: EmbeddedStore, directory: str | Path) -> Path:
    """Writes a checkpoint of ``store`` to ``directory`` (which must not exist) and returns its path."""
    target = checked_target(directory)
    if store.path is not None and target.resolve().is_relative_to(store.path.resolve()):
        raise BadRequest("The backup cannot go inside the store's own directory.")
    try:
        store.backup(target)
    except (OSError, RuntimeError) as exc:
        raise StoreError(f"The backup to '{target}' failed: {exc}") from exc
    return target


def restore(source: Path, store_path: Path) -> int:
    """Replaces the store at ``store_path`` by the backup at ``source``; returns the number of quads restored.

    Raises StoreLocked while a process (a running server) holds the store, BadRequest when ``source`` is
    not a store."""
    if not (source / "CURRENT").is_file():
        raise BadRequest(f"'{source}' is not a store backup (no CURRENT file).")
    if store_path.exists():
        EmbeddedStore.open(store_path).close()  # raises StoreLocked while a server holds it
    stamp = f"{os.getpid()}-{time.time_ns()}"
    staging = store_path.with_name(f"{store_path.name}.restore-{stamp}")
    try:
        shutil.copytree(source, staging)
        try:
            copy = EmbeddedStore.open(staging, read_only=True)
        except StoreError as exc:
            raise BadRequest(f"'{source}' is not a valid store: {exc.detail}") from exc
        quads = copy.count()
        copy.close()
        old = store_path.with_name(f"{store_path.name}.replaced-{stamp}")
        if store_path.exists():
            store_path.rename(old)
        try:
            staging.rename(store_path)
        except OSError:
            if old.exists():
                old.rename(store_path)  # put the original back
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return quads
