"""The published CSV template (``GET /api/v1/contributions/template.csv``): the header and one example row.

>>> template_csv().splitlines()[0].startswith("id,name,language,legal_name")
True
"""

from __future__ import annotations

import csv
import io

from loaders.contributions import fields


def template_csv(example: bool = True) -> str:
    """The header naming every column (two dataset groups), then an example row that validates."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields.template_columns())
    if example:
        row = [c.example for c in fields.ORGANISATION_COLUMNS]
        row += [c.example for c in fields.DATASET_COLUMNS]
        row += ["" for _ in fields.DATASET_COLUMNS]
        writer.writerow(row)
    return out.getvalue()


def columns_markdown() -> str:
    """The column table of docs/contributing-data.md (kept in step by a test)."""
    lines = ["| column | required | what to put in it | example |", "| --- | --- | --- | --- |"]
    for column in fields.ORGANISATION_COLUMNS:
        lines.append(f"| `{column.name}` | {'yes' if column.required else ''} | {column.description} | "
                     f"{column.example} |")
    for column in fields.DATASET_COLUMNS:
        lines.append(f"| `dataset_N_{column.name}` | | {column.description} | {column.example} |")
    return "\n".join(lines)
