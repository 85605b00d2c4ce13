"""What the web pages need besides data: links that keep the current filters, paging, bar-chart rows, and the
example queries of docs/questions.md.

>>> links = FilterLinks([("q", "housing"), ("country", "gb"), ("page", "3")])
>>> links.toggle("country", "fr")
'/organisations?q=housing&country=gb&country=fr'
>>> links.toggle("country", "gb")
'/organisations?q=housing'
>>> [b.width for b in bars([("a", "A", 10, "/x"), ("b", "B", 5, "/y")])]
[100.0, 50.0]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from graph.landscape import FACETS

#: The analyst questions, the editor's library of examples (one file: the tests run the same queries).
QUESTIONS = Path(__file__).resolve().parent.parent / "docs" / "questions.md"
PER_PAGE = 50


class FilterLinks:
    """URLs of the search page (or its CSV / map / API twins) with one filter changed and paging reset."""

    def __init__(self, params: Sequence[tuple[str, str]], path: str = "/organisations") -> None:
        self.params = [(k, v) for k, v in params if (k in FACETS or k == "q") and v.strip()]
        self.path = path

    def url(self, params: Iterable[tuple[str, str]] | None = None, path: str | None = None) -> str:
        query = urlencode(list(self.params if params is None else params))
        return (path or self.path) + ("?" + query if query else "")

    def toggle(self, name: str, code: str) -> str:
        if (name, code) in self.params:
            return self.url([p for p in self.params if p != (name, code)])
        return self.url([*self.params, (name, code)])

    def without(self, name: str) -> str:
        return self.url([p for p in self.params if p[0] != name])

    def page(self, number: int) -> str:
        return self.url([*self.params, ("page", str(number))] if number > 1 else self.params)

    def twin(self, path: str) -> str:
        """The same selection at another path (CSV, map points, the JSON-LD API)."""
        return self.url(path=path)

    @property
    def values(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for key, value in self.params:
            grouped.setdefault(key, []).append(value)
        return grouped


@dataclass(frozen=True)
class Bar:
    code: str
    label: str
    count: int
    href: str | None
    width: float


def bars(rows: Iterable[tuple[str, str, int, str | None]], *, limit: int | None = None) -> list[Bar]:
    """Rows of a horizontal bar chart, widths relative to the largest count (percent)."""
    items = list(rows)[:limit] if limit else list(rows)
    top = max((n for _c, _l, n, _h in items), default=0) or 1
    return [Bar(code, label, n, href, round(100.0 * n / top, 1)) for code, label, n, href in items]


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    first: int  # 1-based number of the first item shown
    last: int
    previous: str | None
    next: str | None


def paging(links: FilterLinks, total: int, page: int, per_page: int = PER_PAGE) -> Paging:
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    first = (page - 1) * per_page + 1 if total else 0
    return Paging(page, pages, first, min(total, page * per_page),
                  links.page(page - 1) if page > 1 else None, links.page(page + 1) if page < pages else None)


# ------------------------------------------------------------------ example queries
_QUESTION = re.compile(r"^## ([A-Z]\d+)\. (.+?)\s*$", re.MULTILINE)
_BLOCK = re.compile(r"```sparql\n(.*?)```", re.DOTALL)


def examples_from_markdown(text: str) -> list[dict[str, str]]:
    """The questions of docs/questions.md: id, title, the explanation before the query, the query."""
    found = []
    heads = list(_QUESTION.finditer(text))
    for i, head in enumerate(heads):
        body = text[head.end(): heads[i + 1].start() if i + 1 < len(heads) else len(text)]
        block = _BLOCK.search(body)
        if block is None:
            continue
        about = " ".join(body[: block.start()].split())
        found.append({"id": head.group(1), "title": head.group(2), "about": about, "query": block.group(1)})
    return found


def examples() -> list[dict[str, str]]:
    """The analyst questions of docs/questions.md (read from the checkout the service runs from, re-read when the
    file changes; none when the docs are not installed, and the editor still works)."""
    try:
        modified = QUESTIONS.stat().st_mtime_ns
    except OSError:
        return []
    return _parsed(modified)


@lru_cache(maxsize=2)
def _parsed(modified: int) -> list[dict[str, str]]:
    return examples_from_markdown(QUESTIONS.read_text(encoding="utf-8"))
