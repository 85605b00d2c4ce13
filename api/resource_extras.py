"""What a ``/doc/`` page adds for people, beyond the resource's own statements: a licence's terms in plain
words, the co-operatives that use a legal form, what a country holds. Rendered by ``_resource_extras.html``.

Counts and lists come from the API's catalogue snapshot, so they agree with ``/organisations`` and
``/api/v1/...``; the other kinds of resource get nothing extra (None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from graph.catalogue import Catalogue
from graph.iris import Iris
from graph.landscape import datasets_under, landscape_for, licence_terms
from graph.landscape_rows import OrgRow
from graph.licence_words import HEADINGS, Term
from graph.store import GraphStore

#: How many organisations a legal form's page lists (the rest: the search page and its CSV).
LIST_LIMIT = 500


@dataclass
class Extras:
    kind: str  # licence | legal-form | country
    terms: dict[str, list[Term]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=lambda: dict(HEADINGS))
    datasets: int = 0
    datasets_href: str = ""
    total: int = 0
    members: list[tuple[OrgRow, str]] = field(default_factory=list)  # (row, /doc/ href)
    browse_href: str = ""
    csv_href: str = ""
    breakdown: list[tuple[str, int, str]] = field(default_factory=list)  # (label, count, href)


def _doc(iris: Iris, iri: str) -> str:
    prefix = iris.base + "id/"
    return "/doc/" + iri[len(prefix):] if iri.startswith(prefix) else iri


def extras(store: GraphStore, iris: Iris, iri: str, catalogue: Catalogue | None) -> Extras | None:
    """The additions for ``iri``'s page, or None when its kind has none (or there is no catalogue)."""
    local = iri[len(iris.base + "id/"):] if iri.startswith(iris.base + "id/") else ""
    kind, _, code = local.partition("/")
    if catalogue is None or kind not in ("licence", "legal-form", "country") or not code or "/" in code:
        return None
    snapshot = catalogue.snapshot()
    if kind == "licence":
        if iri not in snapshot.kind("licences").position:
            return None
        found = Extras("licence", terms=licence_terms(snapshot, iri), datasets=datasets_under(snapshot, iri))
        found.datasets_href = "/api/v1/datasets?" + urlencode({"licence": code})
        return found
    landscape = landscape_for(store, snapshot)
    facet = "legal_form" if kind == "legal-form" else "country"
    url_code = landscape.codes.get((facet, iri), code)
    query = urlencode({facet: url_code})
    total, rows = landscape.members_with(facet, iri, limit=LIST_LIMIT if kind == "legal-form" else 0)
    found = Extras(kind, total=total, members=[(row, _doc(iris, row.iri)) for row in rows],
                   browse_href="/organisations?" + query, csv_href="/organisations.csv?" + query)
    if kind == "country" and total:
        criteria = landscape.criteria({"country": [url_code]}, None)
        kinds = next(f for f in landscape.facets(criteria) if f.name == "kind")
        found.breakdown = [(v.label, v.count, "/organisations?" + urlencode({"country": url_code, "kind": v.code}))
                           for v in kinds.values if v.count]
    return found


def context(store: GraphStore, iris: Iris, iri: str, catalogue: Catalogue | None) -> dict[str, Any]:
    """Template variables for resource.html (``extras`` may be None)."""
    return {"extras": extras(store, iris, iri, catalogue)}
