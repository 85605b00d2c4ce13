"""``/api/v1/stats``: the landscape in numbers (organisations by country, kind, legal form and source; datasets
by licence and by what their licences permit). Counts are exact for the current catalogue snapshot."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api import api_examples
from api.api_listing import catalogue_for
from api.deps import ServicesDep
from api.routes.collections import JSON, in_worker, json_response
from graph.catalogue_stats import compute

router = APIRouter(tags=["JSON-LD API"])


async def stats(request: Request, services: ServicesDep) -> Response:
    """Totals per collection and breakdowns: each entry has the value's `id`, `code`, `label` and `count`.
    A member with two kinds (or licences) counts under each."""

    catalogue = catalogue_for(request.app.state, services.store, services.iris)

    def work() -> dict[str, object]:
        snapshot = catalogue.snapshot()
        return compute(snapshot, services.store)

    body = await in_worker(services, work)
    return json_response(request, body, JSON)


router.add_api_route("/api/v1/stats", stats, methods=["GET"], response_class=Response,
                     summary="The landscape in numbers", responses=api_examples.STATS_RESPONSES)
router.add_api_route("/api/v1/stats", stats, methods=["HEAD"], response_class=Response, include_in_schema=False)
