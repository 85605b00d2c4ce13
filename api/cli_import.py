"""``ourdata import`` (map a known external source into its own named graph) and ``ourdata report``
(the data-quality report, as tables or JSON)."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.cli import BaseOpt, StoreOpt, app, err, make_settings, out, reported
from graph.iris import Iris
from graph.store import open_store
from loaders.importer import ImportReport, import_source
from loaders.registry import all_sources, by_name
from loaders.report import Count, QualityReport, quality_report

SHOWN = 15  # rows per table in the human-readable outputs; --json has everything


def _known_sources() -> Table:
    table = Table("source", "family", "title", "default file", title="Known sources")
    for source in all_sources():
        info = source.info
        table.add_row(info.name, info.family, info.title, info.default_file or "")
    return table


@app.command("import")
def import_(
    source: Annotated[str | None, typer.Argument(
        metavar="SOURCE", help="A known source, e.g. coops-uk; or 'dcat' with a DCAT catalogue FILE.")] = None,
    file: Annotated[Path | None, typer.Argument(help="Read this file instead of the bundled copy.")] = None,
    store: StoreOpt = None,
    base_iri: BaseOpt = None,
    list_: Annotated[bool, typer.Option("--list", help="List the sources that can be imported.")] = False,
) -> None:
    """Map a known external source to the ontology and load it as its own named graph (re-importing replaces)."""
    if list_:
        out.print(_known_sources())
        return
    chosen = by_name(source) if source else None
    if source == "dcat" and file is not None:  # a partner's DCAT-AP / data.json catalogue, named after itself
        from loaders.sources.dcat import DcatFeed

        chosen = DcatFeed(file)
    elif source == "dcat":
        err.print("[red]error:[/red] 'ourdata import dcat FILE' needs the catalogue file (JSON-LD, Turtle, RDF/XML "
                  "or data.json).")
        raise typer.Exit(2)
    if chosen is None:
        err.print(f"[red]error:[/red] unknown source {source!r}." if source else "[red]error:[/red] name a source.")
        err.print(_known_sources())
        raise typer.Exit(2)
    if file is not None and not file.is_file():
        err.print(f"[red]error:[/red] no file {file}.")
        raise typer.Exit(2)
    settings = make_settings(store=store, base_iri=base_iri)
    with reported():
        graph_store = open_store(settings)
        try:
            started = time.perf_counter()
            result = import_source(graph_store, Iris(settings.base_iri), chosen, file)
            elapsed = time.perf_counter() - started
        finally:
            graph_store.close()
    print_import_report(result, elapsed)


def print_import_report(report: ImportReport, elapsed: float) -> None:
    summary = Table("graph", "triples", "added", "removed", "problems", title=f"Imported {report.source}")
    summary.add_row(report.graph, f"{report.triples:,}", f"{report.added:,}", f"{report.removed:,}",
                    f"{len(report.problems):,}")
    out.print(summary)
    if report.counts:
        counts = Table("count", "value", title="Counts")
        for key, value in sorted(report.counts.items()):
            counts.add_row(key, f"{value:,}")
        out.print(counts)
    if report.problems:
        out.print(problem_summary(report.problems))
    out.print(f"Done in {elapsed:.1f} s. Values that could not be mapped were kept out of the graph, not guessed.")


def problem_summary(problems: list[dict[str, Any]]) -> Table:
    """Problems grouped by (column, message, value), with how often and the first rows they occur in."""
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for problem in problems:
        key = (str(problem.get("column", "")), str(problem.get("message", "")), str(problem.get("value", "")))
        groups[key].append(problem.get("row"))
    table = Table("column", "value", "problem", "rows", "first rows", title="Not mapped (grouped)")
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    for (column, message, value), rows in ordered[:SHOWN * 2]:
        first = ", ".join(str(r) for r in rows[:5]) + (" ..." if len(rows) > 5 else "")
        table.add_row(column, value[:60], message, f"{len(rows):,}", first)
    if len(ordered) > SHOWN * 2:
        table.caption = f"{len(ordered) - SHOWN * 2} more groups not shown"
    return table


@app.command()
def report(
    json_: Annotated[bool, typer.Option("--json", help="Write the whole report as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Data-quality report: counts by source, country, legal form and kind; gaps; duplicates across sources."""
    settings = make_settings(store=store)
    with reported():
        graph_store = open_store(settings)
        try:
            result = quality_report(graph_store)
        finally:
            graph_store.close()
    if json_:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    print_quality_report(result)


def _count_table(title: str, counts: list[Count], key_name: str) -> Table:
    table = Table(key_name, "label", "organisations", title=title)
    for count in counts[:SHOWN]:
        label = count.label or ""
        if count.code:
            label = f"{count.code} {label}".strip()
        table.add_row(count.key, label, f"{count.n:,}")
    if len(counts) > SHOWN:
        table.caption = f"{len(counts) - SHOWN} more; see --json"
    return table


def print_quality_report(result: QualityReport) -> None:
    out.print(f"[bold]{result.organisations:,}[/bold] organisations, [bold]{result.datasets:,}[/bold] datasets")
    out.print(_count_table("By source graph", result.by_source, "graph"))
    out.print(_count_table("By country", result.by_country, "country"))
    out.print(_count_table("By legal form (ELF)", result.by_legal_form, "legal form"))
    out.print(_count_table("By legal form as the source states it", result.by_legal_form_text, "text"))
    out.print(_count_table("By kind of institution", result.by_kind, "kind"))
    gaps = Table("graph", "without legal form", "without country", title="Gaps")
    missing_country = {c.key: c.n for c in result.missing_country}
    for count in result.missing_legal_form:
        gaps.add_row(count.key, f"{count.n:,}", f"{missing_country.get(count.key, 0):,}")
    gaps.add_row("all organisations", f"{result.missing_legal_form_total:,}", f"{result.missing_country_total:,}")
    out.print(gaps)
    out.print(f"Datasets without a licence: {len(result.datasets_without_licence):,}")
    for dataset in result.datasets_without_licence[:SHOWN]:
        out.print(f"  {dataset['dataset']} {dataset['title']}")
    duplicates = Table("name", "country", "records", title=f"Possible duplicates across sources: "
                                                            f"{len(result.duplicates):,}")
    for duplicate in result.duplicates[:SHOWN]:
        duplicates.add_row(duplicate.name, duplicate.country.rsplit("/", 1)[-1],
                           "\n".join(o["organisation"] for o in duplicate.organisations))
    out.print(duplicates)
    print_matching(result)


def print_matching(result: QualityReport) -> None:
    """One record per organisation: what was matched, what was left apart, and where sources disagree."""
    def last(iri: str) -> str:
        return iri.rsplit("/", 1)[-1]

    reasons = ", ".join(f"{n} by {r}" for r, n in sorted(Counter(m.reason for m in result.matches).items()))
    matches = Table("record", "matched by source", "reason", "key",
                    title=f"Records matched across sources: {len(result.matches):,}" + (f" ({reasons})" if reasons
                                                                                         else ""))
    for match in result.matches[:SHOWN]:
        matches.add_row(last(match.resource), last(match.graph), match.reason, match.key)
    out.print(matches)
    near = Table("name", "why not merged", "records", title=f"Near-misses (same name, not merged): "
                                                            f"{len(result.near_misses):,}")
    for miss in result.near_misses[:SHOWN]:
        near.add_row(miss.name, miss.why, "\n".join(f"{last(str(r['resource']))} "
                                                     f"({', '.join(last(g) for g in r['graphs'])})"  # type: ignore[union-attr]
                                                     for r in miss.records))
    out.print(near)
    conflicts = Table("record", "fact", "what each source states", title=f"Conflicts between sources: "
                                                                        f"{len(result.conflicts):,}")
    for conflict in result.conflicts[:SHOWN]:
        conflicts.add_row(last(conflict.resource), conflict.fact, "\n".join(
            f"{last(g)}: {', '.join(last(v) if conflict.fact == 'country' else v for v in values)}"
            for g, values in conflict.values.items()))
    out.print(conflicts)
