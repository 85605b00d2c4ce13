"""The hand-curated seed list of data co-operatives and data institutions (23 rows, CC0).

Each row keeps its curated ``id`` as the IRI slug (``{base}id/organisation/{id}``) and is classified by the kind
its source uses. Data co-operatives are also typed ``eu-dga:DataCooperative``, except proposals that never
operated ("data cooperative (proposed, 2014)"): they keep the classification but not the legal-sense type.
``legal_form_hint`` is kept as text and never mapped to an ELF code (PROVENANCE.md: check a register first).
The list has no homepage column; each row's source page becomes ``dct:source``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, RDF, SKOS

from graph.errors import BadRequest
from graph.iris import Iris
from loaders.sources.base import DATA_DIR, Built, SourceInfo
from loaders.sources.organisation_common import EU_DGA, SPDX, Mapping, clean, institution_kind, web_iri
from ontology.vocab import OD

#: The ``kind`` wording of the list (without its parenthetical qualifier) -> our institution-kind code.
KIND_BY_TEXT = {
    "data cooperative": "data-cooperative",
    "platform cooperative": "platform-cooperative",
    "data institution": "data-institution",
    "personal data store": "personal-data-store",
    "regional open data hub": "open-data-hub",
    "community open data organisation": "open-data-hub",
    "data mutual": "data-mutual",
}
REQUIRED_COLUMNS = ("id", "name", "kind", "country_iso3166_1", "source_url")
_QUALIFIER = re.compile(r"\s*\(([^)]*)\)\s*$")
FIRST_ROW = 2  # spreadsheet numbering: the header is row 1


class DataInstitutionsSeed:
    """Maps ``data-institutions-seed.csv``; see the module docstring."""

    info = SourceInfo(
        name="data-institutions-seed",
        family="source",
        title="Data co-operatives and data institutions: curated seed list",
        licence=SPDX + "CC0-1.0",
        attribution="Curated for the ourdata project from public pages (ODI, Mozilla Foundation, University of "
                    "Bologna, Co-operative News, Edgeryders); each record names its source page.",
        source_url="urn:ourdata:source:data-institutions-seed",  # written for this project; no web copy exists
        publisher="ourdata project",
        default_file="data-institutions-seed/data-institutions-seed.csv",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        path = file or DATA_DIR / str(self.info.default_file)
        mapping = Mapping(iris)
        seen: set[str] = set()
        for n, row in enumerate(_read(path), start=FIRST_ROW):
            slug = clean(row.get("id")) or Iris.slugify(clean(row.get("name")))
            if not clean(row.get("name")) or slug in seen or not re.match(r"^[a-z0-9][a-z0-9-]{0,79}$", slug):
                mapping.problem("row without a name or with a repeated or unusable id; row skipped", n, "id", slug)
                continue
            seen.add(slug)
            _map_row(mapping, iris, row, n, slug)
        mapping.counts["organisations"] = len(seen)
        return mapping.built()


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BadRequest(f"{path.name} is not the data-institutions list: missing {', '.join(missing)}.")
            return list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(f"Cannot read {path}: {exc}") from exc


def _map_row(m: Mapping, iris: Iris, row: dict[str, str], n: int, slug: str) -> None:
    org = URIRef(iris.thing("organisation", slug))
    source_text = clean(row.get("source_url"))
    source = web_iri(source_text)
    if source_text and source is None:
        m.problem("source page is not a web address; not mapped", n, "source_url", source_text)
    m.organisation(org, row["name"], registered=False, source=source)
    _kind(m, org, clean(row.get("kind")), n)
    m.country(org, row.get("country_iso3166_1"), n, "country_iso3166_1")
    m.text(org, DCTERMS.description, row.get("described_as"), lang="en")
    m.text(org, SKOS.editorialNote, row.get("curation_note"), lang="en")
    for domain in clean(row.get("data_domain")).split(";"):
        m.text(org, DCAT.keyword, domain, lang="en")
    hint = clean(row.get("legal_form_hint"))
    if hint:
        m.add(org, OD.legalFormText, Literal(hint, lang="en"))
        m.problem("legal form hint is not a registered legal form; not mapped to an ELF code", n,
                  "legal_form_hint", hint)
        m.counts["legal form unmapped"] += 1
    else:
        m.counts["without legal form"] += 1


def _kind(m: Mapping, org: URIRef, kind: str, n: int) -> None:
    """Classifies by the list's own wording; a qualifier such as "(proposed, 2014)" is kept as a note."""
    qualifier = _QUALIFIER.search(kind)
    base = _QUALIFIER.sub("", kind).strip().lower()
    code = KIND_BY_TEXT.get(base)
    if code is None:
        m.problem("kind is not in the institution-kind scheme; not classified", n, "kind", kind)
        m.counts["kind unmapped"] += 1
        return
    m.add(org, ORG.classification, institution_kind(code))
    proposed = qualifier is not None and "proposed" in qualifier[1].lower()
    if qualifier is not None:
        m.add(org, SKOS.note, Literal(f"Described by its source as a {kind}.", lang="en"))
    if code == "data-cooperative" and not proposed:
        m.add(org, RDF.type, EU_DGA.DataCooperative)
    m.counts[f"kind {code}"] += 1
