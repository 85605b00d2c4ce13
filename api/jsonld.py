"""JSON-LD for single resources: compacted with the project's own ``@context``, embedded inline.

The context is embedded (not referenced by URL) so a document parses offline: pyoxigraph cannot load
remote contexts and rdflib would fetch them over the network. rdflib's compaction is fine at this size
(one resource, tens of triples); lists and dumps use the engine's serializer instead.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rdflib import Graph


@lru_cache(maxsize=1)
def project_context() -> dict[str, Any] | None:
    """The inner ``@context`` object of ``ontology/context.jsonld``; None if the ontology package lacks it."""
    try:
        from ontology import load_context
    except ImportError:  # the ontology package is optional for this module
        return None
    loaded = load_context()
    inner = loaded.get("@context", loaded) if isinstance(loaded, dict) else None
    return inner if isinstance(inner, dict) else None


def graph_to_jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD when the project context is available, expanded JSON-LD otherwise."""
    context = project_context()
    if context is None:
        return graph.serialize(format="json-ld", encoding="utf-8")
    return graph.serialize(format="json-ld", context=context, auto_compact=True, encoding="utf-8")


def script_safe(document: bytes) -> str:
    """JSON text that can sit inside ``<script type="application/ld+json">`` without ending it early."""
    text = json.dumps(json.loads(document), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
