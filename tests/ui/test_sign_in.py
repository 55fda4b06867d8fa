"""Signing in and out of the UI in a real browser, and the lock-out after failed attempts."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from hub.store.repos import AccountRepo
from tests.ui.conftest import PASSWORD, email, sign_in, submit


def test_pages_need_a_signed_in_user_and_sign_out_ends_the_session(page: Page) -> None:
    page.goto("/products")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/products$"))
    page.get_by_label("Email").fill(email("editor"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()  # back where they wanted to go
    cookie = next(c for c in page.context.cookies() if c["name"] == "crosscanal_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_a_wrong_password_and_an_unknown_user_get_the_same_error(page: Page) -> None:
    sign_in(page, "editor", password="not the password")
    wrong = page.get_by_role("alert")
    expect(wrong).to_contain_text("The email or password is not right")
    wrong_text = wrong.inner_text()
    expect(page.get_by_label("Email")).to_have_value(email("editor"))

    page.get_by_label("Email").fill("nobody@crosscanal.example")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    assert page.get_by_role("alert").inner_text() == wrong_text


def test_five_failed_sign_ins_lock_the_account(page: Page, db_session: Session) -> None:
    for _ in range(5):
        sign_in(page, "editor", password="guessing wrong")
        expect(page.get_by_role("alert")).to_be_visible()
    sign_in(page, "editor", succeeds=False)  # the right password, too late
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not right")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    user = AccountRepo(db_session).user_by_email(email("editor"))
    assert user is not None and user.locked_until is not None

    sign_in(page, "viewer")  # other accounts are not affected
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
