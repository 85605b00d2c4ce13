"""An in-process full-text index over names and descriptions (pyoxigraph has none; REGEX scans are too slow).

Documents have *name* fields (labels, titles, legal names, notations) and *text* fields (descriptions).
Tokens are Unicode-normalised (NFKD), accent-folded and case-folded, so "Coopérative" matches "cooperative";
hyphenated words are indexed both as parts and joined ("co-op" gives "co", "op" and "coop"). Ranking is BM25F-like:
a name hit weighs :data:`NAME_WEIGHT` times a description hit, and a name equal to (or starting with, or
containing) the whole query gets a bonus, so an exact name beats a description that merely mentions the words.
Every query term must match; the last one also matches as a prefix (type-ahead), unless the query ends with a space.

Per-document term scores are computed once at build time, so a query only adds floats along posting lists.

>>> index = TextIndex([TextDoc("a", ("Coopérative Énergie",), ()), TextDoc("b", ("Other",), ("une coopérative",))])
>>> [key for key, _ in index.search("cooperative")]
['a', 'b']
>>> [key for key, _ in index.search("ener")]
['a']
>>> fold("Øresund Straße")
'oresund strasse'
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

NAME_WEIGHT = 3.0
TEXT_WEIGHT = 1.0
K1 = 1.2
#: Length normalisation: long descriptions dilute a match; names much less so ("X: a longer official name").
B_NAME = 0.3
B_TEXT = 0.75
EXACT_NAME_BONUS = 8.0
NAME_PREFIX_BONUS = 4.0
NAME_PHRASE_BONUS = 2.0
#: A one-letter last term expands to at most this many of its most frequent completions (keeps "c" fast).
SHORT_PREFIX_EXPANSIONS = 64

# Letters NFKD does not decompose into base + combining mark.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
                              "ı": "i", "ħ": "h", "ŧ": "t"})
_PART = re.compile(r"[^\W_]+")
_WORD = re.compile(r"[^\W_]+(?:['’\-‐][^\W_]+)*")
_COMPOUND = re.compile(r"[^\W_]+(?:['’\-‐][^\W_]+)+")
_JOINERS = re.compile(r"['’\-‐]")
#: Every combining mark of the Basic Multilingual Plane, deleted after NFKD decomposition.
_STRIP_MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


def fold(text: str) -> str:
    """Case- and accent-folded text (the form every token and name comparison uses)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_STRIP_MARKS)
    return unicodedata.normalize("NFKC", decomposed.translate(_EXTRA_FOLDS))


_ASCII_SPACES = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def tokens(text: str) -> list[str]:
    """Index tokens: every word, every part of a hyphenated word, and the parts joined."""
    folded = fold(text)
    # str.split is several times faster than a regex; most names and descriptions are ASCII
    out = folded.translate(_ASCII_SPACES).split() if folded.isascii() else _PART.findall(folded)
    if "-" in folded or "'" in folded or not folded.isascii():
        out.extend(_JOINERS.sub("", compound) for compound in _COMPOUND.findall(folded))
    return out


def query_terms(text: str) -> list[str]:
    """Query terms: a hyphenated word is one term, its joined form (which the index also holds)."""
    return [_JOINERS.sub("", word) for word in _WORD.findall(fold(text))]


def _phrase(text: str) -> str:
    return " ".join(query_terms(text))


@dataclass(frozen=True)
class TextDoc:
    key: str
    names: Sequence[str]
    texts: Sequence[str]


class TextIndex:
    """Immutable once built; safe to share between threads."""

    def __init__(self, docs: Iterable[TextDoc]) -> None:
        self.keys: list[str] = []
        self._names: list[tuple[str, ...]] = []  # folded phrases, for the exact/prefix name bonus
        name_tf: list[Counter[str]] = []
        text_tf: list[Counter[str]] = []
        for doc in docs:
            self.keys.append(doc.key)
            self._names.append(tuple(dict.fromkeys(_phrase(n) for n in doc.names if n)))
            name_tf.append(Counter(t for n in doc.names for t in tokens(n)))
            text_tf.append(Counter(t for x in doc.texts for t in tokens(x)))
        count = len(self.keys)
        name_len = [sum(c.values()) for c in name_tf]
        text_len = [sum(c.values()) for c in text_tf]
        avg_name = (sum(name_len) / count) if count else 1.0
        avg_text = (sum(text_len) / count) if count else 1.0
        # pseudo term frequency per (doc, term): both fields, length-normalised and weighted
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for doc_id in range(count):
            name_factor = NAME_WEIGHT / (1 - B_NAME + B_NAME * name_len[doc_id] / (avg_name or 1.0))
            text_factor = TEXT_WEIGHT / (1 - B_TEXT + B_TEXT * text_len[doc_id] / (avg_text or 1.0))
            tf = {term: n * text_factor for term, n in text_tf[doc_id].items()}
            for term, n in name_tf[doc_id].items():
                tf[term] = tf.get(term, 0.0) + n * name_factor
            for term, value in tf.items():
                entry = postings.get(term)
                if entry is None:
                    postings[term] = ([doc_id], [value])
                else:
                    entry[0].append(doc_id)
                    entry[1].append(value)
        df = Counter({term: len(entry[0]) for term, entry in postings.items()})
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        for term, (doc_ids, values) in postings.items():
            idf = math.log(1 + (count - df[term] + 0.5) / (df[term] + 0.5))
            scores = [idf * v * (K1 + 1) / (v + K1) for v in values]
            self._postings[term] = (array("i", doc_ids), array("f", scores))
        self._vocabulary = sorted(df)
        self._df = df

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def vocabulary_size(self) -> int:
        return len(self._vocabulary)

    def _expansions(self, prefix: str) -> list[str]:
        start = bisect_left(self._vocabulary, prefix)
        found = []
        for term in self._vocabulary[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        if len(prefix) == 1 and len(found) > SHORT_PREFIX_EXPANSIONS:
            found = sorted(found, key=lambda t: -self._df[t])[:SHORT_PREFIX_EXPANSIONS]
        return found

    def _term_scores(self, term: str, prefix: bool, within: dict[int, float] | None) -> dict[int, float]:
        """doc id -> score of this term (the best completion for a prefix), limited to ``within`` if given."""
        terms = self._expansions(term) if prefix else ([term] if term in self._postings else [])
        found: dict[int, float] = {}
        for each in terms:
            ids, scores = self._postings[each]
            for doc_id, score in zip(ids, scores, strict=True):
                if within is not None and doc_id not in within:
                    continue
                if score > found.get(doc_id, 0.0):
                    found[doc_id] = score
        return found

    def search(self, query: str, limit: int | None = None,
               keep: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """(key, score) for every document matching all terms (and ``keep``, a filter applied before ranking, so a
        common word narrowed by other filters sorts only what survives), best first (ties by key)."""
        terms = query_terms(query)
        if not terms:
            return []
        prefix_last = bool(query) and not query[-1].isspace()
        plan = [(t, prefix_last and i == len(terms) - 1) for i, t in enumerate(terms)]
        # exact terms first, rarest first: the running intersection stays small
        plan.sort(key=lambda tp: (tp[1], self._df.get(tp[0], 0)))
        acc: dict[int, float] | None = None
        for term, prefix in plan:
            found = self._term_scores(term, prefix, acc)
            acc = found if acc is None else {d: acc[d] + s for d, s in found.items()}
            if not acc:
                return []
        assert acc is not None
        phrase = " ".join(terms)
        ranked = []
        keys = self.keys
        for doc_id, score in acc.items():
            if keep is not None and not keep(keys[doc_id]):
                continue
            names = self._names[doc_id]
            if phrase in names:
                score += EXACT_NAME_BONUS
            elif any(n.startswith(phrase) for n in names):
                score += NAME_PREFIX_BONUS
            elif any(f" {phrase}" in n for n in names):
                score += NAME_PHRASE_BONUS
            ranked.append((self.keys[doc_id], score))
        ranked.sort(key=lambda ks: (-ks[1], ks[0]))
        return ranked[:limit] if limit is not None else ranked
