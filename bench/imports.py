"""Import benchmark: flat CSV files of generated products imported with the real command
(``python -m hub.cli import FILE``) in a fresh process, into an empty SQLite database and into a
fresh PostgreSQL database; rows per second, the peak memory of the importing process, the time
of a dry run of the file into the empty catalog (everything checked, nothing stored), of a
re-import of the same file (every row unchanged), of a file with one row in ten changed (a new
price) and of a bulk edit of every product (a new brand). The imported catalog is then exported as XLSX and NDJSON, and each
export imported into another empty database: new products from each format. Peak memory must
not grow with the file's size.

    .venv/bin/python -m bench.imports [--sizes 10000 100000] [--databases sqlite postgresql]

The files are kept under var/bench/imports/ for reuse. Writes bench/results/imports.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.cli_timing import timed
from bench.machine import header
from channel_adapters.base.identifiers import gs1_check_digit
from hub.services.demo import DemoCatalog
from hub.services.demo_data import BRANDS, GROCERIES
from hub.store.db import make_engine, make_session_factory
from hub.store.migrate import upgrade
from tests.support.services import empty_database

RESULTS = Path(__file__).with_name("results") / "imports.json"
FILES = Path("var") / "bench" / "imports"
COLUMNS = [
    "sku", "family", "categories", "enabled", "name-en_US", "name-fr_FR", "description-en_US", "description-fr_FR",
    "brand", "ean", "net_weight", "net_weight-unit", "net_volume", "net_volume-unit", "organic", "dietary", "rating",
    "release_date", "product_url", "price-EUR", "price-USD", "price-EUR-marketplace",
]
UNITS = {"GRAM": "g", "KILOGRAM": "kg", "MILLILITER": "ml", "LITER": "l"}
SUMMARY = re.compile(r"rows: (\d+)\s+created: (\d+)\s+updated: (\d+)\s+unchanged: (\d+)\s+rejected: (\d+)")


def product_row(index: int) -> dict[str, str]:
    """One product of the demo's groceries and drinks, made distinct by its index; the same
    index always gives the same row, so a file is reproducible."""
    stem, en, fr, category, family, brand, sizes, base_price, organic, dietary = GROCERIES[index % len(GROCERIES)]
    amount, unit = sizes[index % len(sizes)]
    measure = "net_weight" if family == "grocery" else "net_volume"
    body = f"2{index:011d}"  # 2: a GS1 prefix for a retailer's own numbers, never a real product
    price = (Decimal(base_price) * (1 + Decimal(index % 7) / 10)).quantize(Decimal("0.01"))
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "sku": f"imp-{stem.replace('_', '-')}-{index:06d}", "family": family, "categories": category,
        "enabled": "0" if index % 50 == 0 else "1",
        "name-en_US": f"{en}, {amount}{UNITS[unit]} no. {index}",
        "name-fr_FR": f"{fr}, {amount}{UNITS[unit]} n° {index}",
        "description-en_US": f"{en} by {brand}. {'Certified organic. ' if organic else ''}Packed in France, lot {index}.",
        "brand": brand if index % 40 else BRANDS[index % len(BRANDS)],
        "ean": body + str(gs1_check_digit(body)),
        measure: amount, f"{measure}-unit": unit,
        "organic": "yes" if organic else "no", "dietary": ",".join(dietary),
        "release_date": (date(2024, 1, 1) + timedelta(days=index % 700)).isoformat(),
        "product_url": f"https://shop.example/p/imp-{index}",
        "price-EUR": str(price), "price-USD": str((price * Decimal("1.08")).quantize(Decimal("0.01"))),
    })
    if index % 4:  # some suppliers send only one language
        row["description-fr_FR"] = f"{fr} par {brand}. {'Certifié bio. ' if organic else ''}Conditionné en France."
    if index % 3 == 0:
        row["rating"] = str(Decimal(35 + index % 16) / 10)
    if index % 10 < 3:  # the marketplace charges its commission on top
        row["price-EUR-marketplace"] = str((price * Decimal("1.06")).quantize(Decimal("0.01")))
    return row


def products_file(size: int) -> Path:
    """The CSV file of ``size`` products, written once and kept."""
    path = (FILES / f"products-{size}.csv").resolve()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        for index in range(size):
            writer.writerow(product_row(index))
    partial.rename(path)
    return path


def prepare(database_url: str, data_dir: Path) -> None:
    """An empty catalog with the demo's reference data (families, attributes, channels...)."""
    engine = make_engine(database_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        DemoCatalog(session, data_dir / "media", products=1).load_reference_data()
        session.commit()
    engine.dispose()


def run_import(path: Path, database_url: str, data_dir: Path, *options: str) -> dict[str, Any]:
    """Run ``python -m hub.cli import`` in its own process: its wall time, counts and peak RSS."""
    env = {**os.environ, "CROSSCANAL_DATA_DIR": str(data_dir), "CROSSCANAL_DATABASE_URL": database_url}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen([sys.executable, "-m", "hub.cli", "import", str(path), *options], env=env,
                                 stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage, not the bench's
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    found = SUMMARY.search(text)
    if child.returncode != 0 or found is None:
        raise RuntimeError(f"import of {path.name} exited {child.returncode}:\n{text}")
    rows, created, updated, unchanged, rejected = (int(n) for n in found.groups())
    return {"rows": rows, "created": created, "updated": updated, "unchanged": unchanged, "rejected": rejected,
            "seconds": round(seconds, 2), "rows_per_second": round(rows / seconds, 1),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1)}  # ru_maxrss is in KiB on Linux


def bulk_edit(database_url: str, data_dir: Path, size: int) -> dict[str, Any]:
    """A bulk edit of every product of the file (a new brand, ``bench.change brand``), in a
    process of its own: wall time and products per second."""
    env = {**os.environ, "CROSSCANAL_DATA_DIR": str(data_dir), "CROSSCANAL_DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "bench.change", "brand", "--skus", str(products_file(size))],
                          env=env, check=True, capture_output=True, text=True)
    found = json.loads(done.stdout.splitlines()[-1])
    if found["status"] != "succeeded" or found["failed"]:
        raise RuntimeError(f"the bulk edit ended {found['status']} with {found['failed']} failures")
    return {"products": size, "changed": found["changed"], "unchanged": found["unchanged"], "seconds": found["seconds"],
            "products_per_second": round(size / found["seconds"], 1)}


def changed_file(size: int) -> Path:
    """The products file with every tenth row at a new price."""
    path = (FILES / f"products-{size}-changed.csv").resolve()
    if path.exists():
        return path
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        for index in range(size):
            row = product_row(index)
            if index % 10 == 0:
                row["price-EUR"] = str(Decimal(row["price-EUR"]) + Decimal("0.50"))
            writer.writerow(row)
    partial.rename(path)
    return path


def bench(kind: str, size: int) -> dict[str, Any]:
    path = products_file(size)
    with tempfile.TemporaryDirectory() as folder, empty_database(kind, Path(folder) / "bench.db") as url:
        prepare(url, Path(folder))
        result = {"dry_run_new": run_import(path, url, Path(folder), "--dry-run"),
                  "create": run_import(path, url, Path(folder)), "reimport_unchanged": run_import(path, url, Path(folder)),
                  "reimport_10_percent_changed": run_import(changed_file(size), url, Path(folder)),
                  "bulk_edit_every_product": bulk_edit(url, Path(folder), size)}
        env = {**os.environ, "CROSSCANAL_DATA_DIR": folder, "CROSSCANAL_DATABASE_URL": url}
        exported = {fmt: Path(folder) / f"exported.{fmt}" for fmt in ("xlsx", "ndjson")}
        for fmt, target in exported.items():
            timed(env, "export", "--format", fmt, "-o", str(target))
        for fmt, target in exported.items():
            with tempfile.TemporaryDirectory() as other, empty_database(kind, Path(other) / "bench.db") as fresh:
                prepare(fresh, Path(other))
                result[f"create_from_{fmt}"] = run_import(target, fresh, Path(other))
    print(kind, size, result, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "columns": COLUMNS, "runs": {},
    }
    sizes = sorted(args.sizes)
    for kind in args.databases:
        runs = results["runs"][kind] = {str(size): bench(kind, size) for size in sizes}
        if len(sizes) >= 2:
            small, large = runs[str(sizes[0])]["create"]["peak_rss_mib"], runs[str(sizes[-1])]["create"]["peak_rss_mib"]
            runs["peak_memory_growth"] = round(large / small - 1, 3)
            runs["peak_memory_within_20_percent"] = large <= small * 1.2
            print(f"{kind}: peak memory {small} MiB -> {large} MiB ({runs['peak_memory_growth']:+.1%})")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
