"""The query parameters of the API's collection routes: what they mean, and reading them strictly.

Unknown parameters are refused (400 naming them), so a misspelt filter never silently returns everything.
A filter may be repeated or take comma-separated values (``country=gb,ie`` = ``country=gb&country=ie``).
"""

from __future__ import annotations

import base64
import binascii
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from starlette.datastructures import QueryParams

from graph.catalogue_terms import ACTIONS
from graph.errors import BadRequest

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
PAGING = ("page", "per_page", "cursor")
_ACTION_NAMES = ", ".join(a.name for a in ACTIONS)

#: Every filter's description, shown in the OpenAPI document.
DESCRIPTIONS: dict[str, str] = {
    "q": "Full-text search over names, labels and descriptions (accents and case ignored; the last word also "
         "matches as a prefix). Results are ranked: a name equal to the query first, name matches before "
         "description matches.",
    "country": "ISO 3166-1 alpha-2 code (e.g. `gb`) or our country IRI. Organisations: where they are; datasets: "
               "their spatial coverage or their publisher's country; legal forms: their jurisdiction.",
    "region": "Region slug (e.g. `europe`, `eu`, `eea`, `northern-europe`): members whose country lies in it.",
    "legal_form": "ISO 20275 (ELF) code, e.g. `ZZGG` (UK co-operative society), or our legal-form IRI. Datasets: "
                  "their publisher's legal form.",
    "kind": "Institution-kind code, e.g. `data-cooperative`, `data-trust`, `platform-cooperative` "
            "(concepts of https://ourdata.coop/def/institution-kind). Datasets: their publisher's kind.",
    "licence": "SPDX licence id, e.g. `CC-BY-4.0`, `ODbL-1.0`, `OGL-UK-3.0` (case ignored), or our licence IRI. "
               "Organisations: those publishing a dataset under it.",
    "permits": f"Licence terms permit every one of these actions ({_ACTION_NAMES}). Commercial use counts as "
               "permitted when a machine-readable policy exists and does not prohibit it.",
    "requires": "Licence terms require every one of these actions (duties), e.g. `attribution`, `share-alike`.",
    "prohibits": "Licence terms prohibit every one of these actions, e.g. `commercial-use`.",
    "source": "Name of a source graph (e.g. `coops-uk`, `transformap`, `data-institutions-seed`), "
              "`family/name`, or the graph IRI: members that graph says something about.",
    "modified_since": "ISO 8601 date or date-time (UTC if no offset): members changed at or after it, by their "
                      "own `dct:modified` or the time their source graph was last loaded. For incremental sync, "
                      "walk `next` with `cursor`.",
    "page": "Page number (1-based) for page-number paging.",
    "per_page": f"Items per page, 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
    "cursor": "Opaque cursor for keyset paging: `*` starts; then follow `next` / `previous`. Every item is "
              "visited once even if the data changes while walking.",
}
MULTI_VALUED = ("country", "region", "legal_form", "kind", "licence", "permits", "requires", "prohibits", "source")


@dataclass(frozen=True)
class Paging:
    per_page: int
    page: int | None  # page-number paging
    cursor: tuple[str, float, str] | None  # ("a" after | "b" before, -score, IRI); None with cursor_mode: start
    cursor_mode: bool


@dataclass(frozen=True)
class ListRequest:
    filters: dict[str, list[str]]
    q: str | None
    since: float | None
    paging: Paging


def parse_since(value: str) -> float:
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as exc:
        raise BadRequest(f"modified_since '{value}' is not an ISO 8601 date or date-time.",
                         errors=[{"field": "modified_since", "value": value,
                                  "message": "Use e.g. 2024-05-01 or 2024-05-01T12:00:00Z."}]) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def encode_cursor(direction: str, key: tuple[float, str]) -> str:
    raw = orjson.dumps([direction, key[0], key[1]])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(value: str) -> tuple[str, float, str]:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        direction, score, iri = orjson.loads(raw)
        if direction not in ("a", "b") or not isinstance(iri, str):
            raise ValueError(direction)
        return direction, float(score), iri
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadRequest("The cursor is not one this API gave out; start again with cursor=*.",
                         errors=[{"field": "cursor", "value": value, "message": "invalid cursor"}]) from exc


def _int(params: QueryParams, name: str, low: int, high: int | None, default: int | None) -> int | None:
    values = params.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise BadRequest(f"'{name}' is given more than once.", errors=[{"field": name, "message": "repeated"}])
    try:
        number = int(values[0])
    except ValueError as exc:
        raise BadRequest(f"'{name}' must be a whole number.", errors=[{"field": name, "value": values[0],
                                                                     "message": "not a number"}]) from exc
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"'{name}' must be {bound} (got {number}).",
                         errors=[{"field": name, "value": values[0], "message": f"must be {bound}"}])
    return number


def parse_list_request(params: QueryParams, allowed_filters: Sequence[str]) -> ListRequest:
    """Reads a collection request; BadRequest for unknown parameters or values out of range."""
    allowed = set(allowed_filters) | set(PAGING)
    unknown = sorted({name for name in params if name not in allowed})
    if unknown:
        errors = [{"field": name, "message": f"Unknown parameter '{name}'.",
                   "candidates": difflib.get_close_matches(name, sorted(allowed), n=3, cutoff=0.5)}
                  for name in unknown]
        raise BadRequest(f"Unknown parameter(s): {', '.join(unknown)}. This collection takes: "
                         f"{', '.join(sorted(allowed))}.", errors=errors)
    per_page = _int(params, "per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE)
    page = _int(params, "page", 1, None, None)
    cursor_values = params.getlist("cursor")
    if page is not None and cursor_values:
        raise BadRequest("Use either 'page' or 'cursor', not both.")
    cursor = None
    if cursor_values and cursor_values[0] not in ("*", ""):
        cursor = decode_cursor(cursor_values[0])
    filters: dict[str, list[str]] = {}
    for name in MULTI_VALUED:
        values = [v.strip() for raw in params.getlist(name) for v in raw.split(",") if v.strip()]
        if values:
            filters[name] = values
    q_values = params.getlist("q")
    q = " ".join(v for v in q_values if v.strip()) or None
    since_values = params.getlist("modified_since")
    since = parse_since(since_values[0]) if since_values else None
    assert per_page is not None
    return ListRequest(filters, q, since, Paging(per_page, page if not cursor_values else None, cursor,
                                                 bool(cursor_values)))
