"""What the collection routes compute, off the event loop: a page of framed documents, or one document.

Routes (:mod:`api.routes.collections`) translate HTTP to these calls and back; everything here runs in the
query threads and returns plain data.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL

from api.api_params import ListRequest, encode_cursor
from api.framing import Framer
from graph.api_documents import REVERSE, documents
from graph.catalogue import Catalogue, Selection, Snapshot
from graph.catalogue_terms import KINDS
from graph.errors import NotFound
from graph.iris import Iris
from graph.store import GraphStore

_LOCK = threading.Lock()


def catalogue_for(state: Any, store: GraphStore, iris: Iris) -> Catalogue:
    """The app's catalogue (kept on ``app.state``, so it lives and dies with the app and its store)."""
    with _LOCK:
        catalogue: Catalogue | None = getattr(state, "api_catalogue", None)
        if catalogue is None or catalogue.store is not store or catalogue.iris != iris:
            catalogue = Catalogue(store, iris)
            state.api_catalogue = catalogue
        return catalogue


@lru_cache(maxsize=1)
def framer() -> Framer:
    from ontology import load_context  # the published context, read from the shipped file

    return Framer(load_context())


def frame_all(store: GraphStore, collection: str, iris: list[str]) -> list[dict[str, Any]]:
    docs = documents(store, collection, iris)
    reverse = REVERSE.get(collection, ())
    frame = framer().frame
    return [frame(iri, docs[iri].triples, reverse, docs[iri].labels) if docs[iri] else {"id": iri} for iri in iris]


def _time(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


@dataclass
class ListResult:
    body: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)
    total: int = 0
    last_modified: datetime | None = None


def _page_url(url: URL, **changes: str | int | None) -> str:
    params = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k not in ("page", "cursor")]
    params += [(k, str(v)) for k, v in changes.items() if v is not None]
    return str(url.replace(query=urlencode(params)))


def _window(selection: Selection, request: ListRequest, url: URL) -> tuple[int, int, dict[str, str]]:
    """(start, count, links) for the requested page or cursor."""
    paging = request.paging
    per_page = paging.per_page
    links: dict[str, str] = {}
    if not paging.cursor_mode:
        last = max(1, math.ceil(selection.total / per_page))
        page = paging.page or 1
        links["first"] = _page_url(url, page=1)
        links["last"] = _page_url(url, page=last)
        if page > 1:
            links["previous"] = _page_url(url, page=min(page - 1, last))
        if page < last:
            links["next"] = _page_url(url, page=page + 1)
        return (page - 1) * per_page, per_page, links
    links["first"] = _page_url(url, cursor="*")
    start = 0
    if paging.cursor is not None:
        direction, score, iri = paging.cursor
        if direction == "a":
            start = selection.index_after((score, iri))
        else:  # the page just before the key
            before = selection.index_before((score, iri))
            start = max(0, before - per_page)
            per_page = before - start
    end = min(selection.total, start + per_page)
    if end < selection.total and end > start:
        links["next"] = _page_url(url, cursor=encode_cursor("a", selection.key(end - 1)))
    if start > 0 and start < selection.total:
        links["previous"] = _page_url(url, cursor=encode_cursor("b", selection.key(start)))
    return start, per_page, links


def list_page(catalogue: Catalogue, collection: str, request: ListRequest, url: URL, context_url: str
              ) -> ListResult:
    store = catalogue.store
    snapshot = catalogue.snapshot()
    criteria = snapshot.criteria(collection, request.filters, q=request.q, since=request.since)
    selection = snapshot.select(collection, criteria)
    start, count, links = _window(selection, request, url)
    members = selection.items(start, count)
    body: dict[str, Any] = {
        "@context": context_url,
        "id": str(url),
        "type": "hydra:Collection",
        "totalItems": selection.total,
    }
    body.update(links)
    body["items"] = frame_all(store, collection, members)
    return ListResult(body, links, selection.total, _time(latest(snapshot, selection)))


def latest(snapshot: Snapshot, selection: Selection) -> float | None:
    cached = getattr(selection, "_latest", False)
    if cached is False:
        cached = snapshot.latest(selection)
        selection._latest = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def resource(catalogue: Catalogue, collection: str, ident: str, context_url: str, *,
             snapshot: Snapshot | None = None, budget: int | None = None) -> tuple[dict[str, Any], datetime | None]:
    """One framed document; NotFound when we hold nothing about it or it is not in this collection.

    With the ``snapshot`` the caller holds, no catalogue snapshot is ever built here; with a ``budget``, a document
    of more statements raises :class:`graph.api_documents.OverBudget` early. Both together make this safe to call
    on the event loop."""
    kind = KINDS[collection]
    iri = catalogue.iris.thing(kind.thing, ident)
    store = catalogue.store
    snapshot = snapshot or catalogue.snapshot()
    exact = snapshot.version == store.version()
    if exact and not snapshot.has(collection, iri):
        raise NotFound(f"There is no {kind.thing.replace('-', ' ')} '{ident}' (<{iri}>).")
    doc = documents(store, collection, [iri], budget=budget)[iri]
    if not doc:
        raise NotFound(f"We hold nothing about <{iri}>.")
    document = {"@context": context_url, **framer().frame(iri, doc.triples, REVERSE.get(collection, ()), doc.labels)}
    return document, _time(snapshot.modified(collection, iri))
