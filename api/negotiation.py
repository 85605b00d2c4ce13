"""Content negotiation shared by every route: ``Accept`` with q-values, wildcards and specificity.

>>> choose(["text/turtle", "application/ld+json"], "application/ld+json;q=0.9, text/turtle;q=0.5")
'application/ld+json'
>>> choose(["text/turtle", "application/ld+json"], "*/*")
'text/turtle'
>>> choose(["text/turtle"], "text/html") is None
True
>>> choose_format(ResultKind.GRAPH, "*/*;q=0.1, text/turtle;q=0").name
'ntriples'
>>> choose_format(ResultKind.SOLUTIONS, "text/*").name
'csv'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graph.errors import NotAcceptable
from graph.formats import Format, ResultKind, formats_for


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), 0 when it does not match."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == main and self.subtype == "*":
            return 2
        if self.type == main and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parses an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        main, slash, sub = media.partition("/")
        if not slash or not main or not sub:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(main, sub, q, order))
    return ranges


def _best_match(ranges: Sequence[MediaRange], media_type: str) -> tuple[int, float]:
    """(specificity, q) of the most specific range matching this media type; (0, 0.0) when none does."""
    best_specificity, best_q = 0, 0.0
    for media_range in ranges:
        specificity = media_range.matches(media_type)
        if specificity > best_specificity:
            best_specificity, best_q = specificity, media_range.q
    return best_specificity, best_q


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The q-value the client gives this media type: the most specific matching range decides."""
    return _best_match(ranges, media_type)[1]


def refused(ranges: Sequence[MediaRange], media_type: str) -> bool:
    """True when the client rules this media type out (a matching range with q=0)."""
    specificity, q = _best_match(ranges, media_type)
    return specificity > 0 and q <= 0


def choose(offered: Sequence[str], accept: str | None) -> str | None:
    """The offered media type the client prefers (ties go to the server's order); None if none is acceptable."""
    ranges = parse_accept(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for media_type in offered:
        q = quality(ranges, media_type)
        if q <= 0:
            continue
        # explicitly named types beat wildcard matches at the same q
        explicit = max((r.matches(media_type) for r in ranges if r.q == q), default=0)
        key = (q, explicit)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen


def choose_format(kind: ResultKind, accept: str | None, override: Format | None = None) -> Format:
    """The result format for a query of ``kind``; raises NotAcceptable listing what we can send.

    We always answer with a format's first media type, so: a format whose first type the client refuses
    (q=0) is out even if an alias or a wildcard matches; and at equal q and specificity a match on a first
    type beats a match on an alias (``text/*`` gives CSV, not SPARQL XML through its ``text/xml`` alias).
    """
    formats = formats_for(kind)
    if override is not None:
        return override
    ranges = parse_accept(accept)
    best: tuple[tuple[float, int, bool, int], Format] | None = None
    for order, fmt in enumerate(formats):
        if refused(ranges, fmt.media_type):
            continue
        for position, media_type in enumerate(fmt.media_types):
            specificity, q = _best_match(ranges, media_type)
            if q <= 0:
                continue
            key = (q, specificity, position == 0, -order)
            if best is None or key > best[0]:
                best = (key, fmt)
    if best is None:
        raise NotAcceptable(
            f"None of the requested types ({accept}) can hold a {kind.value} result.",
            available=[f.media_type for f in formats],
        )
    return best[1]


def prefers_html(accept: str | None) -> bool:
    """True when a browser asks: text/html is acceptable and at least as wanted as anything else."""
    ranges = parse_accept(accept)
    html = quality(ranges, "text/html")
    explicit_html = any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in ranges)
    return explicit_html and html >= max((r.q for r in ranges if not (r.type == "text" and r.subtype == "html")),
                                         default=0.0)
