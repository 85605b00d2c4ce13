"""The ISO 20275 Entity Legal Forms list (GLEIF, v1.6) as SKOS concepts of our legal-form scheme.

One concept per ELF code (the CSV has one row per language of a code's name). Every name keeps its
language tag; GLEIF's transliterations get a ``-Latn`` script subtag so they never compete with the
local name for ``skos:prefLabel``. Codes 8888/9999 are on the list (LEI records use them) but carry no
name: they get an English label of ours and GLEIF's own explanation as ``skos:scopeNote``.
Co-operative and mutual forms are linked to ESSGLOBAL by :mod:`loaders.sources.legal_form_kinds`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pycountry
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD

from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import Built, SourceInfo
from loaders.sources.legal_form_kinds import kinds
from loaders.sources.reference_common import GLEIF_ELF, SPDX, boolean, data_file, read_csv, scheme_triples

ELF_FILE = data_file("gleif-elf-code-list", "elf-code-list-v1.6-2026-02-19.csv")
GLEIF_ELF_ONTOLOGY = Namespace("https://www.gleif.org/ontology/EntityLegalForm/")
GLEIF_BASE = Namespace("https://www.gleif.org/ontology/Base/")
LCC_SUBDIVISION = "https://www.omg.org/spec/LCC/Countries/ISO3166-2-SubdivisionCodes-Adjunct/"

CODE = "ELF Code"
COUNTRY = "Country Code (ISO 3166-1)"
JURISDICTION = "Jurisdiction of formation"
SUBDIVISION = "Country sub-division code (ISO 3166-2)"
LOCAL_NAME = "Entity Legal Form name Local name"
LANGUAGE = "Language Code (ISO 639-1)"
TRANSLITERATED = "Entity Legal Form name Transliterated name (per ISO 01-140-10)"
ABBREVIATIONS = "Abbreviations Local language"
ABBREVIATIONS_TRANSLITERATED = "Abbreviations transliterated"
CREATED = "Date created YYYY-MM-DD (ISO 8601)"
STATUS = "ELF Status ACTV/INAC"
MODIFICATION = "Modification"
MODIFIED = "Modification date YYYY-MM-DD (ISO 8601)"
REASON = "Reason"

#: The two codes the list defines without a legal form behind them (our labels; GLEIF gives none).
PLACEHOLDERS = {"8888": "Legal form not yet on the ELF list", "9999": "No separate legal form"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def abbreviations(cell: str) -> list[str]:
    """GLEIF separates abbreviations with ';' (commas occur inside them, e.g. 'S.A. de C.V., SOFOM')."""
    return list(dict.fromkeys(part.strip() for part in cell.split(";") if part.strip()))


def rows_by_code(file: Path = ELF_FILE) -> dict[str, list[dict[str, str]]]:
    """The CSV grouped by ELF code, in file order (one list entry per language row)."""
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_csv(file):
        grouped[row[CODE].strip()].append(row)
    return dict(grouped)


class LegalForms:
    info = SourceInfo(
        name="legal-forms",
        family="reference",
        title="ISO 20275 Entity Legal Forms (GLEIF ELF code list v1.6, 2026-02-19)",
        licence=SPDX + "CC0-1.0",
        attribution="Entity Legal Forms code list (ISO 20275) published by the Global Legal Entity Identifier "
                    "Foundation (GLEIF), free of charge under GLEIF's CC0 open-data terms.",
        source_url="https://www.gleif.org/en/about-lei/code-lists/iso-20275-entity-legal-forms-code-list",
        publisher="Global Legal Entity Identifier Foundation (GLEIF)",
        default_file="gleif-elf-code-list/elf-code-list-v1.6-2026-02-19.csv",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        scheme = iris.definition("legal-form")
        triples: list[Triple] = scheme_triples(
            scheme, "Legal forms (ISO 20275)",
            "Every entity legal form of the ISO 20275 (ELF) code list, with its local names, abbreviations, "
            "country and status; co-operative and mutual forms are linked to ESSGLOBAL.")
        problems: list[dict[str, Any]] = []
        line_of: dict[int, int] = {}
        grouped = rows_by_code(file or ELF_FILE)
        line = 1
        for code, rows in grouped.items():
            for row in rows:
                line += 1
                line_of[id(row)] = line
            triples += self._concept(iris, scheme, code, rows, problems, line_of)
        counts = {"legal_forms": len(grouped), "rows": line - 1,
                  "deprecated": sum(1 for rows in grouped.values() if rows[0][STATUS] == "INAC")}
        return Built(triples=triples, problems=problems, counts=counts)

    def _concept(self, iris: Iris, scheme: str, code: str, rows: list[dict[str, str]],
                 problems: list[dict[str, Any]], line_of: dict[int, int]) -> list[Triple]:
        node = URIRef(iris.thing("legal-form", code))
        first = rows[0]
        triples: list[Triple] = [
            (node, RDF.type, SKOS.Concept), (node, RDF.type, GLEIF_ELF_ONTOLOGY.EntityLegalForm),
            (node, SKOS.inScheme, URIRef(scheme)), (node, SKOS.notation, Literal(code)),
            (node, SKOS.exactMatch, URIRef(GLEIF_ELF + code)),
        ]
        if code in PLACEHOLDERS:
            triples.append((node, SKOS.prefLabel, Literal(PLACEHOLDERS[code], lang="en")))
            triples.append((node, SKOS.scopeNote, Literal(first[REASON], lang="en")))
        triples += self._labels(node, rows, problems, line_of)
        if first[STATUS] == "INAC":
            triples.append((node, OWL.deprecated, boolean(True)))
        elif first[STATUS] != "ACTV":
            problems.append({"message": "unknown ELF status", "row": line_of[id(first)], "column": STATUS,
                             "value": first[STATUS]})
        country = first[COUNTRY].strip()
        if country and pycountry.countries.get(alpha_2=country) is not None:
            triples.append((node, DCTERMS.spatial, URIRef(iris.thing("country", country.lower()))))
        elif country:  # e.g. XK (Kosovo): not in ISO 3166-1, so we have no country concept for it
            problems.append({"message": "country code is not an ISO 3166-1 country", "row": line_of[id(first)],
                             "column": COUNTRY, "value": country})
        if first[SUBDIVISION].strip():
            triples.append((node, GLEIF_BASE.hasSubdivision, URIRef(LCC_SUBDIVISION + first[SUBDIVISION].strip())))
        if first[JURISDICTION].strip():
            triples.append((node, DCTERMS.coverage, Literal(first[JURISDICTION].strip(), lang="en")))
        triples += self._dates(node, rows, problems, line_of)
        names = [row[column] for row in rows for column in (LOCAL_NAME, TRANSLITERATED)]
        triples += [(node, SKOS.broadMatch, URIRef(target)) for target in sorted(kinds(country, names, code))]
        return triples

    @staticmethod
    def _labels(node: URIRef, rows: list[dict[str, str]], problems: list[dict[str, Any]],
                line_of: dict[int, int]) -> list[Triple]:
        """First local name per language -> prefLabel; further names, transliterations, abbreviations -> altLabel."""
        triples: list[Triple] = []
        preferred: set[str] = set()
        for row in rows:
            language = row[LANGUAGE].strip().lower()
            name = row[LOCAL_NAME].strip()
            if not name:
                continue
            if not _LANGUAGE.match(language):
                problems.append({"message": "no ISO 639-1 language code; name tagged 'und'", "row": line_of[id(row)],
                                 "column": LANGUAGE, "value": row[LANGUAGE]})
                language = "und"
            if language in preferred:
                triples.append((node, SKOS.altLabel, Literal(name, lang=language)))
            else:
                preferred.add(language)
                triples.append((node, SKOS.prefLabel, Literal(name, lang=language)))
            latin = f"{language}-Latn"
            transliterated = row[TRANSLITERATED].strip()
            if transliterated and transliterated != name:
                triples.append((node, SKOS.altLabel, Literal(transliterated, lang=latin)))
            local_abbreviations = abbreviations(row[ABBREVIATIONS])
            triples += [(node, SKOS.altLabel, Literal(a, lang=language)) for a in local_abbreviations]
            triples += [(node, SKOS.altLabel, Literal(a, lang=latin))
                        for a in abbreviations(row[ABBREVIATIONS_TRANSLITERATED]) if a not in local_abbreviations]
        return triples

    @staticmethod
    def _dates(node: URIRef, rows: list[dict[str, str]], problems: list[dict[str, Any]],
               line_of: dict[int, int]) -> list[Triple]:
        """dct:created (earliest row), dct:modified (latest change) and each change as a skos:changeNote."""
        created: list[str] = []
        modified: list[str] = []
        notes: list[str] = []
        for row in rows:
            for column, into in ((CREATED, created), (MODIFIED, modified)):
                value = row[column].strip()
                if value and _DATE.match(value):
                    into.append(value)
                elif value:
                    problems.append({"message": "not a YYYY-MM-DD date", "row": line_of[id(row)], "column": column,
                                     "value": value})
            change = row[MODIFICATION].strip()
            if change and row[CODE] not in PLACEHOLDERS:
                date = row[MODIFIED].strip()
                reason = row[REASON].strip()
                notes.append(f"{date}: {change}" + (f" ({reason})" if reason else ""))
        triples: list[Triple] = []
        if created:
            triples.append((node, DCTERMS.created, Literal(min(created), datatype=XSD.date)))
        if modified:
            triples.append((node, DCTERMS.modified, Literal(max(modified), datatype=XSD.date)))
        triples += [(node, SKOS.changeNote, Literal(note)) for note in dict.fromkeys(notes)]
        return triples
