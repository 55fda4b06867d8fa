"""Values left behind when a family drops an attribute.

A product may only hold values for its family's attributes, so a value the family no longer
lists would make every later save of the product fail (an import, a form, a bulk edit), naming an
attribute nobody can remove from the product any more. Like Akeneo, we take such values off the
family's products and models when the family drops the attribute, in the same transaction,
recording each removal as a new version so history shows where the value went. An attribute
that is a variant axis of one of the family's models cannot be dropped: its variants would lose
what tells them apart.
"""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.services import history
from hub.services.states import model_state, product_state
from hub.store.models import Family, Product, ProductModel
from hub.store.types import utcnow

BATCH = 500


def axis_conflicts(session: Session, family: Family, dropped: set[str]) -> dict[str, list[str]]:
    """Reasons, under ``attributes``, why these attributes cannot leave the family."""
    models: dict[str, list[str]] = {}
    for model in session.scalars(select(ProductModel).where(ProductModel.family_id == family.id).order_by(ProductModel.code)):
        for axis in dropped.intersection(model.variant_axes):
            models.setdefault(axis, []).append(f"'{model.code}'")
    reasons = []
    for axis, codes in sorted(models.items()):
        named = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
        noun = "product model" if len(codes) == 1 else "product models"
        reasons.append(f"'{axis}' is a variant axis of {noun} {named}; it cannot leave the family")
    return {"attributes": reasons} if reasons else {}


def drop(session: Session, family: Family, dropped: set[str], author: str) -> int:
    """Remove the values of ``dropped`` attributes from the family's models and products, with a
    version each; answers how many were changed. The caller refreshes the product index."""
    changed = 0
    for entity, model, state in (("product_model", ProductModel, model_state), ("product", Product, product_state)):
        for obj in _holding(session, model, family.id, dropped):
            before = state(obj)
            obj.values = {code: entries for code, entries in (obj.values or {}).items() if code not in dropped}
            after = state(obj)
            at = utcnow()
            key = obj.code if isinstance(obj, ProductModel) else obj.sku
            history.record(session, entity, key, obj.revision + 1, author, at, history.diff(before, after), after, before)
            obj.revision += 1
            obj.updated = at
            changed += 1
            if changed % BATCH == 0:
                session.flush()  # written objects are no longer held by the session: memory stays flat
    session.flush()
    return changed


def _holding(session: Session, model: Any, family_id: int, dropped: set[str]) -> Iterable[Any]:
    """The family's models or products that hold a value for one of ``dropped``, in batches by id."""
    after = 0
    while True:
        batch = session.scalars(select(model).where(model.family_id == family_id, model.id > after)
                                .order_by(model.id).limit(BATCH)).all()
        if not batch:
            return
        after = batch[-1].id
        yield from (obj for obj in batch if dropped.intersection(obj.values or {}))
