"""``/healthz``: liveness plus a cheap readiness fact (the store answers)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Liveness and store readiness")
async def healthz(services: ServicesDep) -> dict[str, object]:
    empty = await run_in_threadpool(services.store.is_empty)
    return {"status": "ok", "store": "empty" if empty else "loaded", "base_iri": services.iris.base}
