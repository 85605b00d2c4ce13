"""The dataset questions of docs/questions.md (D1, D2), read from the document and run on a store holding the
licences and the Open Data Scotland catalogue; every expected answer is computed from the source CSV files."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from loaders.importer import import_source
from loaders.resolve import licence_iri
from loaders.sources import licences as lic
from loaders.sources.base import DATA_DIR
from loaders.sources.open_data_scotland import OpenDataScotland

BASE = "https://ourdata.coop/"
IRIS = Iris(BASE)
DOC = Path(__file__).resolve().parent.parent / "docs" / "questions.md"
FOLDER = DATA_DIR / "open-data-scotland"
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")


def questions() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    return dict(re.findall(r"^## (D\d+)\..*?```sparql\n(.*?)```", text, re.S | re.M))


def read(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    loaded = EmbeddedStore.open(None)
    import_source(loaded, IRIS, lic.Licences())
    import_source(loaded, IRIS, OpenDataScotland())
    yield loaded
    loaded.close()


@pytest.fixture(scope="module")
def datasets() -> list[dict[str, str]]:
    return read("datasets.csv")


def licence_of(row: dict[str, str]) -> str | None:
    """The SPDX id the file gives for the dataset, else the one its licence URL names; None when neither."""
    if row["license_spdx"]:
        return row["license_spdx"]
    iri, _ = licence_iri(IRIS, row["license"]) if row["license"].startswith("http") else (None, [])
    return iri.rsplit("/", 1)[-1] if iri else None


def publisher_of(row: dict[str, str], titles: dict[str, str]) -> str:
    if row["organization"] in titles:
        return f"{BASE}id/organisation/ods-{titles[row['organization']].replace(chr(39), '')}"
    return f"{BASE}id/organisation/ods-{Iris.slugify(row['organization'])}"


def test_every_dataset_question_is_documented_and_tested() -> None:
    assert set(questions()) == {"D1", "D2"}


def test_d1_publishers_sharing_datasets_without_licence(store, datasets) -> None:
    titles = {r["title"]: r["org_id"] for r in read("organizations.csv")}
    without: dict[str, int] = Counter()
    rights: dict[str, int] = Counter()
    for row in datasets:
        if licence_of(row) is None:
            publisher = publisher_of(row, titles)
            without[publisher] += 1
            rights[publisher] += row["license"].startswith("http")
    rows = store.select(questions()["D1"])
    assert {str(r["publisher"]): int(r["withoutLicence"].toPython()) for r in rows} == dict(without)
    assert {str(r["publisher"]): int(r["withRightsStatement"].toPython()) for r in rows} == \
        {p: rights[p] for p in without}
    assert [int(r["withoutLicence"].toPython()) for r in rows] == sorted(without.values(), reverse=True)
    names = {str(r["publisher"]): str(r["name"]) for r in rows}
    parliament = publisher_of({"organization": "Scottish Parliament"}, titles)
    assert names[parliament] == "Scottish Parliament" and rights[parliament] == without[parliament] > 0


def commercial(spdx_id: str) -> str:
    """Non-commercial licences say so in their SPDX id (CC-BY-NC-4.0, NCGL-UK-2.0)."""
    return "no" if any(part.startswith("NC") for part in spdx_id.split("-")) else "yes"


def test_d2_datasets_per_licence_and_commercial_reuse(store, datasets) -> None:
    per_licence = Counter(i for i in (licence_of(r) for r in datasets) if i)
    rows = store.select(questions()["D2"])
    assert {str(r["id"]): int(r["datasets"].toPython()) for r in rows} == dict(per_licence)
    assert {str(r["id"]): str(r["commercialReuse"]) for r in rows} == {i: commercial(i) for i in per_licence}
    assert str(rows[0]["id"]) == per_licence.most_common(1)[0][0] == "OGL-UK-3.0"
    # a non-commercial licence and one we hold no policy for, stated by two contributed datasets
    graph = URIRef(f"{BASE}graph/contribution/test-d2")
    stated = {"nc": URIRef(str(lic.licence_iri(IRIS, "CC-BY-NC-4.0"))), "other": URIRef("https://example.org/terms")}
    quads = []
    for slug, licence in stated.items():
        dataset = URIRef(f"{BASE}id/dataset/test-d2-{slug}")
        quads += [(dataset, RDF.type, DCAT_DATASET, graph), (dataset, DCTERMS.title, Literal(slug), graph),
                  (dataset, DCTERMS.license, licence, graph)]
    store.add_quads(quads)
    try:
        rows = store.select(questions()["D2"])
        answers = defaultdict(str, {str(r["licence"]): str(r["commercialReuse"]) for r in rows})
    finally:
        store.drop_graph(str(graph))
    assert answers[str(stated["nc"])] == "no" and answers[str(stated["other"])] == "unknown"
