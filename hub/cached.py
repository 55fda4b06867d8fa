"""``cached_property`` without a lock, as ``functools.cached_property`` is from Python 3.12.

Up to Python 3.11 ``functools.cached_property`` computes under one lock per property, shared by
every instance in the process. Ours read the database (``CatalogContext.attributes``): a
publication job reading its first attributes in a writer session held that lock while it waited
at the writer gate, and the request holding the gate then waited for the lock to read its own
context's attributes. Neither went on until the job gave up a minute later ("database is
locked"), and every other request reading attributes waited with them. Each instance here
belongs to one unit of work, in one thread; were one shared, two threads would at worst both
compute its value, as on Python 3.12.
"""

from __future__ import annotations

import functools
from typing import Any


class cached_property(functools.cached_property):  # type: ignore[type-arg]  # noqa: N801 - named as the standard one
    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        # Computed once: the value in the instance's __dict__ then hides this descriptor.
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value
