"""Every source we know, in load order: ontology and vocabularies, reference data, organisations."""

from __future__ import annotations

from loaders.sources.base import Source


def ontology_and_reference() -> list[Source]:
    """Loaded on every first run."""
    sources: list[Source] = []
    from loaders.sources.ontology import ontology_sources

    sources += ontology_sources()
    from loaders.sources.reference import reference_sources

    sources += reference_sources()
    return sources


def organisation_sources() -> list[Source]:
    """Bundled organisation sources (skipped by ``ourdata init --no-organisations``)."""
    sources: list[Source] = []
    from loaders.sources.coops_uk import CoopsUk
    from loaders.sources.data_institutions import DataInstitutionsSeed
    from loaders.sources.transformap import TransforMap

    sources += [DataInstitutionsSeed(), CoopsUk(), TransforMap()]
    from loaders.sources.catalogues import CommonDataIndex
    from loaders.sources.dataportals import DataPortals
    from loaders.sources.patio import Patio
    from loaders.sources.solid import Solid
    from loaders.sources.tech_coops import TechCoops

    sources += [TechCoops(), Patio(), Solid(), CommonDataIndex(), DataPortals()]
    from loaders.sources.open_data_scotland import OpenDataScotland

    sources += [OpenDataScotland()]
    return sources


def all_sources() -> list[Source]:
    return ontology_and_reference() + organisation_sources()


def by_name(name: str) -> Source | None:
    return next((s for s in all_sources() if s.info.name == name), None)
