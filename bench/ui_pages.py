"""UI response times at 100,000 or 1,000,000 products on SQLite and PostgreSQL: the product
grid (first page, next page, each filter and sort order), the product page, one channel
preview, and the dashboard, fetched over HTTP from a real server (waitress) as a signed-in
user. The target is 300 ms per page (p95).

    .venv/bin/python -m bench.ui_pages [--sizes 100000 1000000] [--databases sqlite postgresql] [--repeat 15]

Writes bench/results/ui_pages.json: one entry per database and size.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.catalogs import catalog, environment
from bench.server import running_hub
from bench.machine import header

RESULTS = Path(__file__).with_name("results") / "ui_pages.json"
TARGET_MS = 300
EMAIL, PASSWORD = "bench@crosscanal.example", "bench password for the ui"


class Browser:
    """Cookies and the CSRF token, as a browser keeps them; only the standard library."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, float]:
        started = time.perf_counter()
        with self.opener.open(self.base + path) as response:
            body = response.read().decode()
            return response.status, body, (time.perf_counter() - started) * 1000

    def sign_in(self) -> None:
        _, page, _ = self.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        form = urllib.parse.urlencode({"csrf_token": token[1], "email": EMAIL, "password": PASSWORD}).encode()
        with self.opener.open(self.base + "/sign-in", data=form) as response:
            assert "Dashboard" in response.read().decode(), "sign-in failed"


def pages(browser: Browser) -> dict[str, str]:
    """The pages to time; the SKUs and cursors come from the catalog itself."""
    _, grid, _ = browser.get("/products")
    sku = re.search(r'href="/products/([^"]+)"', grid)[1]  # type: ignore[index]
    after = re.search(r'href="/products\?after=([^"&]+)"', grid)[1]  # type: ignore[index]
    _, by_completeness, _ = browser.get("/products?channel=google_shopping&sort=completeness")
    later = re.search(r'after=([^"&]+)', by_completeness)[1]  # type: ignore[index]
    _, apparel, _ = browser.get("/products?category=apparel")
    variant = re.search(r'href="/products/([^"]+)"', apparel)[1]  # type: ignore[index]
    _, variant_page, _ = browser.get(f"/products/{variant}")
    model = re.search(r'href="/product-models/([^"]+)"', variant_page)[1]  # type: ignore[index]
    return {
        "grid: first page": "/products",
        "grid: next page": f"/products?after={after}",
        "grid: SKU prefix": f"/products?sku={sku[:6]}",
        "grid: name contains": "/products?q=chocolate",
        "grid: family and enabled": "/products?family=grocery&enabled=yes",
        "grid: category subtree": "/products?category=apparel",
        "grid: channel, below 100%, least complete first": "/products?channel=google_shopping&below=100&sort=completeness",
        "grid: completeness order, next page": f"/products?channel=google_shopping&sort=completeness&after={later}",
        "grid: recently updated first": "/products?sort=-updated",
        "grid: has a diagnostic": "/products?diagnostic=missing_gtin",
        "product page": f"/products/{sku}",
        "product page: one channel preview": f"/products/{sku}/previews/google_shopping",
        "product model page": f"/product-models/{model}",
        "dashboard": "/",
    }


def measure(browser: Browser, path: str, repeat: int) -> dict[str, Any]:
    browser.get(path)  # warm: the first request of a page compiles its template
    times = []
    for _ in range(repeat):
        status, _, ms = browser.get(path)
        assert status == 200, f"{path} answered {status}"
        times.append(ms)
    times.sort()
    return {"path": path, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1), "max_ms": round(times[-1], 1),
            "within_target": times[min(len(times) - 1, int(len(times) * 0.95))] <= TARGET_MS}


def bench(size: int, database: str, repeat: int) -> dict[str, Any]:
    folder, generated = catalog(size, database)
    env = environment(folder)
    subprocess.run([sys.executable, "-m", "hub.cli", "user", "create", EMAIL, "--role", "admin"], env=env,
                   input=PASSWORD + "\n", text=True, capture_output=True)  # fails harmlessly when it exists
    found: dict[str, Any] = {"catalog_generation_seconds": generated, "pages": {}}
    url = env.get("CROSSCANAL_DATABASE_URL", f"sqlite:///{folder / 'crosscanal.db'}")
    with running_hub(url, folder) as base:
        browser = Browser(base)
        browser.sign_in()
        for name, path in pages(browser).items():
            found["pages"][name] = measure(browser, path, repeat)
            print(f"{database} {size:>8} {name:55} {found['pages'][name]['median_ms']:8.1f} ms median, "
                  f"{found['pages'][name]['p95_ms']:8.1f} ms p95", flush=True)
    found["all_within_target"] = all(p["within_target"] for p in found["pages"].values())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, Any] = {
        **header(),
        "target_ms": TARGET_MS, "repeat": args.repeat, "runs": {},
    }
    for database in args.databases:
        results["runs"][database] = {str(size): bench(size, database, args.repeat) for size in args.sizes}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
