"""A contribution's life through the HTTP API: reconciliation, the same file twice, superseding, withdrawal,
who may do what, limits, concurrency, and secrets kept out of the graph."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from contributions_support import Server, dump, graph_triples, reference_store, serve, settings_for

CSV = {"Content-Type": "text/csv"}
META = "https://ourdata.coop/graph/meta"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = settings_for(tmp_path_factory.mktemp("lifecycle"), contribution_max_bytes=200_000,
                            contribution_max_records=100)
    yield from serve(reference_store(), settings)


def post(server: Server, who: str, data: str, **params: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    with server.client(who) as client:
        response = client.post("/api/v1/contributions", content=data.encode("utf-8"), headers=CSV, params=params)
    return response.status_code, response.json()


def without_meta(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.endswith(f"<{META}> .")]


def test_reconciliation_attaches_records_to_what_we_hold_and_says_why(server: Server) -> None:
    status, body = post(server, "alice", "name,country,registration_number,register,website\n"
                        "Alpha Co-operative,GB,RS 000123,financial conduct authority,https://alpha.example.org/\n"
                        "Beta Data Trust,France,,,https://beta.example.org/\n"
                        "Gamma New,DE,,,\n")
    assert status == 201, body
    records = {r["row"]: r for r in body["records"]}
    assert records[2]["iri"] == "https://ourdata.coop/id/organisation/alpha-coop"
    assert records[2]["match"]["basis"] == "registration" and "RS 000123" in records[2]["match"]["reason"]
    assert records[3]["iri"] == "https://ourdata.coop/id/organisation/beta-trust"
    assert records[3]["match"]["basis"] == "name-country"
    assert records[4]["action"] == "created" and records[4]["iri"] == "https://ourdata.coop/id/organisation/gamma-new"
    assert body["counts"] == {"matched": 2, "created": 1}
    # no duplicate: the held organisations got the contributed statements under their own IRI
    triples = graph_triples(server.store, body["iri"])
    assert '<https://ourdata.coop/id/organisation/alpha-coop> <http://xmlns.com/foaf/0.1/homepage> ' \
           '<https://alpha.example.org/> .' in triples


def test_a_dataset_matches_by_title_and_publisher(server: Server) -> None:
    status, body = post(server, "alice", "name,country,dataset_1_title,dataset_1_description\n"
                        "Alpha Data Co-op,GB,Alpha Health Survey,More about it.\n")
    assert status == 201, body
    dataset = next(r for r in body["records"] if r["kind"] == "dataset")
    assert dataset["iri"] == "https://ourdata.coop/id/dataset/alpha-health"
    assert dataset["match"]["basis"] == "title-publisher"


def test_the_same_file_again_changes_nothing(server: Server) -> None:
    data = "name,country\nDelta Data,NL\n"
    status, first = post(server, "alice", data)
    assert status == 201
    before = dump(server.store)
    status, again = post(server, "alice", data)
    assert status == 200 and again["status"] == "unchanged" and again["id"] == first["id"]
    assert dump(server.store) == before
    # the same file from someone else is their own contribution, attached to the same organisation
    status, other = post(server, "bob", data)
    assert status == 201 and other["records"][0]["iri"] == first["records"][0]["iri"]


def test_dry_run_reports_and_writes_nothing(server: Server) -> None:
    before = dump(server.store)
    status, body = post(server, "alice", "name,country\nEpsilon Data,IT\n", dry_run="true")
    assert status == 200 and body["status"] == "valid" and body["id"] is None
    assert body["records"][0]["iri"] == "https://ourdata.coop/id/organisation/epsilon-data"
    assert dump(server.store) == before


def test_a_later_submission_supersedes_the_contributors_earlier_statements_and_keeps_history(server: Server) -> None:
    status, first = post(server, "alice", "name,country,website,members\nZeta Data,ES,https://old.example.es/,10\n"
                         "Eta Data,ES,,\n")
    assert status == 201
    zeta = "https://ourdata.coop/id/organisation/zeta-data"
    status, bob = post(server, "bob", "name,country,members\nZeta Data,Spain,99\n")  # another contributor's
    assert status == 201
    status, second = post(server, "alice", "name,country,website\nZeta Data,Spain,https://new.example.es/\n")
    assert status == 201, second
    assert second["superseded"] == [{"contribution": first["iri"], "record": zeta, "triples": 5}]
    old = graph_triples(server.store, first["iri"])
    assert not [t for t in old if t.startswith(f"<{zeta}")]  # alice's earlier statements about Zeta are gone
    assert [t for t in old if "eta-data" in t and "zeta" not in t]  # those about Eta stay
    assert [t for t in graph_triples(server.store, bob["iri"]) if "99" in t]  # bob's stay
    with server.client() as client:
        record = client.get(f"/api/v1/contributions/{second['id']}").json()
        earlier = client.get(f"/api/v1/contributions/{first['id']}").json()
        history = client.get("/sparql", params={"query": f"""
            SELECT ?text WHERE {{ GRAPH <{META}> {{ <{second['iri']}/superseded/1> <http://purl.org/dc/terms/isPartOf>
            <{first['iri']}> ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?text }} }}"""},
                             headers={"Accept": "application/sparql-results+json"}).json()
    assert record["revises"] == [first["iri"]]
    assert earlier["superseded"] == [{"by": second["iri"], "subject": zeta, "triples": 5}]
    assert earlier["records"] == ["https://ourdata.coop/id/organisation/eta-data"]
    assert "https://old.example.es/" in history["results"]["bindings"][0]["text"]["value"]


def test_withdrawing_removes_exactly_what_it_added(server: Server) -> None:
    before = dump(server.store)
    status, body = post(server, "carol", "name,country,dataset_1_title\nTheta Data,PT,Theta open data\n"
                        "Alpha Data Co-op,GB,\n")
    assert status == 201
    with server.client("bob") as client:
        refused = client.delete(f"/api/v1/contributions/{body['id']}")
    assert refused.status_code == 403
    with server.client("carol") as client:
        response = client.delete(f"/api/v1/contributions/{body['id']}")
        again = client.delete(f"/api/v1/contributions/{body['id']}")
        record = client.get(f"/api/v1/contributions/{body['id']}").json()
    assert response.status_code == 200 and response.json()["removed"] == body["triples"]
    assert again.status_code == 404
    assert record["status"] == "withdrawn" and record["withdrawn"]
    after = dump(server.store)
    assert without_meta(after) == without_meta(before)  # the data is exactly as before
    assert set(before) < set(after)  # the meta graph keeps the contribution's record and its withdrawal


def test_an_admin_may_withdraw_anyones_contribution(server: Server) -> None:
    status, body = post(server, "bob", "name,country\nIota Data,SE\n")
    assert status == 201
    with server.client("root") as client:
        assert client.delete(f"/api/v1/contributions/{body['id']}").status_code == 200


def test_tokens_are_required(server: Server) -> None:
    with server.client() as client:
        assert client.post("/api/v1/contributions", content=b"name,country\nX,GB\n", headers=CSV).status_code == 401
        assert client.delete("/api/v1/contributions/20260101-000000-abcdef01").status_code == 401
        assert client.get("/api/v1/contributions").status_code == 200
    with server.client() as client:
        response = client.post("/api/v1/contributions", content=b"name,country\nX,GB\n",
                               headers={**CSV, "Authorization": "Bearer od_not-a-token"})
        assert response.status_code == 401


def test_the_records_cap_and_the_body_cap(server: Server) -> None:
    before = dump(server.store)
    rows = "".join(f"Kappa {n},GB\n" for n in range(101))
    status, body = post(server, "alice", "name,country\n" + rows)
    assert status == 413 and "100" in body["detail"]
    status, body = post(server, "alice", "name,country\n" + "Lambda,GB," + "x" * 200_000 + "\n")
    assert status == 413
    assert dump(server.store) == before


def test_concurrent_contributions_all_land(server: Server) -> None:
    results: list[tuple[int, dict]] = []  # type: ignore[type-arg]
    lock = threading.Lock()

    def send(n: int) -> None:
        outcome = post(server, "alice" if n % 2 else "bob", f"name,country\nConcurrent {n},GB\n")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in results) == [201] * 12
    graphs = {body["iri"] for _, body in results}
    assert len(graphs) == 12
    for _, body in results:  # each graph holds its own record, whole
        assert len(graph_triples(server.store, body["iri"])) == body["triples"] == 3
    with server.client() as client:
        listed = client.get("/api/v1/contributions", params={"limit": 1000}).json()
    assert graphs <= {item["iri"] for item in listed["items"]}


def test_secrets_never_enter_the_graph(server: Server) -> None:
    secret = server.tokens["alice"]
    status, body = post(server, "alice", f"name,country,description\nMu Data,GB,token {secret}\n")
    assert status == 422 and body["errors"][0]["code"] == "secret"
    status, body = post(server, "alice", "name,country\nNu Data,GB\n")
    assert status == 201
    everything = "\n".join(dump(server.store))
    for value in server.tokens.values():
        assert value not in everything
    assert "https://ourdata.coop/id/agent/alice" in everything


def test_template_and_large_contributions_answered_asynchronously(server: Server) -> None:
    with server.client() as client:
        template = client.get("/api/v1/contributions/template.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    status, body = post(server, "alice", template.text, dry_run="true")
    assert status == 200 and body["status"] == "valid"  # the template's example row is valid
    rows = "".join(f"Xi {n},GB,https://xi{n}.example.org/\n" for n in range(60))
    with server.client("alice") as client:
        accepted = client.post("/api/v1/contributions", content=("name,country,website\n" + rows).encode(),
                               headers={**CSV, "Prefer": "respond-async"})
        assert accepted.status_code == 202
        location = accepted.headers["location"]
        import time

        for _ in range(200):
            job = client.get(location).json()
            if job["status"] != "running":
                break
            time.sleep(0.05)
        with server.client("bob") as other:
            assert other.get(location).status_code == 404
    assert job["status"] == "created" and job["result"]["counts"] == {"created": 60}
    assert job["location"] == f"/api/v1/contributions/{job['result']['id']}"
