"""Imports: reading product, product model and stock files (CSV, XLSX, NDJSON/JSON, XML) row by
row, turning each row into the API's input shape, and saving it through the catalog services.

Readers (``csv_reader``, ``xlsx_reader``, ``json_reader``, ``xml_reader``) yield rows lazily and
never hold a whole file; ``flat_columns`` and ``flat_rows`` are the Akeneo-style column
convention; ``entity_rows`` and ``stock_rows`` save one batch; ``hub.jobs.imports`` runs a whole
file as a job with progress and a report.
"""
