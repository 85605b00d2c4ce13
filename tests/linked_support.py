"""Helpers shared by the linked-data tests: a module-wide live server over the linked fixtures, and readers."""

from __future__ import annotations

from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.settings import Settings

DATA = Path(__file__).parent / "data"
FIXTURES = (DATA / "sample.trig", DATA / "linked" / "resources.trig")
BASE = "https://ourdata.coop/"
META = BASE + "graph/meta"


def make_settings(tmp: Path, base: str = BASE, **extra: object) -> Settings:
    return Settings(store=tmp / "store", memory=True, base_iri=base, tokens_file=tmp / "tokens.sqlite",
                    _env_file=None, **extra)  # type: ignore[call-arg]


def loaded_store(files: tuple[Path, ...] = FIXTURES) -> EmbeddedStore:
    store = EmbeddedStore.open(None)
    for path in files:
        store.load(path.read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)
    return store


def fixture_dataset(files: tuple[Path, ...] = FIXTURES) -> Dataset:
    dataset = Dataset()
    for path in files:
        dataset.parse(path, format="trig")
    return dataset


def quads_by_graph(dataset: Dataset) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _s, _p, _o, g in dataset.quads((None, None, None, None)):
        key = str(g.identifier if hasattr(g, "identifier") else g)
        counts[key] = counts.get(key, 0) + 1
    return counts


def newest_meta_date(dataset: Dataset, graphs: set[str]) -> datetime:
    """The latest dct:modified / prov:generatedAtTime the fixture's meta graph gives any of ``graphs``."""
    meta = dataset.graph(URIRef(META))
    dates = [o.toPython() for g in graphs for p in (DCTERMS.modified, PROV.generatedAtTime)
             for o in meta.objects(URIRef(g), p)]
    return max(dates)


def parse(body: bytes | str, fmt: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=fmt)
    return graph


class VisibleText(HTMLParser):
    """Collects the text a reader sees (no attribute values, no script or style content) and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.scripts: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in.append(tag)
        if tag == "a":
            self.links.extend(v for k, v in attrs if k == "href" and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "script" in self._in:
            self.scripts.append(data)
        elif "style" not in self._in:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def read_html(html: str) -> VisibleText:
    reader = VisibleText()
    reader.feed(html)
    return reader
