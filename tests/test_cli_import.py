"""``ourdata import`` and ``ourdata report`` through the real command (typer's runner, an on-disk store)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import _register, app
from loaders.sources.base import DATA_DIR

SEED = DATA_DIR / "data-institutions-seed" / "data-institutions-seed.csv"
COOPS = DATA_DIR / "coops-uk" / "coops-uk-open-data-2023Q2-sea-standard.csv"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    _register()
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def seed_rows() -> int:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def small_coops_csv(path: Path, count: int) -> Path:
    with COOPS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [next(reader) for _ in range(count)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def report_json(runner: CliRunner, store: Path) -> dict:
    code, output = run(runner, "report", "--json", "--store", str(store))
    assert code == 0, output
    return json.loads(output)


def test_list_names_every_organisation_source(runner) -> None:
    code, output = run(runner, "import", "--list")
    assert code == 0
    for name in ("data-institutions-seed", "coops-uk", "transformap"):
        assert name in output


def test_unknown_source_lists_the_known_ones_and_exits_2(runner) -> None:
    code, output = run(runner, "import", "no-such-source")
    assert code == 2
    assert "unknown source" in output and "coops-uk" in output


def test_missing_file_exits_2(runner, tmp_path: Path) -> None:
    code, output = run(runner, "import", "coops-uk", str(tmp_path / "absent.csv"), "--store", str(tmp_path / "s"))
    assert code == 2 and "no file" in output


def test_import_then_report(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, output = run(runner, "import", "data-institutions-seed", "--store", str(store))
    assert code == 0, output
    assert "Imported data-institutions-seed" in output and "Not mapped" in output
    report = report_json(runner, store)
    assert {c["key"].rsplit("/", 1)[-1]: c["n"] for c in report["by_source"]} == {"data-institutions-seed":
                                                                                   seed_rows()}
    code, again = run(runner, "import", "data-institutions-seed", "--store", str(store))
    assert code == 0
    assert report_json(runner, store)["organisations"] == seed_rows()  # replaced, not duplicated
    code, text = run(runner, "report", "--store", str(store))
    assert code == 0 and "By source graph" in text and "Possible duplicates" in text


def test_import_a_given_file_with_problems_summarised(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, output = run(runner, "import", "coops-uk", str(small_coops_csv(tmp_path / "few.csv", 40)),
                       "--store", str(store))
    assert code == 0, output
    assert "Legal Form" in output and "Society" in output  # the grouped problem summary
    assert report_json(runner, store)["organisations"] == 40


def test_base_iri_is_used_for_the_graph(runner, tmp_path: Path) -> None:
    store = tmp_path / "store"
    code, output = run(runner, "import", "data-institutions-seed", "--store", str(store),
                       "--base-iri", "https://example.org/kg/")
    assert code == 0, output
    assert [c["key"] for c in report_json(runner, store)["by_source"]] == [
        "https://example.org/kg/graph/source/data-institutions-seed"]
