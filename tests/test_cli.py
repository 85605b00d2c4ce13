"""The ``ourdata`` command: query formats, @file, exit codes 0/1/2, export, tokens, the lock, --url."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from conftest import BASE, LiveServer, load_fixture
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic
from sparql_results import read_rows, read_triples, sample_dataset, sample_graph, total_quads
from typer.testing import CliRunner

from api.cli import _register, app
from graph.embedded import EmbeddedStore

ORGS = BASE + "graph/source/sample"
LABELS = "SELECT ?org ?label WHERE { ?org <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
CONSTRUCT_ORGS = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ORGS}> {{ ?s ?p ?o }} }}"
OURDATA = Path(sys.executable).parent / "ourdata"

_register()


def cli(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=input, env={"COLUMNS": "200", **(env or {})})


def expected_labels() -> set[tuple[str, str]]:
    return {(str(row[0]), str(row[1])) for row in sample_dataset().query(LABELS)}  # type: ignore[index]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store holding the fixture, closed again so the command can open it."""
    path = tmp_path_factory.mktemp("cli") / "store"
    store = EmbeddedStore.open(path)
    load_fixture(store)
    store.close()
    return path


# ------------------------------------------------------------------------------------------------ query
@pytest.mark.parametrize(("fmt", "media_type"), [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                                 ("json", "application/sparql-results+json"),
                                                 ("xml", "application/sparql-results+xml")])
def test_query_result_formats(store_dir: Path, fmt: str, media_type: str) -> None:
    result = cli("query", "--store", str(store_dir), "--format", fmt, LABELS)
    assert result.exit_code == 0, result.output
    _, rows = read_rows(media_type, result.stdout_bytes)
    assert {(r["org"], r["label"]) for r in rows} == expected_labels()


@pytest.mark.parametrize(("fmt", "media_type"), [("turtle", "text/turtle"), ("ntriples", "application/n-triples"),
                                                 ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml"),
                                                 ("trig", "application/trig"), ("nquads", "application/n-quads")])
def test_query_graph_formats(store_dir: Path, fmt: str, media_type: str) -> None:
    result = cli("query", "--store", str(store_dir), "-f", fmt, CONSTRUCT_ORGS)
    assert result.exit_code == 0, result.output
    assert isomorphic(read_triples(media_type, result.stdout_bytes), sample_graph(ORGS))


def test_query_table_of_a_select(store_dir: Path) -> None:
    result = cli("query", "--store", str(store_dir), LABELS)
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "org" in line)
    assert "label" in header
    for org, label in expected_labels():
        assert org in result.stdout
        assert label.split("\n")[0] in result.stdout
    assert f"{len(expected_labels())} row(s)" in result.stderr


def test_query_table_with_no_rows_still_names_the_columns(store_dir: Path) -> None:
    result = cli("query", "--store", str(store_dir), "SELECT ?nothing WHERE { ?nothing <http://example.org/x> 1 }")
    assert result.exit_code == 0
    assert "nothing" in result.stdout and "0 row(s)" in result.stderr


@pytest.mark.parametrize(("query", "expected"), [("ASK { ?s ?p ?o }", "true"),
                                                 ("ASK { ?s <http://example.org/none> ?o }", "false")])
def test_query_table_of_an_ask(store_dir: Path, query: str, expected: str) -> None:
    result = cli("query", "--store", str(store_dir), query)
    assert result.exit_code == 0
    assert result.stdout.strip() == expected


def test_query_table_of_a_construct_is_turtle(store_dir: Path) -> None:
    result = cli("query", "--store", str(store_dir), CONSTRUCT_ORGS)
    assert result.exit_code == 0
    assert isomorphic(Graph().parse(data=result.stdout, format="turtle"), sample_graph(ORGS))


def test_query_from_a_file_and_from_stdin(store_dir: Path, tmp_path: Path) -> None:
    query_file = tmp_path / "labels.rq"
    query_file.write_text(LABELS + "\n# ünïcödé comment\n", encoding="utf-8")
    from_file = cli("query", "--store", str(store_dir), "-f", "csv", f"@{query_file}")
    from_stdin = cli("query", "--store", str(store_dir), "-f", "csv", "-", input=LABELS)
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert from_file.stdout == from_stdin.stdout
    assert {(r["org"], r["label"]) for r in read_rows("text/csv", from_file.stdout_bytes)[1]} == expected_labels()


def test_query_sees_the_union_of_all_graphs(store_dir: Path) -> None:
    result = cli("query", "--store", str(store_dir), "-f", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert read_rows("text/csv", result.stdout_bytes)[1] == [{"n": str(total_quads())}]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["SELECT WHERE {"], 1, "does not parse"),  # the query is rejected
    (["ASK {", "-f", "json"], 1, "does not parse"),
    (["ASK {}", "--format", "yaml"], 2, "--format must be one of"),  # usage
    (["@/no/such/file.rq"], 2, "No query file"),
    ([CONSTRUCT_ORGS, "-f", "csv"], 2, "cannot be written as csv"),
    ([LABELS, "-f", "turtle"], 2, "cannot be written as turtle"),
    ([], 2, "Missing argument"),
])
def test_query_exit_codes(store_dir: Path, args: list[str], code: int, message: str) -> None:
    result = cli("query", "--store", str(store_dir), *args)
    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())
    assert result.stdout.strip() == "" or code == 2  # nothing half-written on a rejected query


# ----------------------------------------------------------------------------------------------- export
@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_the_whole_store_to_a_file(store_dir: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"dump.{fmt}"
    result = cli("export", "--store", str(store_dir), "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("*.part"))
    reread = Dataset()
    reread.parse(target, format=fmt)
    assert set(reread.quads((None, None, None, None))) == set(sample_dataset().quads((None, None, None, None)))


def test_export_to_stdout_defaults_to_nquads(store_dir: Path) -> None:
    result = cli("export", "--store", str(store_dir))
    assert result.exit_code == 0
    reread = Dataset()
    reread.parse(data=result.stdout, format="nquads")
    assert sum(1 for _ in reread.quads((None, None, None, None))) == total_quads()


@pytest.mark.parametrize(("fmt", "rdflib_name"), [("turtle", "turtle"), ("ntriples", "nt"), ("rdfxml", "xml"),
                                                  ("jsonld", "json-ld")])
def test_export_one_graph(store_dir: Path, tmp_path: Path, fmt: str, rdflib_name: str) -> None:
    target = tmp_path / "graph.out"
    result = cli("export", "--store", str(store_dir), "--graph", ORGS, "-f", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert isomorphic(Graph().parse(target, format=rdflib_name), sample_graph(ORGS))


@pytest.mark.parametrize(("args", "code"), [
    (["-f", "turtle"], 2),  # one graph's format for the whole store
    (["-f", "csv"], 2),
    (["--graph", "http://example.org/none", "-f", "turtle"], 1),
])
def test_export_exit_codes(store_dir: Path, tmp_path: Path, args: list[str], code: int) -> None:
    target = tmp_path / "never.out"
    result = cli("export", "--store", str(store_dir), *args, "-o", str(target))
    assert result.exit_code == code, result.output
    assert not target.exists()


# ------------------------------------------------------------------------------------------------ locks
def test_a_locked_store_is_reported_with_a_pointer_to_url(disk_store: EmbeddedStore) -> None:
    """A second process (a real ``ourdata``) finds the store held by this one: exit 2, says so, names --url."""
    done = subprocess.run([str(OURDATA), "query", "ASK {}", "--store", str(disk_store.path)], capture_output=True,
                          text=True, timeout=60, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 2, done.stderr
    message = " ".join(done.stderr.split())
    assert "in use by another process" in message and "--url" in message
    assert done.stdout == ""
    # every command that opens the store says the same (here from this process, which also holds the lock)
    for args in (["export"], ["init", "--no-organisations"], ["query", "ASK {}"]):
        result = cli(*args, "--store", str(disk_store.path))
        assert result.exit_code == 2
        assert "--url" in " ".join(result.stderr.split())


# ----------------------------------------------------------------------------------------------- tokens
def test_token_create_list_revoke(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    created = cli("token", "create", "--store", store, "--name", "ci", "--role", "admin")
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("od_") and len(secret) > 40 and "\n" not in secret
    assert "not shown again" in created.stderr
    listed = cli("token", "list", "--store", store)
    assert "ci" in listed.stdout and "admin" in listed.stdout and secret not in listed.stdout
    assert cli("token", "create", "--store", store, "--name", "ci").exit_code == 2  # the name is taken
    assert cli("token", "revoke", "--store", store, "ci").exit_code == 0
    assert "ci" not in cli("token", "list", "--store", store).stdout
    again = cli("token", "revoke", "--store", store, "ci")
    assert again.exit_code == 2 and "No token named 'ci'" in again.stderr


def test_token_create_refuses_an_unknown_role(tmp_path: Path) -> None:
    result = cli("token", "create", "--store", str(tmp_path / "store"), "--name", "x", "--role", "root")
    assert result.exit_code == 2
    assert "role must be one of" in result.stderr and result.stdout == ""


def test_a_token_from_the_cli_works_against_the_running_server(live_server: LiveServer) -> None:
    env = {"OURDATA_TOKENS_FILE": str(live_server.settings.token_path)}
    admin = cli("token", "create", "--name", "from-cli", "--role", "admin", env=env).stdout.strip()
    contributor = cli("token", "create", "--name", "cli-contributor", env=env).stdout.strip()
    insert = b'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://example.org/p> "o" } }'
    direct = {"Content-Type": "application/sparql-update"}
    with live_server.client() as client:
        assert client.post("/update", content=insert, headers={**direct, "Authorization": f"Bearer {admin}"}
                           ).status_code == 204
        assert client.post("/update", content=insert, headers={**direct, "Authorization": f"Bearer {contributor}"}
                           ).status_code == 403
        assert cli("token", "revoke", "from-cli", env=env).exit_code == 0
        assert client.post("/update", content=insert, headers={**direct, "Authorization": f"Bearer {admin}"}
                           ).status_code == 401  # at once, without a restart
    listed = cli("token", "list", env=env).stdout
    contributor_row = next(line for line in listed.splitlines() if "cli-contributor" in line)
    assert "never" not in contributor_row  # its use was recorded
    assert "from-cli" not in listed


# -------------------------------------------------------------------------------------------------- --url
def test_query_a_running_server_with_url(live_server: LiveServer) -> None:
    result = cli("query", "--url", live_server.url, "-f", "json", LABELS)
    assert result.exit_code == 0, result.output
    rows = read_rows("application/sparql-results+json", result.stdout_bytes)[1]
    assert {(r["org"], r["label"]) for r in rows} == expected_labels()
    graph = cli("query", "--url", live_server.url + "/sparql", "-f", "trig", CONSTRUCT_ORGS)
    assert isomorphic(read_triples("application/trig", graph.stdout_bytes), sample_graph(ORGS))
    bad = cli("query", "--url", live_server.url, "ASK {")
    assert bad.exit_code == 1 and "400" in bad.stderr


def test_reading_commands_never_create_a_store(tmp_path) -> None:
    """A mistyped --store is an error (exit 2), not a new empty store."""
    from typer.testing import CliRunner

    from api.cli import _register, app

    _register()
    missing = tmp_path / "no-such-store"
    for args in (["query", "ASK {}", "--store", str(missing)], ["export", "--store", str(missing)]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert not missing.exists()
