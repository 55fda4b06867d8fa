"""marshmallow schemas: the single input contract of the API, the CLI and the importers."""
