"""Signing users of the web UI in: password checks and the lock-out after repeated failures."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from hub.store.models import User
from hub.store.repos import AccountRepo
from hub.store.types import utcnow

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
# From one address: many accounts, each below its own lock-out (a password spray), or one
# office's people mistyping; it is checked before any password is.
MAX_ADDRESS_FAILURES = 20
ADDRESS_WINDOW = timedelta(minutes=15)


def address_locked(session: Session, address: str, now: datetime | None = None) -> datetime | None:
    """Until when sign-ins from ``address`` are refused, or None."""
    found = AccountRepo(session).address_failures(address)
    now = now or utcnow()
    return found.locked_until if found is not None and found.locked_until is not None and found.locked_until > now else None


def address_failed(session: Session, address: str, now: datetime | None = None) -> None:
    """Count a failed sign-in from ``address``; past ``MAX_ADDRESS_FAILURES`` within the window,
    lock the address out for the window (the caller commits)."""
    now = now or utcnow()
    repo = AccountRepo(session)
    found = repo.address_failures(address)
    if found is None or now - found.since > ADDRESS_WINDOW:
        found = found or repo.new_address_failures(address)
        found.failures, found.since, found.locked_until = 0, now, None
    found.failures += 1
    if found.failures >= MAX_ADDRESS_FAILURES:
        found.locked_until = now + ADDRESS_WINDOW
    session.flush()


@cache
def _dummy_hash() -> str:
    """Checked when the email is unknown, so an unknown user costs as much time as a wrong password."""
    return PasswordHasher().hash("not a password of anyone")


def user(session: Session, user_id: int) -> User | None:
    return AccountRepo(session).user_by_id(user_id)


def attempt(session: Session, email: str, password: str, now: datetime | None = None) -> User | None:
    """The user when the password is right and the account not locked, otherwise None.

    The caller learns nothing about why (unknown email, wrong password, locked), so the page can
    answer the same for all. Failures are counted on the user; the caller commits either way.
    """
    now = now or utcnow()
    hasher = PasswordHasher()
    found = AccountRepo(session).user_by_email(email.strip()) if email.strip() else None
    if found is None:
        _verify(hasher, _dummy_hash(), password)
        return None
    if found.locked_until is not None and found.locked_until > now:
        _verify(hasher, _dummy_hash(), password)
        return None
    if not _verify(hasher, found.password_hash, password):
        found.failed_logins = (found.failed_logins or 0) + 1
        if found.failed_logins >= MAX_FAILURES:
            found.locked_until, found.failed_logins = now + LOCK_FOR, 0
        session.flush()
        return None
    found.failed_logins, found.locked_until = 0, None
    if hasher.check_needs_rehash(found.password_hash):
        found.password_hash = hasher.hash(password)
    session.flush()
    return found


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
