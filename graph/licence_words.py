"""What a licence lets you do, obliges you to do and forbids, in plain words for people who are not lawyers.

The catalogue reduces every licence's ODRL/ccREL policy to action names (``commercial-use``, ``share-alike``...,
see :mod:`graph.catalogue_terms`); this module only puts words on them, once per relation, so the licence page
and the home page's chart say the same thing.

>>> plain("permits", "commercial-use")
'use it for commercial purposes, including selling products or services built on it'
>>> [t.words for t in terms_in_words({"requires": {"attribution"}})["requires"]]
['credit the source, as the licence asks']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from graph.catalogue_terms import ACTIONS_BY_NAME

#: action -> (what you may do, what you must do, what you must not do)
_WORDS: dict[str, tuple[str, str, str]] = {
    "commercial-use": ("use it for commercial purposes, including selling products or services built on it",
                       "use it only in ways the licence counts as commercial",
                       "use it for commercial purposes"),
    "derivative-works": ("adapt it: combine it with other data, transform it and build on it",
                         "only share adaptations as the licence says", "share adapted versions"),
    "distribution": ("share it with others, in any medium or format", "distribute it", "distribute it"),
    "reproduction": ("make copies of it", "make copies", "make copies of it"),
    "sharing": ("share it, including adapted versions", "share it", "share it"),
    "attribution": ("credit the source", "credit the source, as the licence asks", "credit the source"),
    "share-alike": ("share adaptations under the same licence",
                    "share anything you build from it under the same licence (share-alike)",
                    "relicense adaptations"),
    "notice": ("keep copyright and licence notices", "keep the copyright and licence notices intact",
               "remove notices"),
    "source-code": ("provide source code", "make the source code of modified versions available",
                    "withhold source code"),
    "extraction": ("extract substantial parts of the database", "extract only as the licence says",
                   "extract substantial parts of the database"),
    "reutilization": ("re-use substantial parts of the database in public",
                      "re-use parts of the database only as the licence says",
                      "re-use substantial parts of the database in public"),
    "use": ("use it", "use it only as the licence says", "use it"),
    "sell": ("sell it", "sell it only as the licence says", "sell it"),
}
RELATIONS = ("permits", "requires", "prohibits")
HEADINGS = {"permits": "You may", "requires": "You must", "prohibits": "You may not"}
#: The order actions are listed in: what people ask about first.
ORDER = ("commercial-use", "derivative-works", "distribution", "reproduction", "sharing", "extraction",
         "reutilization", "use", "sell", "attribution", "share-alike", "notice", "source-code")


@dataclass(frozen=True)
class Term:
    action: str
    label: str  # the action's short name ("Commercial use")
    words: str  # the sentence part ("use it for commercial purposes ...")


def plain(relation: str, action: str) -> str:
    """The words for one action under one relation (permits / requires / prohibits)."""
    words = _WORDS.get(action)
    if words is None:
        label = ACTIONS_BY_NAME[action].label if action in ACTIONS_BY_NAME else action.replace("-", " ")
        return label.lower()
    return words[RELATIONS.index(relation)]


def _rank(action: str) -> int:
    return ORDER.index(action) if action in ORDER else len(ORDER)


def terms_in_words(facets: Mapping[str, Iterable[str]]) -> dict[str, list[Term]]:
    """relation -> terms in reading order, for the relations that have any."""
    out: dict[str, list[Term]] = {}
    for relation in RELATIONS:
        actions = sorted(set(facets.get(relation, ())), key=lambda a: (_rank(a), a))
        if actions:
            out[relation] = [Term(a, ACTIONS_BY_NAME[a].label if a in ACTIONS_BY_NAME else a, plain(relation, a))
                             for a in actions]
    return out
