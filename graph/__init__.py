"""The graph layer: one store interface over pyoxigraph (embedded) and, later, remote SPARQL stores.

Nothing here opens a store or reads settings at import time: entry points build a
:class:`graph.settings.Settings` and pass it to :func:`graph.open_store`.
"""

from graph.store import GraphStore, QueryRequest, open_store

__all__ = ["GraphStore", "QueryRequest", "open_store"]
