"""Shared by the web page tests and the browser tests: one store with everything the product bundles (loaded
once per test process: a first load takes ~15 s), a server over it, and answers computed independently of the
pages (plain SPARQL over the same store), so a page that counts wrong fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import LiveServer, bundled_store, make_test_settings, serving

from graph.embedded import EmbeddedStore

BASE = "https://ourdata.coop/"
ROOT = Path(__file__).resolve().parent.parent
ORG_TYPES = ("http://www.w3.org/ns/org#FormalOrganization", "http://www.w3.org/ns/org#Organization",
             "http://www.w3.org/ns/org#OrganizationalCollaboration", "http://www.w3.org/ns/regorg#RegisteredOrganization",
             "https://w3id.org/dpv/legal/eu/dga#DataCooperative")


@contextmanager
def bundled_server(tmp: Path) -> Iterator[LiveServer]:
    """A server (a new app, so a catalogue built afresh) over the bundled store."""
    with serving(make_test_settings(tmp), bundled_store(), fixture=None) as server:
        yield server


PREFIXES = ("PREFIX dct: <http://purl.org/dc/terms/> PREFIX org: <http://www.w3.org/ns/org#> "
            "PREFIX rov: <http://www.w3.org/ns/regorg#> PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n")


def count(store: EmbeddedStore, where: str) -> int:
    """How many organisations (the pages' members: typed, IRI ``{BASE}id/organisation/{id}``) match ``where``
    (a group pattern over ?org, with the prefixes dct, org, rov and geo)."""
    types = " ".join(f"<{t}>" for t in ORG_TYPES)
    query = (f"{PREFIXES}SELECT (COUNT(DISTINCT ?org) AS ?n) WHERE {{ VALUES ?t {{ {types} }} ?org a ?t . {where} "
             f"FILTER(STRSTARTS(STR(?org), \"{BASE}id/organisation/\")) }}")
    return int(store.select(query)[0]["n"])


def shown_total(html: str) -> int:
    """The number the search page says matches (``<p id="result-count"><strong>1,234</strong>``)."""
    found = re.search(r'id="result-count"[^>]*>\s*<strong>([\d,]+)</strong>', html)
    assert found, "the search page shows no result count"
    return int(found.group(1).replace(",", ""))


def server_ms(headers: object) -> float:
    """The server time a page reports in its Server-Timing header."""
    value = headers["server-timing"]  # type: ignore[index]
    return float(re.search(r"dur=([\d.]+)", value).group(1))  # type: ignore[union-attr]
