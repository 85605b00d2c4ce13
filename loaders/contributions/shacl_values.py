"""The value-level SHACL Core constraints (datatype, node kind, pattern, ranges, lengths, lists) on term strings.

Each is a function ``ok(param, value) -> bool`` chosen once per constraint when shapes are compiled, so the
evaluator's inner loop makes one call per value and constraint.

>>> KINDS["<urn:x>"[0]], KINDS['"x"'[0]], KINDS["_:b"[0]]
('iri', 'literal', 'bnode')
>>> compare("maxInclusive", '"200"^^<http://www.w3.org/2001/XMLSchema#integer>',
...         '"90"^^<http://www.w3.org/2001/XMLSchema#integer>')
False
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from loaders.contributions.terms import LANG_STRING, XSD, datatype, language, lexical, text

KINDS = {"<": "iri", '"': "literal", "_": "bnode"}
_LEXICAL = {
    "integer": r"[+-]?\d+", "nonNegativeInteger": r"\+?\d+|-0+", "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)", "boolean": r"true|false|1|0",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)|-INF",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)|-INF",
    "date": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    "dateTime": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?"
                r"(Z|[+-]\d\d:\d\d)?",
}
_PATTERNS = {XSD + name: re.compile(pattern) for name, pattern in _LEXICAL.items()}
_NUMERIC = {XSD + n for n in ("integer", "nonNegativeInteger", "positiveInteger", "decimal", "double", "float",
                              "int", "long", "short", "byte", "negativeInteger", "nonPositiveInteger")}


def well_typed(value: str, expected: str) -> bool:
    """A literal of the datatype, with a lexical form valid for it (ill-typed literals fail, as in pyshacl)."""
    if value[0] != '"':
        return False
    actual = datatype(value)
    if actual != expected:
        return False
    if actual == LANG_STRING:
        return language(value) is not None
    pattern = _PATTERNS.get(actual)
    return pattern is None or pattern.fullmatch(lexical(value)) is not None


@lru_cache(maxsize=65536)
def number(term: str) -> Decimal | float | None:
    if term[0] != '"' or datatype(term) not in _NUMERIC or not well_typed(term, datatype(term)):
        return None
    raw = lexical(term)
    try:
        return Decimal(raw) if "e" not in raw.lower() and "INF" not in raw and "NaN" not in raw else float(raw)
    except (InvalidOperation, ValueError):
        return None


def compare(name: str, value: str, bound: str) -> bool:
    a, b = number(value), number(bound)
    if a is not None and b is not None:
        left, right = (float(a), float(b)) if isinstance(a, float) or isinstance(b, float) else (a, b)
    elif value[0] == '"' and bound[0] == '"' and datatype(value) == datatype(bound) and \
            datatype(value) in (XSD + "date", XSD + "dateTime"):
        left, right = lexical(value), lexical(bound)  # type: ignore[assignment]
    else:
        return False
    if name == "minInclusive":
        return left >= right  # type: ignore[operator]
    if name == "maxInclusive":
        return left <= right  # type: ignore[operator]
    if name == "minExclusive":
        return left > right  # type: ignore[operator]
    return left < right  # type: ignore[operator]


def _language_in(ranges: list[str], value: str) -> bool:
    lang = (language(value) or "") if value[0] == '"' else ""
    return any(lang == r or lang.startswith(r + "-") for r in ranges) if lang else False


CHECKS: dict[str, Callable[[Any, str], bool]] = {
    "datatype": lambda param, v: well_typed(v, param),
    "nodeKind": lambda param, v: KINDS[v[0]] in param,
    "pattern": lambda param, v: v[0] != "_" and param.search(text(v)) is not None,
    "minLength": lambda param, v: v[0] != "_" and len(text(v)) >= param,
    "maxLength": lambda param, v: v[0] != "_" and len(text(v)) <= param,
    "minInclusive": lambda param, v: compare("minInclusive", v, param),
    "maxInclusive": lambda param, v: compare("maxInclusive", v, param),
    "minExclusive": lambda param, v: compare("minExclusive", v, param),
    "maxExclusive": lambda param, v: compare("maxExclusive", v, param),
    "in": lambda param, v: v in param,
    "languageIn": _language_in,
}
