"""``ourdata validate`` and ``ourdata load``: exit codes 0/1/2, a readable table, nothing half-loaded, --url."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from contributions_support import CORPUS, IRIS, Server, dump, reference_store, serve, settings_for
from typer.testing import CliRunner

from api.cli import _register, app
from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from loaders.initial import first_load

_register()
GOOD, BAD = CORPUS / "good", CORPUS / "bad"
DESCRIPTION = "A test organisation with a long description so that a few thousand rows make a large file " * 2


def cli(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "OURDATA_TOKEN": "", **(env or {})})


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-contrib") / "store"
    store = EmbeddedStore.open(path)
    first_load(store, IRIS, organisations=False)
    store.load((CORPUS / "held.trig").read_bytes(), RDF_BY_NAME["trig"], graph=None, allow_named_graphs=True)
    store.close()
    return path


def store_dump(path: Path) -> list[str]:
    store = EmbeddedStore.open(path)
    try:
        return dump(store)
    finally:
        store.close()


def test_validate_lists_every_problem_and_exits_1(store_dir: Path) -> None:
    result = cli("validate", str(BAD / "csv-legal-form-other-country.csv"), str(BAD / "csv-bad-country.csv"),
                 "--store", str(store_dir))
    assert result.exit_code == 1, result.output
    assert "row 2, column legal_form" in result.output and "is a legal form of United Kingdom" in result.output
    assert "'Atlantis' is not a country we know" in result.output


def test_validate_a_good_file_exits_0_and_writes_nothing(store_dir: Path) -> None:
    before = store_dump(store_dir)
    result = cli("validate", str(GOOD / "coops.csv"), "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert "coops.csv: valid: 5 record(s)" in result.output
    assert store_dump(store_dir) == before


def test_validate_without_a_store_uses_the_bundled_reference_data(tmp_path: Path) -> None:
    result = cli("validate", str(GOOD / "organisation.ttl"), "--store", str(tmp_path / "none"))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "none").exists()


def test_load_is_all_or_nothing_across_files(store_dir: Path) -> None:
    before = store_dump(store_dir)
    result = cli("load", str(GOOD / "coops-semicolon.csv"), str(BAD / "csv-bad-website.csv"), "--store",
                 str(store_dir))
    assert result.exit_code == 1
    assert "Nothing was loaded" in result.output
    assert store_dump(store_dir) == before


def test_load_then_the_same_file_again(store_dir: Path) -> None:
    result = cli("load", str(GOOD / "coops-semicolon.csv"), "--store", str(store_dir), "--source", "federation")
    assert result.exit_code == 0, result.output
    assert "loaded as contribution" in result.output
    before = store_dump(store_dir)
    again = cli("load", str(GOOD / "coops-semicolon.csv"), "--store", str(store_dir), "--source", "federation")
    assert again.exit_code == 0 and "nothing changed" in again.output
    assert store_dump(store_dir) == before
    assert any("https://ourdata.coop/id/agent/federation" in line for line in before)


def test_dry_run_writes_nothing(store_dir: Path) -> None:
    before = store_dump(store_dir)
    result = cli("load", "--dry-run", str(GOOD / "foreign.ttl"), "--store", str(store_dir))
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "https://ourdata.coop/id/organisation/fietsdata-cooperatie" in result.output
    assert store_dump(store_dir) == before


def test_a_large_file_loads_with_a_progress_bar(store_dir: Path, tmp_path: Path) -> None:
    rows = "".join(f"Large Data {n},GB,https://large-{n}.example.org/,{DESCRIPTION} (number {n}).\n"
                   for n in range(2500))
    big = tmp_path / "large.csv"
    big.write_text("name,country,website,description\n" + rows)
    assert big.stat().st_size > 512 * 1024
    result = cli("load", str(big), "--store", str(store_dir), env={"OURDATA_CONTRIBUTION_MAX_RECORDS": "10000"})
    assert result.exit_code == 0, result.output
    assert "2500 created" in result.output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve(reference_store(), settings_for(tmp_path_factory.mktemp("cli-server")))


def test_load_to_a_running_server(server: Server) -> None:
    before = dump(server.store)
    ok = cli("load", str(GOOD / "organisation.ttl"), "--url", server.url, "--token", server.tokens["alice"])
    assert ok.exit_code == 0, ok.output
    assert "loaded as contribution" in ok.output
    assert len(dump(server.store)) > len(before)
    bad = cli("load", str(BAD / "turtle-malformed.ttl"), "--url", server.url, env={"OURDATA_TOKEN":
                                                                                   server.tokens["alice"]})
    assert bad.exit_code == 1 and "line 7" in bad.output
    assert cli("load", str(GOOD / "organisation.ttl"), "--url", server.url).exit_code == 2
    assert cli("load", str(GOOD / "organisation.ttl"), "--url", server.url, "--token", "od_wrong").exit_code == 2


def test_a_large_file_to_a_server_is_sent_asynchronously(server: Server, tmp_path: Path) -> None:
    rows = "".join(f"Remote Data {n},FR,https://remote-{n}.example.org/,{DESCRIPTION} (numéro {n}).\n"
                   for n in range(2500))
    big = tmp_path / "remote.csv"
    big.write_text("name,country,website,description\n" + rows)
    server.settings.contribution_max_records = 10_000
    result = cli("load", str(big), "--url", server.url, "--token", server.tokens["bob"])
    assert result.exit_code == 0, result.output
    assert "2500 created" in result.output


def test_too_many_records_is_a_rejection(store_dir: Path, tmp_path: Path) -> None:
    many = tmp_path / "many.csv"
    many.write_text("name,country\n" + "".join(f"Many {n},GB\n" for n in range(12)))
    result = cli("validate", str(many), "--store", str(store_dir), env={"OURDATA_CONTRIBUTION_MAX_RECORDS": "10"})
    assert result.exit_code == 1 and "at most 10" in result.output
