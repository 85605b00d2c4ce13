"""``/api/v1/contributions``: send organisation and dataset records (CSV, JSON, JSON-LD, Turtle, N-Triples,
RDF/XML); read a contribution's record and provenance; withdraw one.

The work is the shared pipeline of :mod:`loaders.contributions`, run in a worker thread. A large file can be
sent with ``Prefer: respond-async``: the answer is then ``202 Accepted`` at once, with a job to poll
(``Location``) that reports progress and, at the end, the same result a synchronous request gets.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ContributorDep, Services, ServicesDep, read_body
from api.errors import problem_for
from api.tokens import TokenRecord
from graph.errors import NotFound, OurdataError
from loaders.contributions import Submission, check, ingest, provenance, withdraw
from loaders.contributions.template import template_csv

router = APIRouter(prefix="/api/v1/contributions", tags=["contributions"])
BASE = "/api/v1/contributions"
MAX_JOBS = 200


@dataclass
class Job:
    """A contribution being processed for a client that asked not to wait."""

    id: str
    owner: str
    status: str = "running"  # running | created | unchanged | valid | rejected | failed
    phase: str = "queued"
    done: int = 0
    total: int = 0
    result: dict[str, Any] = field(default_factory=dict)
    location: str | None = None

    def progress(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total

    def view(self) -> dict[str, Any]:
        data: dict[str, Any] = {"job": self.id, "status": self.status,
                                "progress": {"phase": self.phase, "done": self.done, "total": self.total}}
        if self.status != "running":
            data["result"] = self.result
        if self.location:
            data["location"] = self.location
        return data


class Jobs:
    """The app's recent jobs (in memory: a restart forgets them, never the contributions)."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def new(self, owner: str) -> Job:
        job = Job(secrets.token_hex(8), owner)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status == "running":
                    break
                self._jobs.pop(oldest)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)


def _jobs(request: Request) -> Jobs:
    state = request.app.state
    if not hasattr(state, "contribution_jobs"):
        state.contribution_jobs = Jobs()
    jobs: Jobs = state.contribution_jobs
    return jobs


def _filename(request: Request, given: str | None) -> str | None:
    if given:
        return given
    match = re.search(r'filename="?([^";]+)"?', request.headers.get("content-disposition", ""))
    return match.group(1) if match else None


def _run(services: Services, sub: Submission, dry_run: bool, progress: Any = None) -> Any:
    args = (sub, services.store, services.iris, services.settings)
    if progress is not None:
        return check(*args, progress) if dry_run else ingest(*args, progress)
    return check(*args) if dry_run else ingest(*args)


def _answer(outcome: Any) -> JSONResponse:
    report = outcome.report()
    if outcome.status == "created":
        location = f"{BASE}/{outcome.id}"
        return JSONResponse(report, status_code=201, headers={"Location": location})
    headers = {"Location": f"{BASE}/{outcome.id}"} if outcome.id else None
    return JSONResponse(report, status_code=200, headers=headers)


@router.get("/template.csv", summary="The CSV template: one column per field, and an example row")
def template() -> Response:
    return Response(template_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ourdata-contribution-template.csv"'})


_BODY = {"requestBody": {"required": True, "description": "One file: CSV (see template.csv), JSON, JSON-LD, Turtle, "
                          "N-Triples or RDF/XML. Send Prefer: respond-async for a large one.",
                          "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in (
                              "text/csv", "application/json", "application/ld+json", "text/turtle",
                              "application/n-triples", "application/rdf+xml")}},
         "responses": {"200": {"description": "The same file again (nothing changed), or a dry run"},
                       "202": {"description": "Accepted: poll the job in Location"},
                       "401": {"description": "No valid token"}, "413": {"description": "Over the size or records cap"},
                       "415": {"description": "A media type we do not take"},
                       "422": {"description": "Not loaded: every problem, with where it is"}}}


@router.post("", summary="Contribute organisation and dataset records", status_code=201, openapi_extra=_BODY)
async def contribute(
    request: Request,
    services: ServicesDep,
    caller: ContributorDep,
    dry_run: Annotated[bool, Query(description="Validate and report; write nothing.")] = False,
    format: Annotated[str | None, Query(description="csv, json, jsonld, turtle, ntriples or rdfxml (default: "
                                                    "from Content-Type, the file name, or the content)")] = None,
    source: Annotated[str | None, Query(description="Where the records come from (a title kept in the "
                                                    "provenance).")] = None,
    licence: Annotated[str | None, Query(description="The contribution's licence: SPDX id, name or URL.")] = None,
    filename: Annotated[str | None, Query(description="The file's name, kept in the provenance.")] = None,
) -> Response:
    """Validates and loads one file atomically into its own named graph; 422 lists every problem."""
    body = await read_body(request, services.settings.contribution_max_bytes)
    sub = Submission(body, agent=caller.name, filename=_filename(request, filename),
                     media_type=request.headers.get("content-type"), format=format, source=source, licence=licence)
    if "respond-async" in request.headers.get("prefer", "").lower():
        job = _jobs(request).new(caller.name)
        threading.Thread(target=_work, args=(job, services, sub, dry_run), daemon=True,
                         name=f"contribution-{job.id}").start()
        return JSONResponse(job.view(), status_code=202, headers={"Location": f"{BASE}/jobs/{job.id}",
                                                                  "Retry-After": "1"})
    outcome = await run_in_threadpool(_run, services, sub, dry_run)
    return _answer(outcome)


def _work(job: Job, services: Services, sub: Submission, dry_run: bool) -> None:
    try:
        outcome = _run(services, sub, dry_run, job.progress)
        job.result = outcome.report()
        job.location = f"{BASE}/{outcome.id}" if outcome.id else None
        job.status = outcome.status
    except OurdataError as exc:
        response = problem_for(exc)
        job.result = {"status": response.status_code, **_json(response)}
        job.status = "rejected" if response.status_code < 500 else "failed"
    except Exception:  # noqa: BLE001 - a job must end with a status, whatever happened
        job.result = {"status": 500, "title": "Internal error", "detail": "Something went wrong on our side."}
        job.status = "failed"


def _json(response: JSONResponse) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads(bytes(response.body))
    return data


@router.get("/jobs/{job_id}", summary="Progress and result of a contribution sent with Prefer: respond-async")
def job_status(job_id: str, request: Request, caller: ContributorDep) -> JSONResponse:
    job = _jobs(request).get(job_id)
    if job is None or (job.owner != caller.name and not caller.is_admin):
        raise NotFound(f"There is no job '{job_id}' of yours (jobs are kept in memory for a while).")
    headers = {"Retry-After": "1"} if job.status == "running" else {}
    return JSONResponse(job.view(), headers=headers)


@router.get("", summary="Contributions, newest first")
def list_contributions(
    services: ServicesDep,
    contributor: Annotated[str | None, Query(description="Only this contributor's (token name).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> JSONResponse:
    items = provenance.contributions(services.store, services.iris)
    if contributor is not None:
        items = [i for i in items if i["contributor"]["name"] == contributor]
    page = items[offset:offset + limit]
    body: dict[str, Any] = {"items": page, "total": len(items)}
    headers = {}
    if offset + limit < len(items):
        body["next"] = f"{BASE}?offset={offset + limit}&limit={limit}" + (
            f"&contributor={contributor}" if contributor else "")
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    return JSONResponse(body, headers=headers)


@router.get("/{contribution_id}", summary="One contribution: who, when, which file, licence, history")
def get_contribution(contribution_id: str, services: ServicesDep) -> JSONResponse:
    graph = services.iris.graph("contribution", contribution_id)
    found = provenance.contributions(services.store, services.iris, graph)
    if not found:
        raise NotFound(f"There is no contribution '{contribution_id}'.")
    return JSONResponse({**found[0], **provenance.history(services.store, services.iris, graph)})


@router.delete("/{contribution_id}", summary="Withdraw a contribution: removes exactly what it added")
def delete_contribution(contribution_id: str, services: ServicesDep, caller: ContributorDep) -> JSONResponse:
    return JSONResponse(_withdraw(services, contribution_id, caller))


def _withdraw(services: Services, contribution_id: str, caller: TokenRecord) -> dict[str, Any]:
    services.iris.checked_slug(contribution_id)
    return withdraw(services.store, services.iris, contribution_id, caller.name, admin=caller.is_admin)
