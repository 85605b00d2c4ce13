"""What the reference-data sources share: namespaces, our own od: terms, and country names from pycountry.

Our od: terms are taken from ``ontology.vocab.OD`` when that module defines them, so a term the
ontology drops fails here at import, not silently in the data.
"""

from __future__ import annotations

import csv
import gettext
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

import pycountry
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from graph.errors import BadRequest
from graph.store import Triple
from loaders.sources.base import DATA_DIR

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
CC = Namespace("http://creativecommons.org/ns#")
ESSGLOBAL = "http://purl.org/essglobal/standard/"
EU_DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
GLEIF_ELF = "https://rdf.gleif.org/EntityLegalForm/ELF-"
SPDX = "http://spdx.org/licenses/"

#: The 24 official languages of the EU (ISO 639-1): the languages we label countries and themes in.
EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt", "lv",
                "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")
#: More languages whose country names we accept when resolving (neighbours of the EU, UK nations).
EXTRA_LANGUAGES = ("cy", "gd", "is", "nb_NO", "nn", "ca", "eu", "gl", "tr", "ru", "uk", "sq", "sr", "mk", "bs")


def od(term: str) -> URIRef:
    """An od: term, through the shared closed namespace when it is there (it fails for unknown terms)."""
    try:
        from ontology.vocab import OD  # owned by the ontology helper
    except ImportError:  # pragma: no cover - before the ontology module exists
        return URIRef("https://ourdata.coop/def/" + term)
    try:
        return URIRef(str(getattr(OD, term)))
    except AttributeError:  # the term is not in the ontology yet: see /work/notes/terms-needed.md
        return URIRef("https://ourdata.coop/def/" + term)


def data_file(*parts: str) -> Path:
    return DATA_DIR.joinpath(*parts)


def boolean(value: bool) -> Literal:
    return Literal(value, datatype=XSD.boolean)


def scheme_triples(scheme: str, title: str, description: str) -> list[Triple]:
    """A SKOS concept scheme with an English title and description."""
    node = URIRef(scheme)
    return [(node, RDF.type, SKOS.ConceptScheme), (node, DCTERMS.title, Literal(title, lang="en")),
            (node, SKOS.prefLabel, Literal(title, lang="en")),
            (node, DCTERMS.description, Literal(description, lang="en"))]


def parse_rdf(path: Path, fmt: str, public_id: str | None = None) -> Graph:
    """One bundled RDF file; BadRequest when it does not parse."""
    try:
        return Graph().parse(path, format=fmt, publicID=public_id)
    except Exception as exc:  # rdflib raises many kinds for bad input
        raise BadRequest(f"Cannot parse {path.name}: {exc}") from exc


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV (a BOM is skipped); BadRequest when the file cannot be read."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(f"Cannot read {path.name}: {exc}") from exc


@cache
def country_translation(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def country_labels(country: object) -> dict[str, str]:
    """The country's name in each EU language (English from ISO; a language missing a translation is left out)."""
    name = str(getattr(country, "common_name", None) or country.name)  # type: ignore[attr-defined]
    labels = {"en": name}
    for language in EU_LANGUAGES:
        if language == "en":
            continue
        translated = country_translation(language).gettext(country.name)  # type: ignore[attr-defined]
        if translated and translated != country.name:  # type: ignore[attr-defined]
            labels[language] = translated
    return labels


@lru_cache(maxsize=1)
def country_names() -> dict[str, tuple[str, ...]]:
    """alpha-2 -> every code and name we accept for it (codes, ISO names, translations)."""
    names: dict[str, tuple[str, ...]] = {}
    for country in pycountry.countries:
        own = [country.alpha_2, country.alpha_3, country.numeric, country.name]
        own += [getattr(country, attr) for attr in ("common_name", "official_name") if hasattr(country, attr)]
        for language in EU_LANGUAGES + EXTRA_LANGUAGES:
            translation = country_translation(language)
            own += [translation.gettext(n) for n in (country.name, getattr(country, "official_name", None)) if n]
        names[country.alpha_2] = tuple(dict.fromkeys(own))
    return names
