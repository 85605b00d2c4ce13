"""Every SPDX licence as a concept of our licence scheme, with ODRL policies for the data licences.

``{base}id/licence/{SPDX id}``: ``dct:LicenseDocument`` and ``skos:Concept``, ``skos:notation`` the SPDX id,
``dct:title`` its name, ``skos:exactMatch`` the SPDX IRI, OSI and FSF flags, ``owl:deprecated`` for
deprecated ids. The licences of the crosswalk (CC 4.0 family, CC0, PDM, ODbL, ODC-By, PDDL, UK OGL 1-3,
NCGL) also match the licensor's own IRI and RDFLicense's policy IRI, and carry a corrected ODRL policy
(:mod:`loaders.sources.licence_policies`). The six deprecated ``+`` ids (e.g. ``GPL-2.0+``) are not
IRI-safe slugs: their IRIs end in ``-plus`` (``GPL-2.0-plus``); the notation keeps the SPDX id.
PDM is in SPDX since 3.25 as ``CC-PDM-1.0``; its policy comes from CC's ccREL file (RDFLicense has none).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from graph.errors import BadRequest
from graph.iris import Iris
from graph.store import Triple
from loaders.sources.base import Built, SourceInfo
from loaders.sources.licence_policies import (
    Rules,
    ccrel_rules,
    corrected,
    corrections,
    policy_triples,
    rdflicense_rules,
    skolemised,
)
from loaders.sources.reference_common import (
    ODRL,
    SPDX,
    boolean,
    data_file,
    od,
    parse_rdf,
    read_csv,
    scheme_triples,
)

SPDX_FILE = data_file("spdx-license-list", "spdx.json")
FLAGS_FILE = data_file("spdx-license-list", "spdx-flags.csv")
POLICIES_FILE = data_file("odrl-licence-policies", "licence-policies-odrl.ttl")
CROSSWALK_FILES = (data_file("odrl-licence-policies", "licence-crosswalk.csv"),
                   data_file("licence-overlay", "licence-crosswalk-additions.csv"))
CCREL_DIR = data_file("cc-licenserdf")


def licence_slug(spdx_id: str) -> str:
    """The IRI slug of an SPDX id: the id itself, with '+' (deprecated "or later" ids) spelled '-plus'."""
    return spdx_id.replace("+", "-plus")


def licence_iri(iris: Iris, spdx_id: str) -> URIRef:
    return URIRef(iris.thing("licence", licence_slug(spdx_id)))


@lru_cache(maxsize=1)
def spdx_licences(file: Path = SPDX_FILE) -> dict[str, dict[str, Any]]:
    """SPDX id -> {name, url, osiApproved} (names with runs of spaces collapsed)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadRequest(f"Cannot read {file.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise BadRequest(f"{file.name} is not an object keyed by SPDX id")
    return {key: {**value, "name": re.sub(r"\s+", " ", str(value.get("name", ""))).strip()}
            for key, value in data.items()}


@lru_cache(maxsize=1)
def crosswalk() -> tuple[dict[str, str], ...]:
    """The data licences: RDFLicense IRI, SPDX id, licensor IRI and ccREL file for each."""
    return tuple(row for file in CROSSWALK_FILES for row in read_csv(file))


class Licences:
    info = SourceInfo(
        name="licences",
        family="reference",
        title="Licences: the SPDX License List 3.28.0 and ODRL policies for open-data licences",
        licence=SPDX + "W3C-20150513",
        attribution="SPDX License List (SPDX workgroup, CC0-1.0); ODRL policies from the RDFLicense dataset "
                    "(Rodríguez-Doncel, Villata, Gómez-Pérez) as maintained by the W3C ODRL Community Group "
                    "(W3C Software and Document License), with our corrections; Creative Commons ccREL "
                    "licence descriptions (MIT).",
        source_url="https://spdx.org/licenses/",
        publisher="SPDX workgroup; W3C ODRL Community Group; Creative Commons",
        default_file="spdx-license-list/spdx.json",
    )

    def build(self, iris: Iris, file: Path | None = None) -> Built:
        licences = spdx_licences(file) if file else spdx_licences()
        flags = {row["id"]: row for row in read_csv(FLAGS_FILE)}
        scheme = iris.definition("licence")
        triples: list[Triple] = scheme_triples(
            scheme, "Licences", "Every licence of the SPDX License List, with ODRL policies for the licences "
            "used for open data and content.")
        problems: list[dict[str, Any]] = []
        for number, (spdx_id, entry) in enumerate(sorted(licences.items()), start=1):
            flag = flags.get(spdx_id)
            if flag is None:
                problems.append({"message": "no FSF/deprecated flags for this licence", "row": number,
                                 "column": "id", "value": spdx_id})
            triples += self._concept(licence_iri(iris, spdx_id), scheme, spdx_id, entry, flag)
        policies = self._policies(iris, licences, problems)
        triples += policies
        return Built(triples=triples, problems=problems,
                     counts={"licences": len(licences), "policies": sum(1 for t in policies if t[1] == ODRL.hasPolicy
                                                                         and str(t[0]).startswith(iris.base))})

    @staticmethod
    def _concept(node: URIRef, scheme: str, spdx_id: str, entry: dict[str, Any],
                 flag: dict[str, str] | None) -> list[Triple]:
        title = Literal(entry["name"], lang="en")
        triples: list[Triple] = [
            (node, RDF.type, DCTERMS.LicenseDocument), (node, RDF.type, SKOS.Concept),
            (node, SKOS.inScheme, URIRef(scheme)), (node, SKOS.notation, Literal(spdx_id)),
            (node, DCTERMS.title, title), (node, SKOS.prefLabel, title),
            (node, SKOS.exactMatch, URIRef(SPDX + spdx_id)),
            (node, od("osiApproved"), boolean(bool(entry.get("osiApproved")))),
        ]
        if entry.get("url"):
            triples.append((node, RDFS.seeAlso, URIRef(entry["url"])))
        if flag is not None:
            triples.append((node, od("fsfLibre"), boolean(flag["fsfLibre"] == "true")))
            if flag["deprecated"] == "true":
                triples.append((node, OWL.deprecated, boolean(True)))
        return triples

    @staticmethod
    def _policies(iris: Iris, licences: dict[str, dict[str, Any]], problems: list[dict[str, Any]]) -> list[Triple]:
        """Upstream RDFLicense and ccREL descriptions as published, and our corrected policy per data licence."""
        upstream = parse_rdf(POLICIES_FILE, "turtle")
        fixes = corrections()
        known = {row["spdx_id"] for row in crosswalk()}
        problems += [{"message": "overlay corrects a licence that has no policy", "column": "fix:licence",
                      "value": fix.licence} for fix in fixes if fix.licence not in known]
        triples: list[Triple] = []
        described: set[URIRef] = set()
        for number, row in enumerate(crosswalk(), start=1):
            spdx_id = row["spdx_id"]
            if spdx_id not in licences:
                problems.append({"message": "crosswalk names an SPDX id not in the list", "row": number,
                                 "column": "spdx_id", "value": spdx_id})
                continue
            node = licence_iri(iris, spdx_id)
            licensor = URIRef(row["licence_iri"])
            triples.append((node, SKOS.exactMatch, licensor))
            rules: Rules | None = None
            if row["rdflicense_iri"]:
                policy = URIRef(row["rdflicense_iri"])
                triples.append((node, SKOS.exactMatch, policy))
                triples += skolemised(upstream, policy, f"{node}/rdflicense")
                described.add(policy)
                rules = rdflicense_rules(upstream, policy)
            if row["cc_rdf_file"]:
                ccrel = parse_rdf(CCREL_DIR / row["cc_rdf_file"], "xml")
                triples += list(ccrel)  # type: ignore[arg-type]  # ccREL files have no blank nodes
                rules = rules or ccrel_rules(ccrel, licensor)
            if rules is None:
                problems.append({"message": "no policy source for this licence", "row": number, "value": spdx_id})
                continue
            rules = corrected(rules, [fix for fix in fixes if fix.licence == spdx_id])
            triples += policy_triples(node, licences[spdx_id]["name"], rules)
        triples += [t for s in set(upstream.subjects()) if isinstance(s, URIRef) and s not in described
                    for t in skolemised(upstream, s, str(s))]  # e.g. the ccREL view of the OGL
        return triples


def ccrel_graph(file_name: str) -> Graph:
    """One bundled ccREL file (for cross-checks)."""
    return parse_rdf(CCREL_DIR / file_name, "xml")
