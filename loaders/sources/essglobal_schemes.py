"""ESSGLOBAL's SKOS schemes (organisational structure, ICA activities, membership type, legal form, ...).

Organisation sources point at these concepts (``essglobal:organisationalStructure`` -> ``.../OS60``) and our
legal forms match them (``skos:broadMatch .../legal-form/L2``), so loading them gives those IRIs labels.
The shipped files already use ``http://purl.org/essglobal/standard/<scheme>/<code>``; IRIs under the
``lod.coop/essglobal/2.1/standard/`` bases that SEA's CSVs use are rewritten to it. Two clean-ups, both
only removing noise or adding what the IRI says: empty-string labels and notes (``""@fr``) are dropped,
and each concept gets ``skos:notation`` = its code (the last IRI segment), so "OS115" finds its concept.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import Built, SourceInfo
from loaders.sources.reference_common import ESSGLOBAL, SPDX, data_file, parse_rdf

STANDARD_DIR = data_file("essglobal-standard")
_OTHER_BASES = re.compile(r"^https?://(?:dev\.)?lod\.coop/essglobal/2\.1/standard/")


def canonical(term: object) -> object:
    """A term with ESSGLOBAL 2.1 IRIs rewritten to the purl.org standard base."""
    if isinstance(term, URIRef) and _OTHER_BASES.match(term):
        return URIRef(_OTHER_BASES.sub(ESSGLOBAL, str(term)))
    return term


class EssglobalSchemes:
    info = SourceInfo(
        name="essglobal-schemes",
        family="reference",
        title="ESSGLOBAL SKOS schemes (social and solidarity economy)",
        licence=SPDX + "CC-BY-3.0",
        attribution="ESSGLOBAL taxonomies by the ESSGLOBAL working group of RIPESS, extended by the Solidarity "
                    "Economy Association, CC BY 3.0.",
        source_url="https://github.com/SolidarityEconomyAssociation/map-sse",
        publisher="RIPESS ESSGLOBAL working group; Solidarity Economy Association",
        default_file="essglobal-standard",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        """``file`` may be one scheme file or a folder of them (default: every bundled scheme)."""
        folder = file or STANDARD_DIR
        paths = sorted(folder.glob("*.ttl")) if folder.is_dir() else [folder]
        triples: list[Triple] = []
        problems: list[dict[str, object]] = []
        concepts = 0
        for path in paths:
            graph = parse_rdf(path, "turtle")
            for s, p, o in graph:
                s, o = canonical(s), canonical(o)
                if isinstance(o, Literal) and not str(o).strip():
                    continue
                if not str(s).startswith(ESSGLOBAL):
                    problems.append({"message": "term outside http://purl.org/essglobal/standard/",
                                     "column": path.name, "value": str(s)})
                triples.append((s, p, o))  # type: ignore[arg-type]
            for concept in sorted(set(graph.subjects(RDF.type, SKOS.Concept))):
                concept = canonical(concept)
                concepts += 1
                triples.append((concept, SKOS.notation, Literal(str(concept).rstrip("/").rsplit("/", 1)[-1])))  # type: ignore[arg-type]
        return Built(triples=triples, problems=problems, counts={"schemes": len(paths), "concepts": concepts})
