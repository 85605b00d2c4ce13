"""The reference-data sources in load order (countries first: legal forms point at them)."""

from __future__ import annotations

from loaders.sources.base import Source


def reference_sources() -> list[Source]:
    from loaders.sources.countries import Countries
    from loaders.sources.data_themes import DataThemes
    from loaders.sources.essglobal_schemes import EssglobalSchemes
    from loaders.sources.legal_forms import LegalForms
    from loaders.sources.licences import Licences

    return [Countries(), LegalForms(), Licences(), EssglobalSchemes(), DataThemes()]
