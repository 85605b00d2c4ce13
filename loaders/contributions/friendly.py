"""Friendly references: "GB", "GBR" or "United Kingdom"; "ZZGG" or "Co-operative Society"; "CC-BY-4.0", its URL
or its name; each turned into our IRI, or into a problem that names the candidates.

Countries, legal forms and licences go through :mod:`loaders.resolve` (shared with the importers);
institution kinds, EU data themes and ESSGLOBAL codes are looked up in the reference data of the store.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from graph.iris import Iris
from loaders import resolve
from loaders.contributions.problems import Problem
from loaders.contributions.references import DATA_THEMES, INSTITUTION_KINDS, References

ESSGLOBAL_STANDARD = "http://purl.org/essglobal/standard/"
#: CSV column -> (ESSGLOBAL scheme, code pattern, what it is)
ESSGLOBAL_SCHEMES = {
    "structure": ("organisational-structure", r"OS\d+", "organisational structure"),
    "membership_type": ("base-membership-type", r"BMT\d+", "membership type"),
    "sector": ("activities-ica", r"ICA\d+", "ICA activity"),
}

Resolution = tuple[str | None, Problem | None]


@dataclass
class Resolver:
    """Resolves values; each distinct value once per contribution (10,000 rows name few countries)."""

    iris: Iris
    refs: References
    _memo: dict[tuple[str, ...], Resolution] = field(default_factory=dict)

    def _cached(self, key: tuple[str, ...], compute: Callable[[], Resolution]) -> Resolution:
        if key not in self._memo:
            self._memo[key] = compute()
        value, problem = self._memo[key]
        return value, (replace(problem) if problem is not None else None)  # each use gets its own location

    def _answer(self, text: str, found: tuple[str | None, list[str]], what: str, code: str,
                hint: str = "") -> Resolution:
        value, candidates = found
        if value is not None:
            return value, None
        if len(candidates) == 1:  # a near miss ("Untied Kingdom"): say what we think was meant, never take it
            return None, Problem(f"'{text}' is not a {what} we know. Did you mean {self._name(candidates[0])}?",
                                 f"unknown-{code}", value=text, candidates=candidates)
        if candidates:
            names = ", ".join(self._name(c) for c in candidates[:8])
            return None, Problem(f"'{text}' could be more than one {what}: {names}. Give the code to choose.",
                                 f"ambiguous-{code}", value=text, candidates=candidates)
        return None, Problem(f"'{text}' is not a {what} we know.{hint}", f"unknown-{code}", value=text)

    def _name(self, iri_text: str) -> str:
        concept = self.refs.get(iri_text)
        code = iri_text.rstrip("/").rsplit("/", 1)[-1]
        return f"{code} ({concept.label()})" if concept and concept.labels else code

    def country(self, text: str) -> Resolution:
        return self._cached(("country", text), lambda: self._country(text))

    def _country(self, text: str) -> Resolution:
        return self._answer(text, resolve.country_iri(self.iris, text), "country", "country",
                            " Give its name or its two- or three-letter ISO code, e.g. GB or GBR.")

    def legal_form(self, text: str, country_iri: str | None) -> Resolution:
        return self._cached(("legal_form", text, country_iri or ""), lambda: self._legal_form(text, country_iri))

    def _legal_form(self, text: str, country_iri: str | None) -> Resolution:
        alpha2 = country_iri.rstrip("/").rsplit("/", 1)[-1] if country_iri else None
        found = resolve.legal_form_iri(self.iris, text, alpha2)
        if alpha2 is None and not (found[0] or "").endswith("/" + text.strip().upper()):
            # a name means different forms in different countries: without the country, only a code will do
            return None, Problem(f"'{text}' can only be looked up in the organisation's country, which is missing or "
                                 "unknown. Give the country, or the legal form's ISO 20275 (ELF) code.",
                                 "legal-form-needs-country", value=text)
        where = f" in {self._country_name(country_iri)}" if country_iri else ""
        return self._answer(text, found, f"legal form{where}", "legal-form",
                            " Give its ISO 20275 (ELF) code, or its local name or abbreviation in that country.")

    def _country_name(self, country_iri: str | None) -> str:
        concept = self.refs.get(country_iri or "")
        return concept.label() if concept else (country_iri or "")

    def licence(self, text: str) -> Resolution:
        return self._cached(("licence", text), lambda: self._licence(text))

    def _licence(self, text: str) -> Resolution:
        return self._answer(text, resolve.licence_iri(self.iris, text), "licence", "licence",
                            " Give its SPDX id (e.g. CC-BY-4.0, ODbL-1.0, OGL-UK-3.0), its URL or its full name.")

    def kind(self, text: str) -> Resolution:
        return self._cached(("kind", text), lambda: self._kind(text))

    def _kind(self, text: str) -> Resolution:
        found = self.refs.find(INSTITUTION_KINDS, text.replace(" ", "-")) if text else (None, [])
        if found[0] is None and not found[1]:
            found = self.refs.find(INSTITUTION_KINDS, text)
        codes = sorted(c.iri.rsplit("/", 1)[-1] for c in self.refs.by_scheme.get(INSTITUTION_KINDS, []))
        close = difflib.get_close_matches(text.lower().replace(" ", "-"), codes, n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(close)}?" if close else f" Use one of: {', '.join(codes)}."
        return self._answer(text, found, "kind of institution", "kind", hint)

    def theme(self, text: str) -> Resolution:
        return self._cached(("theme", text), lambda: self._theme(text))

    def _theme(self, text: str) -> Resolution:
        found = self.refs.find(DATA_THEMES, text)
        loaded = bool(self.refs.by_scheme.get(DATA_THEMES))
        if found[0] is None and not found[1] and not loaded and re.fullmatch(r"[A-Za-z_]{4,12}", text):
            return f"{DATA_THEMES}/{text.upper()}", None  # themes not loaded: SHACL says the concept is unknown
        codes = sorted(c.iri.rsplit("/", 1)[-1] for c in self.refs.by_scheme.get(DATA_THEMES, []))
        return self._answer(text, found, "EU data theme", "theme",
                            f" Use a code such as {', '.join(codes) or 'HEAL, ENVI, TRAN, SOCI'}.")

    def essglobal(self, column: str, text: str) -> Resolution:
        return self._cached(("essglobal", column, text), lambda: self._essglobal(column, text))

    def _essglobal(self, column: str, text: str) -> Resolution:
        scheme, pattern, what = ESSGLOBAL_SCHEMES[column]
        code = text.strip().upper()
        scheme_iri = ESSGLOBAL_STANDARD + scheme
        loaded = next((s for s in (scheme_iri + "/", scheme_iri) if self.refs.by_scheme.get(s)), None)
        if loaded is not None:
            return self._answer(text, self.refs.find(loaded, text), f"ESSGLOBAL {what}", "code")
        if re.fullmatch(pattern, code):
            return f"{scheme_iri}/{code}", None
        example = pattern.replace("\\d+", "60")
        return None, Problem(f"'{text}' is not an ESSGLOBAL {what} code (like {example}).", "unknown-code",
                             value=text)

    def by_predicate(self) -> dict[str, Callable[[str], Resolution]]:
        """Resolvers for RDF values given as text (or outside IRIs) where our concept is expected."""
        return {
            "http://purl.org/dc/terms/license": self.licence,
            "http://www.w3.org/ns/org#classification": self.kind,
            "http://www.w3.org/ns/dcat#theme": self.theme,
        }
