"""Errors by which the database refuses one row's write, as opposed to errors of the database
itself.

A unique key another writer took meanwhile, a value beyond a column's range or a row someone
else changed since it was read is the row's problem: batch writers (imports, the NDJSON bulk
endpoint) save the batch again row by row and report that row. A lock timeout or a lost
connection is not: it fails the batch, so it is never reported as a fault of every row.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

ROW_REFUSALS = (IntegrityError, DataError, StaleDataError)


def refusal(error: Exception, what: str = "row") -> str:
    """The database's reason, on one line, for a person to read in a report."""
    if isinstance(error, StaleDataError):
        return f"the database refused the {what}: someone else changed it while this one was saved"
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"the database refused the {what}: {reason}"
