"""Rejected rows as a person fixes them: each reason on the file's own column, with the cell's
value; and the whole report written as a CSV file a spreadsheet opens safely."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterable

from hub.imports.flat_columns import SINGLE
from hub.imports.rows import Rejection
from hub.imports.spreadsheet_cells import defuse

SINGLE_COLUMNS = {name for names in SINGLE.values() for name in names}
REPORT_COLUMNS = ("row", "key", "column", "value", "field", "reason")
_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


def column_of(path: str, origins: dict[str, str]) -> str:
    """The column a field path came from: the path itself, else its nearest parent that has one
    (``values.ean[0].data`` -> ``values.ean[0]`` -> ``values.ean``); "" for the whole row."""
    while path:
        if path in origins:
            return origins[path]
        shorter = _LAST_STEP.sub("", path)
        if shorter == path:
            break
        path = shorter
    return ""


def _named(path: str) -> str:
    """A column the file lacks but a reason is about (``family`` for a new product): named as ours."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return head if head in SINGLE_COLUMNS else ""


def rejections(number: int, key: str, errors: dict[str, list[str]], origins: dict[str, str] | None,
               cells: dict[str, str] | None, problems: Iterable[tuple[str, str]] = ()) -> list[Rejection]:
    """One rejection per reason. With ``origins`` (flat files) the column is the file's header;
    without (JSON files) it is the field path."""
    found = [Rejection(number, key, column, (cells or {}).get(column, ""), reason) for column, reason in problems]
    for path, reasons in errors.items():
        column = (column_of(path, origins) or _named(path)) if origins is not None else path
        value = (cells or {}).get(column, "")
        for reason in reasons:
            found.append(Rejection(number, key, column, value, reason, field=path if path != "body" else ""))
    return found


class ReportWriter:
    """The report CSV: appended to batch by batch, so a long import never holds every rejection."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            csv.writer(out).writerow(REPORT_COLUMNS)

    def add(self, found: Iterable[Rejection]) -> None:
        with self.path.open("a", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for rejection in found:
                writer.writerow([rejection.row, defuse(rejection.key), defuse(rejection.column),
                                 defuse(rejection.value), rejection.field, defuse(rejection.reason)])
