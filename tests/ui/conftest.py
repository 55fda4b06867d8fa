"""Browser tests: the real app served over HTTP on loopback, driven by Debian's Chromium.

The server runs in a thread against the test database of ``tests/conftest.py``, with the demo
catalog loaded and one user per role. Playwright never downloads a browser of its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.services.accounts import ROLES, create_user
from hub.services.context import CatalogContext
from hub.services.demo import DemoCatalog
from hub.services.products import ProductService
from schemas.product import ProductIn
from tests.support.live_server import serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PASSWORD = "correct horse battery staple"
VIEWPORT = {"width": 1280, "height": 800}


def email(role: str) -> str:
    return f"{role}@crosscanal.example"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(app: Flask, settings: Settings) -> Iterator[str]:
    """The base URL of the app, served by waitress on a free loopback port, demo loaded."""
    with app.extensions["crosscanal"].writers() as session:
        DemoCatalog(session, settings.media_dir).load()
        for role in ROLES:
            create_user(session, email(role), PASSWORD, role)
        session.commit()
    with serving(app) as url:
        yield url


@pytest.fixture
def new_page(browser: Browser, live_url: str) -> Iterator:
    """Opens pages in fresh browser contexts (separate cookies), closed after the test."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_url, viewport=VIEWPORT)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def sign_in(page: Page, role: str, password: str = PASSWORD, *, succeeds: bool | None = None) -> None:
    """Sign in on the sign-in page; unless told otherwise, expect success with the right password."""
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email(role))
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if succeeds if succeeds is not None else password == PASSWORD:
        expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def submit(page: Page, button: str) -> None:
    """Click a form's submit button and wait until the page it loads is there: Playwright's reads
    (``all_inner_texts``, ``inner_text``) do not wait, so a read right after the click may see the
    page being left, or none while the next one is still on its way."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def open_incomplete_product(page: Page, channel: str, attribute: str) -> tuple[str, Locator]:
    """From the dashboard, open the first least-complete product of ``channel`` that lacks
    ``attribute``; answers its SKU and its completeness cell of missing attributes."""
    links = page.locator(f"tr[data-channel='{channel}'] td.incomplete a")
    expect(links.first).to_be_visible()
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        page.goto(href)
        missing = page.locator(f"table.completeness tr[data-channel='{channel}'] td").last
        if attribute in missing.inner_text():
            return page.locator("h1").inner_text(), missing
    raise AssertionError(f"no product on the dashboard lacks its {channel} {attribute}")


def api_product(page: Page, tokens: dict[str, dict[str, str]], sku: str) -> dict[str, Any]:
    answer = page.request.get(f"/api/v1/products/{sku}", headers=tokens["viewer"])
    assert answer.ok, answer.text()
    return answer.json()


def change(db_session: Session, sku: str, **changes: Any) -> dict[str, Any]:
    """Save a change the way an API client would (another person, meanwhile); answers the new state."""
    db_session.rollback()  # a fresh transaction sees the server's commits
    service = ProductService(db_session, CatalogContext(db_session), "someone else")
    product = service.get(sku)
    state = {**service.state(product), **changes}
    service.save(ProductIn().load(state), product)
    db_session.commit()
    return service.state(product)


DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where page screenshots go: docs/screenshots/ with CROSSCANAL_UPDATE_SCREENSHOTS=1 (to refresh
    the README's pictures), else a temporary folder, so a test run leaves the checkout as it was."""
    folder = DOCS_SCREENSHOTS if os.environ.get("CROSSCANAL_UPDATE_SCREENSHOTS") == "1" else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
