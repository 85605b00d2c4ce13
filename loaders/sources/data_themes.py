"""The 13 EU data themes (the values DCAT-AP expects for ``dcat:theme``), under the EU's own IRIs.

We do not mint our own theme IRIs: catalogues harvested into the European data portal already use the
authority IRIs (``http://publications.europa.eu/resource/authority/data-theme/HEAL``), so datasets from
any source join on them.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import Built, SourceInfo
from loaders.sources.reference_common import EU_DATA_THEME, SPDX, data_file, read_csv, scheme_triples

THEMES_FILE = data_file("eu-data-themes", "data-themes.csv")
SCHEME = EU_DATA_THEME.rstrip("/")


class DataThemes:
    info = SourceInfo(
        name="data-themes",
        family="reference",
        title="EU data themes (EU Vocabularies authority table)",
        licence=SPDX + "CC-BY-4.0",
        attribution="Data themes from the EU Vocabularies authority table 'Data theme', © European Union, "
                    "Publications Office, CC BY 4.0.",
        source_url="http://publications.europa.eu/resource/authority/data-theme",
        publisher="Publications Office of the European Union",
        default_file="eu-data-themes/data-themes.csv",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        triples: list[Triple] = scheme_triples(SCHEME, "Data theme", "The EU data themes used by DCAT-AP.")
        problems: list[dict[str, object]] = []
        rows = list(read_csv(file or THEMES_FILE))
        for number, row in enumerate(rows, start=2):
            code = row.get("code", "").strip()
            if not code.isalpha() or not code.isupper():
                problems.append({"message": "not a theme code", "row": number, "column": "code", "value": code})
                continue
            node = URIRef(EU_DATA_THEME + code)
            triples += [(node, RDF.type, SKOS.Concept), (node, SKOS.inScheme, URIRef(SCHEME)),
                        (node, SKOS.topConceptOf, URIRef(SCHEME)), (node, SKOS.notation, Literal(code)),
                        (node, SKOS.prefLabel, Literal(row["label_en"].strip(), lang="en"))]
        return Built(triples=triples, problems=problems, counts={"themes": len(rows) - len(problems)})
