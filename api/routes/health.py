"""``/healthz``: liveness plus a cheap readiness fact (the store answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep

router = APIRouter(tags=["Service"])


@router.get("/healthz", summary="Liveness and store readiness")
async def healthz(request: Request, services: ServicesDep) -> dict[str, object]:
    empty = await run_in_threadpool(services.store.is_empty)
    readers = getattr(services.store, "readers", None)
    settings = services.settings
    queries: dict[str, object] = {
        "mode": "reader processes" if readers is not None else "in process",
        "timeout_seconds": settings.query_timeout,
        "max_rows": settings.query_max_rows or None,
        "max_result_bytes": settings.query_max_result_bytes or None,
    }
    if readers is not None:
        queries.update(readers.stats())
    front_door = getattr(request.app.state, "front_door", None)
    if front_door is not None:  # simple reads answered by front processes beside this one (api/front_door.py)
        queries["fronts"] = front_door.status()
    return {"status": "ok", "store": "empty" if empty else "loaded", "base_iri": services.iris.base,
            "queries": queries}
