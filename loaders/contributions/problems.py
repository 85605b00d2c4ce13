"""What is wrong with a contribution, where, and in words a non-specialist understands.

Every check adds :class:`Problem` objects to one list, so a contributor sees every problem in one response.
Where a problem is depends on the format: ``row`` and ``column`` in a CSV file (row 1 is the header), a JSON
``pointer`` in JSON and JSON-LD, ``focus_node`` and ``path`` in RDF, and ``line`` (and ``column``) for a
file that does not parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from graph.errors import PayloadTooLarge, ValidationFailed

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem:
    """One problem. ``code`` names its kind for programs (``unknown-column``, ``shacl-min-count``...)."""

    message: str
    code: str
    severity: str = ERROR
    row: int | None = None
    column: str | int | None = None
    pointer: str | None = None
    focus_node: str | None = None
    path: str | None = None
    line: int | None = None
    value: str | None = None
    candidates: list[str] = _field(default_factory=list)
    file: str | None = None
    field: str | None = None  # a request parameter (``licence``, ``format``...)

    def as_dict(self) -> dict[str, Any]:
        """The problem+json ``errors`` entry: only the fields that say something."""
        data: dict[str, Any] = {"message": self.message, "code": self.code, "severity": self.severity}
        for key in ("file", "field", "row", "column", "line", "pointer", "focus_node", "path", "value"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.candidates:
            data["candidates"] = self.candidates
        return data

    @property
    def where(self) -> str:
        """A short human description of the place ("row 3, column country")."""
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.pointer is not None:
            parts.append(self.pointer or "/")
        if self.focus_node is not None:
            parts.append(self.focus_node)
        if self.path is not None:
            parts.append(self.path)
        return ", ".join(parts)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == ERROR]


def sort_key(problem: Problem) -> tuple[Any, ...]:
    return (problem.file or "", problem.row or 0, problem.line or 0, problem.pointer or "", problem.focus_node or "",
            str(problem.column or ""), problem.path or "", problem.code, problem.message)


class ContributionRejected(ValidationFailed):
    """The contribution does not conform: nothing was written. ``problems`` holds every problem found."""

    def __init__(self, detail: str, problems: list[Problem], report: dict[str, Any] | None = None) -> None:
        ordered = sorted(problems, key=sort_key)
        super().__init__(detail, errors=[p.as_dict() for p in ordered])
        self.problems = ordered
        self.report = report or {}


class ContributionTooLarge(PayloadTooLarge):
    """Over the body or records cap (413)."""


def rejection(problems: list[Problem], what: str = "The contribution") -> ContributionRejected:
    found = errors(problems)
    count = len(found)
    detail = f"{what} was not loaded: {count} problem{'s' if count != 1 else ''} found. Nothing was changed."
    return ContributionRejected(detail, problems)
