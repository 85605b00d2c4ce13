"""The catalogue snapshot: rebuilt when the store changes (in the background when rebuilds are slow), and
keyset positions that stay valid across snapshots."""

from __future__ import annotations

import time

from api_support import BASE, loaded_store, members

from graph.catalogue import Catalogue
from graph.formats import RDF_BY_NAME
from graph.iris import Iris

NEW = f"<{BASE}id/organisation/zz-new> a <http://www.w3.org/ns/org#FormalOrganization> .".encode()


def test_snapshot_is_rebuilt_after_a_write() -> None:
    store = loaded_store()
    catalogue = Catalogue(store, Iris(BASE))
    first = catalogue.snapshot()
    assert catalogue.snapshot() is first  # unchanged store: same snapshot
    assert first.kind("organisations").members == sorted(members(store, "organisations"))
    store.load(NEW, RDF_BY_NAME["turtle"], graph=BASE + "graph/contribution/x")
    second = catalogue.snapshot()
    assert second is not first and second.token != first.token
    assert second.has("organisations", BASE + "id/organisation/zz-new")


def test_slow_rebuilds_happen_in_the_background() -> None:
    store = loaded_store()
    catalogue = Catalogue(store, Iris(BASE), background_after=0.0)  # every rebuild counts as slow
    first = catalogue.snapshot()
    store.load(NEW, RDF_BY_NAME["turtle"], graph=BASE + "graph/contribution/x")
    assert catalogue.snapshot() is first  # served at once from the previous snapshot
    deadline = time.monotonic() + 30
    while catalogue.snapshot() is first:
        assert time.monotonic() < deadline, "the background rebuild never finished"
        time.sleep(0.05)
    assert catalogue.snapshot().has("organisations", BASE + "id/organisation/zz-new")


def test_keyset_positions() -> None:
    store = loaded_store()
    snapshot = Catalogue(store, Iris(BASE)).snapshot()
    selection = snapshot.select("organisations", snapshot.criteria("organisations", {}))
    keys = [selection.key(i) for i in range(selection.total)]
    assert keys == sorted(keys)
    middle = selection.key(3)
    assert selection.index_after(middle) == 4 and selection.index_before(middle) == 3
    ranked = snapshot.select("organisations", snapshot.criteria("organisations", {}, q="data"))
    assert [ranked.key(i) for i in range(ranked.total)] == sorted(ranked.key(i) for i in range(ranked.total))
