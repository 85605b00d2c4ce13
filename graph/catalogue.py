"""The API's collections over the store: filtering, ranking and paging, from a snapshot rebuilt when the store changes.

``Catalogue(store, iris).snapshot()`` returns the current :class:`Snapshot` (built by
:mod:`graph.catalogue_build`). A snapshot is immutable, so a listing, its total and its ``next`` links all agree;
it is rebuilt lazily when ``store.version()`` changes. A rebuild that took longer than ``background_after``
seconds runs in a background thread while requests keep the previous snapshot (a large store does not stall
readers after each write; a small one is always exact).

Filter semantics: several values of one filter mean *any* of them, except ``permits`` / ``requires`` /
``prohibits`` where they mean *all*; different filters must all hold. ``q`` ranks by relevance; otherwise
members come in IRI order.
"""

from __future__ import annotations

import difflib
import logging
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph import bitsets
from graph.catalogue_build import KindIndex, SnapshotData, build
from graph.catalogue_terms import ACTIONS_BY_NAME, INSTITUTION_KIND
from graph.errors import BadRequest, NotFound
from graph.iris import Iris
from graph.store import GraphStore

log = logging.getLogger("ourdata.catalogue")

ALL_OF = frozenset({"permits", "requires", "prohibits"})
SELECTION_CACHE = 128


@dataclass(frozen=True)
class Criteria:
    """Resolved filters: (filter, values) pairs with values as IRIs or action names; ``since`` in epoch seconds."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    q: str | None = None
    since: float | None = None


class Selection:
    """The members a request selects, in result order, with the keys cursors are made of."""

    def __init__(self, index: KindIndex, positions: list[int], scores: list[float] | None) -> None:
        self.index = index
        self.positions = positions
        self.scores = scores
        self.total = len(positions)

    def iri(self, i: int) -> str:
        return self.index.members[self.positions[i]]

    def key(self, i: int) -> tuple[float, str]:
        """The sort key of the i-th item: (-score, IRI) when ranked, (0, IRI) in IRI order."""
        return (-(self.scores[i]) if self.scores is not None else 0.0, self.iri(i))

    def items(self, start: int, limit: int) -> list[str]:
        start = max(0, start)
        return [self.iri(i) for i in range(start, min(self.total, start + limit))]

    def index_after(self, key: tuple[float, str]) -> int:
        """Where the items strictly after ``key`` start (keyset paging survives inserts and deletes)."""
        return bisect_right(range(self.total), key, key=self.key)

    def index_before(self, key: tuple[float, str]) -> int:
        """How many items come strictly before ``key``."""
        return bisect_left(range(self.total), key, key=self.key)


class Snapshot:
    """An immutable view of the collections; see :mod:`graph.catalogue`."""

    def __init__(self, data: SnapshotData, iris: Iris, version: int) -> None:
        self.data = data
        self.iris = iris
        self.version = version
        self.token = data.token
        self._selections: OrderedDict[tuple[str, Criteria], Selection] = OrderedDict()
        self._lock = threading.Lock()
        self._sources = self._source_names()

    # ----------------------------------------------------------------- lookup
    def kind(self, collection: str) -> KindIndex:
        index = self.data.kinds.get(collection)
        if index is None:
            raise NotFound(f"There is no collection '{collection}'.")
        return index

    def has(self, collection: str, iri: str) -> bool:
        return iri in self.kind(collection).position

    def modified(self, collection: str, iri: str) -> float | None:
        index = self.kind(collection)
        position = index.position.get(iri)
        return None if position is None else index.modified[position]

    def latest(self, selection: Selection) -> float | None:
        times = [t for p in selection.positions if (t := selection.index.modified[p]) is not None]
        return max(times) if times else None

    # ------------------------------------------------------------- resolution
    def _source_names(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        prefix = self.iris.base + "graph/"
        for graph in self.data.graphs:
            keys = {graph}
            if graph.startswith(prefix):
                rest = graph[len(prefix):]
                keys |= {rest, rest.rsplit("/", 1)[-1]}
            for key in keys:
                names.setdefault(key, set()).add(graph)
        return names

    def _thing(self, thing: str, code: str) -> str | None:
        try:
            return self.iris.thing(thing, code)
        except BadRequest:
            return None

    def _suggested(self, name: str, text: str) -> list[str]:
        """Codes the importers' resolver would map ``text`` to ("UK" -> GB, "CC BY 4.0" -> CC-BY-4.0): offered as
        candidates only, so the filter itself stays exact."""
        try:
            from loaders import resolve  # the resolver's tables come from the bundled reference files
        except ImportError:  # pragma: no cover
            return []
        resolver = {"country": resolve.country_iri, "legal_form": resolve.legal_form_iri,
                    "licence": resolve.licence_iri}[name]
        try:
            iri, candidates = resolver(self.iris, text)
        except Exception:  # noqa: BLE001 - a suggestion must never turn a 400 into a 500
            return []
        return [self.data.notation.get(i, i.rsplit("/", 1)[-1]) for i in ([iri] if iri else candidates)]

    def _search_codes(self, collection: str, text: str) -> list[str]:
        hits = self.kind(collection).text.search(text, limit=5)
        return [self.data.notation.get(iri, iri.rsplit("/", 1)[-1]) for iri, _ in hits]

    def _resolve(self, collection: str, name: str, value: str) -> tuple[list[str], list[str]]:
        """(matching keys, candidates when none match) for one filter value."""
        index = self.kind(collection)
        known = index.facets.get(name, {})
        raw = value.strip()
        lower = raw.lower()
        if name in ALL_OF:
            if lower in ACTIONS_BY_NAME:
                return [lower], []
            return [], difflib.get_close_matches(lower, list(ACTIONS_BY_NAME), n=5, cutoff=0.4)
        if name == "source":
            found = self._sources.get(raw) or self._sources.get(lower)
            if found:
                return sorted(found), []
            names = [k for k in self._sources if "/" not in k]
            return [], difflib.get_close_matches(lower, names, n=5, cutoff=0.4)
        if name == "country":
            iri = raw if raw.startswith(("http://", "https://")) else self._thing("country", lower)
            if iri and (iri in self.data.kinds["countries"].position or iri in known):
                return [iri], []
            countries = self.data.kinds["countries"].position
            codes = sorted({c.lower() for i, c in self.data.notation.items() if i in countries})
            return [], list(dict.fromkeys(self._suggested(name, raw) + difflib.get_close_matches(lower, codes, n=3)
                                          + self._search_codes("countries", raw)))[:8]
        if name == "region":
            slug = raw.rsplit("/", 1)[-1].lower() if raw.startswith("http") else lower
            iri = self._thing("region", slug)
            if iri and (iri in self.data.regions or iri in known):
                return [iri], []
            slugs = sorted(r.rsplit("/", 1)[-1] for r in self.data.regions)
            return [], difflib.get_close_matches(slug, slugs, n=5, cutoff=0.4)
        if name == "legal_form":
            iri = raw if raw.startswith(("http://", "https://")) else self._thing("legal-form", raw.upper())
            if iri and (iri in self.data.kinds["legal-forms"].position or iri in known):
                return [iri], []
            return [], list(dict.fromkeys(self._suggested(name, raw) + self._search_codes("legal-forms", raw)))[:8]
        if name == "kind":
            iri = raw if raw.startswith(("http://", "https://")) else INSTITUTION_KIND + lower
            if iri in self.data.institution_kinds or iri in known:
                return [iri], []
            codes = sorted(k[len(INSTITUTION_KIND):] for k in self.data.institution_kinds | set(known))
            return [], difflib.get_close_matches(lower, codes, n=5, cutoff=0.4)
        if name == "licence":
            licences = self.data.kinds["licences"].position
            by_code = {c.lower(): i for i, c in self.data.notation.items() if i in licences}
            iri = raw if raw.startswith(("http://", "https://")) else by_code.get(lower)
            if iri and (iri in licences or iri in known):
                return [iri], []
            matches = difflib.get_close_matches(lower, list(by_code), n=5, cutoff=0.5)
            return [], list(dict.fromkeys(self._suggested(name, raw) + [self.data.notation[by_code[m]] for m in matches]
                                          + self._search_codes("licences", raw)))[:8]
        raise BadRequest(f"'{name}' is not a filter of {collection}.")

    def criteria(self, collection: str, filters: Mapping[str, Sequence[str]], *, q: str | None = None,
                 since: float | None = None) -> Criteria:
        """Resolves client values (codes, slugs, names) to keys; BadRequest listing every unknown value."""
        kind = self.kind(collection).kind
        resolved: list[tuple[str, tuple[str, ...]]] = []
        problems: list[dict[str, object]] = []
        for name in sorted(filters):
            if name not in kind.filters:
                problems.append({"field": name, "message": f"'{name}' is not a filter of {collection}.",
                                 "candidates": sorted(kind.filters)})
                continue
            keys: list[str] = []
            for value in filters[name]:
                found, candidates = self._resolve(collection, name, value)
                if found:
                    keys.extend(found)
                else:
                    problems.append({"field": name, "value": value, "candidates": candidates,
                                     "message": f"Unknown {name.replace('_', ' ')} '{value}'."
                                     + (f" Did you mean: {', '.join(candidates)}?" if candidates else "")})
            if keys:
                resolved.append((name, tuple(sorted(set(keys)))))
        if problems:
            raise BadRequest("; ".join(str(p["message"]) for p in problems), errors=problems)
        query = q if q and q.strip() else None  # a trailing space matters: no prefix match for the last word
        return Criteria(tuple(resolved), query, since)

    # -------------------------------------------------------------- selection
    def select(self, collection: str, criteria: Criteria) -> Selection:
        key = (collection, criteria)
        with self._lock:
            cached = self._selections.get(key)
            if cached is not None:
                self._selections.move_to_end(key)
                return cached
        selection = self._compute(self.kind(collection), criteria)
        with self._lock:
            self._selections[key] = selection
            while len(self._selections) > SELECTION_CACHE:
                self._selections.popitem(last=False)
        return selection

    def _compute(self, index: KindIndex, criteria: Criteria) -> Selection:
        mask = index.all
        for name, values in criteria.filters:
            facet = index.facets.get(name, {})
            masks = [facet.get(v, 0) for v in values]
            if name in ALL_OF:
                for each in masks:
                    mask &= each
            else:
                mask &= bitsets.union(masks)
        if criteria.since is not None:
            since = criteria.since
            mask &= bitsets.from_positions(
                (p for p, t in enumerate(index.modified) if t is not None and t >= since), index.size)
        if criteria.q is None:
            return Selection(index, bitsets.to_positions(mask), None)
        data = bitsets.as_bytes(mask, index.size)
        where = index.position
        ranked = index.text.search(criteria.q, keep=None if mask == index.all
                                   else (lambda iri: bitsets.contains(data, where[iri])))
        return Selection(index, [where[iri] for iri, _ in ranked], [score for _, score in ranked])


class Catalogue:
    """Keeps the current snapshot of one store; thread-safe."""

    def __init__(self, store: GraphStore, iris: Iris, *, background_after: float = 1.0) -> None:
        self.store = store
        self.iris = iris
        self.background_after = background_after
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._building = False

    def _build(self, version: int) -> Snapshot:
        snapshot = Snapshot(build(self.store, self.iris), self.iris, version)
        log.info("catalogue snapshot v%s built in %.2f s", version, snapshot.data.build_seconds)
        return snapshot

    def _build_in_background(self, version: int) -> None:
        try:
            snapshot = self._build(version)
            with self._lock:
                if self._snapshot is None or self._snapshot.version < version:
                    self._snapshot = snapshot
        except Exception:  # pragma: no cover - logged; the next request tries again
            log.exception("catalogue rebuild failed")
        finally:
            self._building = False

    def current(self) -> Snapshot | None:
        """The snapshot if it is up to date with the store, without ever building one (cheap; for fast paths)."""
        snapshot = self._snapshot
        return snapshot if snapshot is not None and snapshot.version == self.store.version() else None

    def snapshot(self) -> Snapshot:
        version = self.store.version()
        current = self._snapshot
        if current is not None and current.version == version:
            return current
        with self._lock:
            current = self._snapshot
            if current is not None and current.version == version:
                return current
            if current is not None and current.data.build_seconds > self.background_after:
                if not self._building:
                    self._building = True
                    threading.Thread(target=self._build_in_background, args=(version,), daemon=True,
                                     name="ourdata-catalogue").start()
                return current
            self._snapshot = self._build(version)
            return self._snapshot
