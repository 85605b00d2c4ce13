"""HTTP and command-line adapters over ``graph/`` and ``loaders/``."""
