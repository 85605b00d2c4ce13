"""``/admin/backup``: a consistent backup of the running server's store (admin only).

The server holds the store's lock, so a backup taken while serving must be made by the server itself.
The directory is on the server's machine: an absolute path that does not exist yet.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, ServicesDep
from graph import backup
from graph.embedded import EmbeddedStore
from graph.errors import Conflict

router = APIRouter(tags=["Administration"])


class BackupRequest(BaseModel):
    directory: str = Field(description="Absolute path, on the server's machine, of a directory to create.")


class BackupDone(BaseModel):
    directory: str
    quads: int = Field(description="Quads the backup holds.")


@router.post("/admin/backup", status_code=201, response_model=BackupDone, summary="Back up the store (admin token)")
async def make_backup(body: BackupRequest, services: ServicesDep, _admin: AdminDep) -> BackupDone:
    """A checkpoint of the store at one instant, taken while serving; writes keep landing meanwhile."""
    store = services.store
    if not isinstance(store, EmbeddedStore) or store.path is None:
        raise Conflict("This server's store is in memory (or not ours to checkpoint); export it instead.")

    def run() -> BackupDone:
        target = backup.backup(store, body.directory)
        copy = EmbeddedStore.open(target, read_only=True)  # proves the backup opens, and says what it holds
        try:
            return BackupDone(directory=str(target), quads=copy.count())
        finally:
            copy.close()

    return await run_in_threadpool(run)
