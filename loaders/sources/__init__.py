"""One mapper per external source or reference dataset; each builds the triples of its own named graph.

``REGISTRY`` (in :mod:`loaders.registry`) lists them in load order.
"""
