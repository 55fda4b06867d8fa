"""Changes for the scale benchmark, made through the services a merchandiser's edits go
through, in this process; prints what it changed as JSON.

    .venv/bin/python -m bench.change prices --share 0.01   # every 100th product: a new price
    .venv/bin/python -m bench.change guide                  # a banned word added to the brand guide
"""

from __future__ import annotations

import argparse
import json
import time
from decimal import Decimal

from sqlalchemy import func, select

from hub.config import Settings
from hub.services import brand_guide
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.db import make_engine, make_session_factory
from hub.store.models import Product
from schemas.brand_guide import BrandGuideIn
from schemas.product import ProductIn

BATCH = 500


def prices(share: float) -> dict[str, object]:
    """Raise the price of an evenly spread ``share`` of the products by one cent."""
    settings = Settings.from_env()
    sessions = make_session_factory(make_engine(settings.database_url), writer=True)
    started = time.perf_counter()
    changed = 0
    with sessions() as session:
        step = max(1, round(1 / share))
        ids = list(session.scalars(select(Product.id).where(func.mod(Product.id, step) == 0).order_by(Product.id)))
        for start in range(0, len(ids), BATCH):
            service = ProductService(session, CatalogContext(session), "bench")
            for product in session.scalars(select(Product).where(Product.id.in_(ids[start:start + BATCH]))):
                state = service.state(product)
                for offer in state["offers"]:
                    offer["price"] = str(Decimal(offer["price"]) + Decimal("0.01"))
                    if offer["sale_price"] is not None and Decimal(offer["sale_price"]) >= Decimal(offer["price"]):
                        offer["sale_price"] = None
                        offer["sale_start"] = offer["sale_end"] = None
                changed += service.save(ProductIn().load(state), product).changed
            session.commit()
            session.expunge_all()
    return {"changed": changed, "seconds": round(time.perf_counter() - started, 2)}


def guide() -> dict[str, object]:
    """Add a banned word to the brand guide: every channel renders all its items again."""
    settings = Settings.from_env()
    with make_session_factory(make_engine(settings.database_url), writer=True)() as session:
        state = brand_guide.state(brand_guide.get(session))
        state["banned_words"] = [*state["banned_words"], f"bench-{int(time.time())}"]
        brand_guide.put(session, BrandGuideIn().load(state))
        session.commit()
    return {"banned_words": len(state["banned_words"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["prices", "guide"])
    parser.add_argument("--share", type=float, default=0.01)
    args = parser.parse_args()
    print(json.dumps(prices(args.share) if args.what == "prices" else guide()))


if __name__ == "__main__":
    main()
