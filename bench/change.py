"""Changes for the scale benchmark, made through the services a merchandiser's edits go
through, in this process; prints what it changed as JSON.

    .venv/bin/python -m bench.change prices --share 0.01   # every 100th product: a new price
    .venv/bin/python -m bench.change guide                  # a banned word added to the brand guide
    .venv/bin/python -m bench.change brand --skus FILE      # a bulk edit: a new brand on every SKU of a CSV file
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from hub.config import Settings
from hub.jobs.bulk_edits import BulkEditor
from hub.services import brand_guide
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.db import make_engine, make_session_factory
from hub.store.models import BulkEdit, Product
from schemas.brand_guide import BrandGuideIn
from schemas.bulk_edit import BulkEditIn
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


def brand(skus_file: Path) -> dict[str, object]:
    """A bulk edit job giving every product of the file (its first column, after the header) a
    new brand, run as the hub runs its jobs; what it counted and its wall time."""
    with skus_file.open(encoding="utf-8-sig", newline="") as rows:
        skus = [row[0] for row in csv.reader(rows)][1:]
    writers = make_session_factory(make_engine(Settings.from_env().database_url), writer=True)
    editor = BulkEditor(writers)
    with writers() as session:
        action = {"action": "set_value", "attribute": "brand", "value": f"Bench {int(time.time())}", "skus": skus}
        job_id = editor.start(session, BulkEditIn().load(action), "bench").id
        session.commit()
    started = time.perf_counter()
    editor.run(job_id)
    seconds = time.perf_counter() - started
    with writers() as session:
        job = session.get(BulkEdit, job_id)
        assert job is not None
        return {"status": job.status, "changed": job.changed, "unchanged": job.unchanged, "failed": job.failed,
                "seconds": round(seconds, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["prices", "guide", "brand"])
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--skus", type=Path, help="brand: a CSV file whose first column holds the SKUs")
    args = parser.parse_args()
    if args.what == "brand" and args.skus is None:
        parser.error("brand needs --skus FILE")
    print(json.dumps(prices(args.share) if args.what == "prices" else guide() if args.what == "guide" else brand(args.skus)))


if __name__ == "__main__":
    main()
