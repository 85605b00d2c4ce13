"""Reproducible benchmarks of the service against Oxigraph server (not tests; see benchmarks/README.md)."""
