"""Times contributions through the pipeline ``ourdata load`` and ``POST /api/v1/contributions`` share (issue 5).

Run: ``.venv/bin/python -m benchmarks.contributions_bench [--records 10000] [--runs 3] [--no-organisations]``.

Setup (not timed): a fresh on-disk store with the first load (ontology, reference data and, unless
``--no-organisations``, the bundled organisations, so reconciliation searches a realistic index). Then, per run:

1. **CSV**: ``--records`` rows (seeded), each an organisation with country, legal form by name, kind,
   registration, website, address, coordinates, members and one dataset with licence, theme and URL: the
   pipeline validates and loads them (``ingest``), timed end to end.
2. **N-Triples**: the same kind of records as an N-Triples file in our IRIs (the triples the CSV became, under
   new organisation names), sent by another contributor: timed end to end, reported in triples per second.

Wall and CPU seconds are both printed: other work on the machine stretches the first, not the second.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.formats import RDF_BY_NAME
from graph.iris import Iris
from graph.settings import DEFAULT_BASE_IRI, Settings
from loaders.contributions import Submission, ingest, references
from loaders.initial import first_load

#: (country, legal forms by local name or abbreviation, town)
PLACES = [("United Kingdom", ["Co-operative Society", "Community Benefit Society"], "Leeds"),
          ("DE", ["eG"], "Köln"), ("France", ["Autre SARL coopérative", "4DZU"], "Lyon"), ("ESP", [""], "Sevilla"),
          ("Italia", [""], "Bologna"), ("NL", ["Coöperatie"], "Utrecht"), ("Denmark", [""], "Aarhus")]
KINDS = ["data-cooperative", "platform-cooperative", "data-trust", "data-commons", "cooperative"]
LICENCES = ["CC-BY-4.0", "ODbL-1.0", "CC0-1.0", "OGL-UK-3.0", "CC-BY-SA-4.0"]
THEMES = ["HEAL", "ENVI", "TRAN", "SOCI", "ENER", "AGRI"]
HEADER = ("name,country,legal_form,kind,registration_number,register,website,street,post_code,town,latitude,"
          "longitude,members,dataset_1_title,dataset_1_description,dataset_1_licence,dataset_1_theme,dataset_1_url")


def csv_records(count: int, seed: int, prefix: str = "Bench") -> bytes:
    rng = random.Random(seed)
    lines = [HEADER]
    for n in range(count):
        country, forms, town = rng.choice(PLACES)
        form = rng.choice(forms)
        registration = f"{prefix.upper()}-{n:07d},Bench Register" if rng.random() < 0.6 else ","
        lines.append(f"{prefix} Data Co-op {n},{country},{form},{rng.choice(KINDS)},{registration},"
                     f"https://{prefix.lower()}-{n}.example.org/,{rng.randint(1, 300)} High Street,"
                     f"P{rng.randint(1000, 9999)},{town},{rng.uniform(40, 60):.4f},{rng.uniform(-5, 15):.4f},"
                     f"{rng.randint(3, 5000)},Open data {n},What members of {prefix} {n} pooled.,"
                     f"{rng.choice(LICENCES)},{rng.choice(THEMES)},https://{prefix.lower()}-{n}.example.org/data")
    return ("\n".join(lines) + "\n").encode("utf-8")


def cpu() -> float:
    return time.process_time()


def timed(store: EmbeddedStore, iris: Iris, settings: Settings, sub: Submission) -> tuple[float, float, int, dict]:  # type: ignore[type-arg]
    references.references(store)  # a running server holds this index already; building it is not the load
    wall, started = time.perf_counter(), cpu()
    outcome = ingest(sub, store, iris, settings)
    store.flush()
    return time.perf_counter() - wall, cpu() - started, outcome.triples, outcome.report()


def as_ntriples(store: EmbeddedStore, graph: str, run: int) -> bytes:
    """The triples a CSV contribution became, under new organisation and dataset names: a fresh N-Triples file."""
    buffer = io.BytesIO()
    store.serialize(buffer, RDF_BY_NAME["ntriples"], graph=graph)
    text = buffer.getvalue().decode("utf-8")
    text = text.replace("/id/organisation/", f"/id/organisation/nt{run}-")
    text = text.replace("/id/dataset/", f"/id/dataset/nt{run}-")
    text = text.replace(f'"Bench{run} Data Co-op', f'"NT{run} Data Co-op')
    return text.replace(f'"BENCH{run}-', f'"NT{run}-').encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-organisations", action="store_true")
    parser.add_argument("--memory", action="store_true", help="An in-memory store instead of RocksDB on disk.")
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; store {'in memory' if args.memory else 'on disk (RocksDB)'}")
    iris = Iris(DEFAULT_BASE_IRI)
    settings = Settings(memory=False, contribution_max_records=10 * args.records, contribution_max_bytes=2**31,
                        _env_file=None)  # type: ignore[call-arg]
    with tempfile.TemporaryDirectory(prefix="ourdata-contrib-bench-") as tmp:
        store = EmbeddedStore.open(None if args.memory else Path(tmp) / "store")
        started = time.perf_counter()
        first_load(store, iris, organisations=not args.no_organisations)
        print(f"setup: first load, {store.count():,} quads in {time.perf_counter() - started:.1f} s")
        csv_rows, nt_rows = [], []
        for run in range(args.runs):
            data = csv_records(args.records, args.seed + run, prefix=f"Bench{run}")
            wall, spent, triples, report = timed(store, iris, settings, Submission(data, agent=f"csv-{run}",
                                                                                   filename="bench.csv"))
            csv_rows.append((wall, spent))
            print(f"CSV run {run}: {args.records:,} rows -> {len(report['records']):,} records, {triples:,} triples, "
                  f"{report['counts']}: {wall:.2f} s wall, {spent:.2f} s CPU")
            nt = as_ntriples(store, report["iri"], run)
            wall, spent, triples, report = timed(store, iris, settings, Submission(nt, agent=f"nt-{run}",
                                                                                   filename="bench.nt"))
            nt_rows.append((wall, spent, triples))
            print(f"N-Triples run {run}: {triples:,} triples ({len(nt) / 1e6:.1f} MB), {report['counts']}: "
                  f"{wall:.2f} s wall, {spent:.2f} s CPU -> {triples / wall:,.0f} triples/s wall, "
                  f"{triples / spent:,.0f} triples/s CPU")
        store.close()
    print(f"median CSV ({args.records:,} rows): {statistics.median(w for w, _ in csv_rows):.2f} s wall, "
          f"{statistics.median(c for _, c in csv_rows):.2f} s CPU")
    print(f"median N-Triples: {statistics.median(t / w for w, _, t in nt_rows):,.0f} triples/s wall, "
          f"{statistics.median(t / c for _, c, t in nt_rows):,.0f} triples/s CPU; load average now "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
