"""Turning data into graph content: bundled reference data, external sources, contributions."""
