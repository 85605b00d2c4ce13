"""docs/contributing-data.md says what the code does: its column table is the one the template is built from,
and every problem code the corpus expects is explained."""

from __future__ import annotations

import json
import re
from pathlib import Path

from contributions_support import CORPUS

from loaders.contributions import fields
from loaders.contributions.template import columns_markdown, template_csv

DOC = (Path(__file__).parent.parent / "docs" / "contributing-data.md").read_text(encoding="utf-8")


def test_the_column_table_is_the_one_the_code_uses() -> None:
    block = DOC.split("<!-- columns:", 1)[1].split("-->", 1)[1].split("<!-- /columns -->", 1)[0].strip()
    assert block == columns_markdown()


def test_the_template_has_every_column() -> None:
    header = template_csv().splitlines()[0].split(",")
    assert header == fields.template_columns()
    assert {c.name for c in fields.ORGANISATION_COLUMNS} <= set(header)


def test_every_problem_code_of_the_corpus_is_documented() -> None:
    codes = {p["code"] for case in (CORPUS / "bad").glob("*.expected.json")
             for p in json.loads(case.read_text(encoding="utf-8"))["problems"]}
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+|[a-z]+)`", DOC))
    undocumented = {c for c in codes if c not in documented and not c.startswith("shacl-")}
    assert not undocumented
