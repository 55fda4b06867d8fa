"""Exports: products, product models and stock written as flat CSV, XLSX or NDJSON, streaming
from the store in batches, in exactly the shapes the importers read back."""
