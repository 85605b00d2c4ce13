"""Per-client rate limiting on a live server: 429 problem+json with Retry-After once the bucket is empty."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from conftest import make_test_settings, serving

from api.client_buckets import ClientBuckets, SharedTable
from api.rate_limit import RateLimit
from api.tokens import TokenStore
from graph.embedded import EmbeddedStore

BURST = 5


def test_client_over_its_budget_gets_429(tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path, rate_limit_per_minute=60, rate_limit_burst=BURST)
    with serving(settings, EmbeddedStore.open(None)) as server, server.client() as client:
        statuses = [client.get("/healthz").status_code for _ in range(BURST + 3)]
        assert statuses[:BURST] == [200] * BURST
        refused = client.get("/sparql", params={"query": "ASK {}"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "60 requests a minute" in refused.json()["detail"]
        # a contributor token is its own client; an admin is not limited
        contributor = {"Authorization": f"Bearer {server.contributor_token}"}
        assert [client.get("/healthz", headers=contributor).status_code for _ in range(BURST + 1)][-1] == 429
        assert all(client.get("/healthz", headers=server.admin).status_code == 200 for _ in range(BURST * 2))
        # an unknown token buys nothing: it counts against the address
        assert client.get("/healthz", headers={"Authorization": "Bearer nonsense"}).status_code == 429


def test_zero_turns_limiting_off(tmp_path: Path) -> None:
    settings = make_test_settings(tmp_path, rate_limit_per_minute=0, rate_limit_burst=1)
    with serving(settings, EmbeddedStore.open(None)) as server, server.client() as client:
        assert {client.get("/healthz").status_code for _ in range(20)} == {200}


def test_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    limiter = RateLimit(None, per_minute=120, burst=2, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == 0.5  # 2 a second: the next request is half a second away
    assert limiter.take("b") == 0  # another client has its own bucket
    now[0] += 0.5
    assert limiter.take("a") == 0
    assert limiter.take("a") > 0


def test_tokens_file_is_shared(tmp_path: Path) -> None:
    """The limiter learns token names from the same TokenStore the routes use (not a copy)."""
    settings = make_test_settings(tmp_path, rate_limit_per_minute=60, rate_limit_burst=1)
    with serving(settings, EmbeddedStore.open(None)) as server, server.client() as client:
        fresh = TokenStore(settings.token_path).create("late-comer", "contributor")
        headers = {"Authorization": f"Bearer {fresh}"}
        assert client.get("/healthz", headers=headers).status_code == 200
        assert client.get("/healthz", headers=headers).status_code == 429


def test_shared_buckets_count_across_processes_and_survive_a_stuck_lock() -> None:
    """Two processes, one budget; a lock left held (its holder killed) makes a process count on its own."""
    context = multiprocessing.get_context("forkserver")
    ours = ClientBuckets(per_minute=1, burst=4)  # no refill to speak of while the child starts
    table = ours.share(context)
    assert [ours.take("10.0.0.1") for _ in range(2)] == [0.0, 0.0]
    child = context.Process(target=_take_twice, args=(table,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert ours.take("10.0.0.1") > 0  # the child took the other two
    assert ours.take("10.0.0.2") == 0.0  # another client has its own bucket
    table.lock.acquire()  # as if a process died holding it
    stuck = ClientBuckets(per_minute=1, burst=1, table=table)
    assert stuck.take("10.0.0.3") == 0.0 and stuck.take("10.0.0.3") > 0  # counted locally, still limited


def _take_twice(table: SharedTable) -> None:
    theirs = ClientBuckets(per_minute=1, burst=4, table=table)
    assert [theirs.take("10.0.0.1") for _ in range(2)] == [0.0, 0.0]
