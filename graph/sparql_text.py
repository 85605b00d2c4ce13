"""The one audited place that reads SPARQL text: a small lexer that skips strings, IRIs and comments.

Used to apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` to an update (pyoxigraph's
Python API has no parameter for them) by inserting ``USING`` clauses before each top-level ``WHERE``.
IRIs inserted here are validated first, so no user text is pasted unchecked.

>>> with_using("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://ex.org/g"], [])
'DELETE { ?s ?p ?o } USING <http://ex.org/g> WHERE { ?s ?p ?o }'
>>> with_using("DELETE WHERE { ?s <p> 'WHERE' }", ["http://ex.org/g"], [])
"DELETE { ?s <p> 'WHERE' } USING <http://ex.org/g> WHERE { ?s <p> 'WHERE' }"
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from graph.errors import BadRequest

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[str, str, int, int]]:
    """Yields (kind, text, start, end) for each token."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        yield kind, match.group(), match.start(), match.end()


def top_level_keywords(text: str) -> list[tuple[str, int, int]]:
    """Keywords (upper-cased) outside any braces, with their positions."""
    depth = 0
    found = []
    for kind, value, start, end in tokens(text):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            found.append((value.upper(), start, end))
    return found


def has_dataset_clause(query: str) -> bool:
    """True when a query names its own dataset (``FROM`` / ``FROM NAMED``), which then replaces our union default.

    A prefixed name (``from:x``, ``ex:from``) or a variable (``?from``) is not a dataset clause.

    >>> has_dataset_clause("SELECT * FROM <http://ex.org/g> WHERE { ?s ?p ?o }")
    True
    >>> has_dataset_clause("PREFIX from: <http://ex.org/> SELECT ?from WHERE { ?s from:p 'FROM' }")
    False
    """
    previous = ""
    meaningful = [(kind, value) for kind, value, _, _ in tokens(query) if kind not in ("ws", "comment")]
    depth = 0
    for index, (kind, value) in enumerate(meaningful):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and value.upper() == "FROM" and previous not in (":", "?", "$", "@"):
            following = meaningful[index + 1][1] if index + 1 < len(meaningful) else ""
            if following != ":":
                return True
        previous = value
    return False


def checked_iri(value: str) -> str:
    """Returns ``<value>`` after validating it as an absolute IRI; raises BadRequest otherwise."""
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise BadRequest(f"'{value}' is not a valid IRI: {exc}") from exc


def with_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Applies protocol-level USING / USING NAMED to every operation that has a WHERE clause.

    Raises BadRequest when the update already names its dataset (USING, USING NAMED or WITH),
    as the SPARQL 1.1 Protocol requires.
    """
    if not using and not using_named:
        return update
    clause = " ".join(
        [f"USING {checked_iri(g)}" for g in using] + [f"USING NAMED {checked_iri(g)}" for g in using_named]
    )
    keywords = top_level_keywords(update)
    if any(word in ("USING", "WITH") for word, _, _ in keywords):
        raise BadRequest(
            "The update names its own dataset (USING or WITH) and the request also gives "
            "using-graph-uri/using-named-graph-uri; use one or the other."
        )
    out: list[str] = []
    cursor = 0
    for index, (word, start, end) in enumerate(keywords):
        if word != "WHERE":
            continue
        previous = keywords[index - 1][0] if index else ""
        if previous == "DELETE" and _only_space_between(update, keywords[index - 1][2], start):
            # DELETE WHERE { P } has no dataset clause: rewrite to DELETE { P } USING ... WHERE { P }
            block_end = _matching_brace_end(update, end)
            pattern = update[end:block_end].strip()
            out.append(update[cursor : keywords[index - 1][2]])
            out.append(f" {pattern} {clause} WHERE {pattern}")
            cursor = block_end
        else:
            out.append(update[cursor:start])
            out.append(f"{clause} ")
            cursor = start
    out.append(update[cursor:])
    return "".join(out)


def _only_space_between(text: str, start: int, end: int) -> bool:
    return all(kind in ("ws", "comment") for kind, *_ in tokens(text[start:end]))


def _matching_brace_end(text: str, position: int) -> int:
    depth = 0
    for kind, _value, _start, end in tokens(text[position:]):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return position + end
    raise BadRequest("Unbalanced braces in the update.")
