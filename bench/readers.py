"""File-reader benchmark: how fast each import format is read, and what the DOCTYPE check of an
XML file's or an XLSX archive's prolog costs beside the read it guards.

The same generated products (``bench.imports.product_row``) are written as CSV, XLSX and XML at
each size; each file is read whole through its ``RowSource`` (nothing is stored), and for XML and
XLSX the prolog check alone (``refuse_dtd`` over the file, or over every part of the archive) is
timed on its own, best of several runs. CSV has no prolog check and is there for comparison.

    .venv/bin/python -m bench.readers [--sizes 10000 100000]

The files are kept under var/bench/readers/ for reuse. Writes bench/results/readers.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook

from bench.imports import COLUMNS, product_row, products_file
from bench.machine import header
from hub.imports.formats import open_source
from hub.imports.xlsx_reader import refuse_dtd_in_parts
from hub.imports.xml_prolog import refuse_dtd

RESULTS = Path(__file__).with_name("results") / "readers.json"
FILES = Path("var") / "bench" / "readers"
CHECK_REPEATS = 20


def written(path: Path, write: Callable[[Path], None]) -> Path:
    """``path``, written once by ``write`` (through a partial file) and kept."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        write(partial)
        partial.rename(path)
    return path.resolve()


def xlsx_file(size: int) -> Path:
    def write(path: Path) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(COLUMNS)
        for index in range(size):
            sheet.append(list(product_row(index).values()))
        book.save(path)
    return written(FILES / f"products-{size}.xlsx", write)


def xml_file(size: int) -> Path:
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as out:
            out.write('<?xml version="1.0" encoding="UTF-8"?>\n<rows>\n')
            for index in range(size):
                cells = "".join(f"<cell column={quoteattr(column)}>{escape(value)}</cell>"
                                for column, value in product_row(index).items() if value)
                out.write(f"<row>{cells}</row>\n")
            out.write("</rows>\n")
    return written(FILES / f"products-{size}.xml", write)


def check_prolog(path: Path, fmt: str) -> None:
    """The DOCTYPE check the reader runs before parsing: the file, or every part of the archive."""
    if fmt == "xlsx":
        refuse_dtd_in_parts(path)
        return
    with path.open("rb") as stream:
        refuse_dtd(stream)


def bench(path: Path, fmt: str) -> dict[str, Any]:
    started = time.perf_counter()
    source = open_source(path, fmt)
    try:
        rows = sum(1 for row in source.rows() if not row.problem)
    finally:
        source.close()
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"bytes": path.stat().st_size, "rows": rows, "read_seconds": round(seconds, 3),
                              "rows_per_second": round(rows / seconds)}
    if fmt != "csv":
        best = min(timed(lambda: check_prolog(path, fmt)) for _ in range(CHECK_REPEATS))
        result["prolog_check_ms"] = round(best * 1000, 3)
        result["prolog_check_share_of_read"] = f"{best / seconds:.4%}"
    print(fmt, rows, result, flush=True)
    return result


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "runs": {},
    }
    for size in sorted(args.sizes):
        files = {"csv": products_file(size), "xlsx": xlsx_file(size), "xml": xml_file(size)}
        results["runs"][str(size)] = {fmt: bench(path, fmt) for fmt, path in files.items()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
