"""Foundation benchmarks: demo load time, and products per second through the NDJSON bulk
endpoint (over real HTTP, into SQLite and into PostgreSQL).

    .venv/bin/python -m bench.foundation [--products 5000]

Writes bench/results/foundation.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import Engine

from channel_adapters.base.identifiers import gs1_check_digit
from hub.services.accounts import create_token
from hub.services.demo import DemoCatalog
from hub.store.db import make_engine, make_session_factory
from hub.store.migrate import upgrade
from tests.support.services import empty_database
from bench.server import running_hub
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "foundation.json"


def product_line(index: int, variant: int) -> bytes:
    body = f"2{index:011d}"
    gtin = body + str(gs1_check_digit(body))
    product = {
        "sku": f"bench-{index}", "family": "grocery", "categories": ["pantry"],
        "values": {
            "name": [{"locale": "en_US", "scope": None, "data": f"Bench lentils no. {index}"},
                     {"locale": "fr_FR", "scope": None, "data": f"Lentilles banc d'essai n° {index}"}],
            "description": [{"locale": "en_US", "scope": None, "data": f"Green lentils, batch {variant}."}],
            "brand": [{"locale": None, "scope": None, "data": "Verdant"}],
            "ean": [{"locale": None, "scope": None, "data": gtin}],
            "net_weight": [{"locale": None, "scope": None, "data": {"amount": "500", "unit": "GRAM"}}],
            "organic": [{"locale": None, "scope": None, "data": index % 2 == 0}],
        },
        "offers": [{"currency": "EUR", "price": f"{2 + variant}.49"}, {"currency": "USD", "price": f"{3 + variant}.19"}],
    }
    return (json.dumps(product) + "\n").encode()


def lines(count: int, variant: int) -> Iterator[bytes]:
    for index in range(count):
        yield product_line(index, variant)


def bulk(base_url: str, token: str, count: int, variant: int) -> dict[str, Any]:
    """Stream ``count`` NDJSON lines to PATCH /api/v1/products and read the answer line by line."""
    host, port = base_url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=3600)
    started = time.perf_counter()
    conn.request("PATCH", "/api/v1/products", body=lines(count, variant), encode_chunked=True,
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    response = conn.getresponse()
    statuses: dict[int, int] = {}
    for raw in response:
        status = json.loads(raw)["status"]
        statuses[status] = statuses.get(status, 0) + 1
    seconds = time.perf_counter() - started
    conn.close()
    return {"lines": count, "seconds": round(seconds, 2), "products_per_second": round(count / seconds, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items())}}


def prepare(engine: Engine, data_dir: Path) -> str:
    upgrade(engine)
    with make_session_factory(engine)() as session:
        DemoCatalog(session, data_dir / "media", products=1).load_reference_data()
        token = create_token(session, "editor", "bench")
        session.commit()
    return token


def bench_bulk(database_url: str, count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        engine = make_engine(database_url)
        token = prepare(engine, data_dir)
        engine.dispose()
        with running_hub(database_url, data_dir) as url:
            return {
                "create": bulk(url, token, count, 0),
                "unchanged": bulk(url, token, count, 0),
                "update": bulk(url, token, count, 1),
            }


def bench_demo() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/demo.db")
        started = time.perf_counter()
        upgrade(engine)
        with make_session_factory(engine)() as session:
            made = DemoCatalog(session, Path(folder) / "media").load()
        seconds = time.perf_counter() - started
        engine.dispose()
    return {"seconds": round(seconds, 2), "made": made}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=5000, help="lines per bulk request")
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "demo_load_sqlite": bench_demo(),
    }
    print("demo load:", results["demo_load_sqlite"])
    for kind in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as folder, empty_database(kind, Path(folder) / "bench.db") as url:
            results[f"bulk_ndjson_{kind}"] = bench_bulk(url, args.products)
        print(f"bulk on {kind}:", results[f"bulk_ndjson_{kind}"])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
