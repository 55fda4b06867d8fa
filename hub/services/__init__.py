"""Catalog use cases. They receive a session, never commit it, and know nothing of Flask."""
