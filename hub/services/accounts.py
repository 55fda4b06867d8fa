"""Roles, API tokens and users."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from hub.errors import Conflict, NotFound, ValidationFailed
from hub.services import audit
from hub.services.audit import Acting
from hub.store.models import ApiToken, User
from hub.store.repos import AccountRepo
from hub.store.types import utcnow

ROLES = ("viewer", "editor", "publisher", "admin")
TOKEN_PREFIX = "cc_"


def role_allows(role: str, needed: str) -> bool:
    """Roles are ordered: each may do what the ones before it may."""
    return ROLES.index(role) >= ROLES.index(needed)


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who is acting: recorded as the author of every version."""

    name: str
    role: str
    id: int | None = None  # the token's, for the audit log


def issue_token(session: Session, role: str, name: str = "", *, actor: Acting | None = None) -> tuple[ApiToken, str]:
    """Store a new token; the clear text is returned this once and never stored. Raises
    ValidationFailed for an unknown role."""
    if role not in ROLES:
        raise ValidationFailed(errors={"role": [f"one of {', '.join(ROLES)}"]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name or f"{role} token", token_hash=_hash_token(raw), role=role)
    AccountRepo(session).add(token)
    audit.record(session, actor, "token.create", ("token", str(token.id)), {"name": token.name, "role": role})
    return token, raw


def create_token(session: Session, role: str, name: str = "", *, actor: Acting | None = None) -> str:
    return issue_token(session, role, name, actor=actor)[1]


def tokens(session: Session) -> list[ApiToken]:
    return list(AccountRepo(session).tokens())


def revoke_token(session: Session, token_id: int, *, actor: Acting | None = None) -> None:
    """Revoke a token; raises NotFound. Revoked tokens stay listed, so their use can be traced."""
    token = AccountRepo(session).token_by_id(token_id)
    if token is None:
        raise NotFound(f"no API token {token_id}")
    if not token.revoked:  # revoking it again changes nothing, and records nothing
        token.revoked = True
        session.flush()
        audit.record(session, actor, "token.revoke", ("token", str(token.id)), {"revoked": True})


def users(session: Session) -> list[User]:
    return list(AccountRepo(session).users())


USE_RECORDED_EVERY = timedelta(minutes=5)  # a write per request would serialize SQLite's writers


def authenticate_token(session: Session, raw: str) -> tuple[Actor, int | None] | None:
    """Who the token acts for, and the token's id when its use is due to be recorded
    (``record_token_use``, in a writer session: the request's own may be a reader's, and on
    SQLite a reader that turns writer fails at once when another process wrote meanwhile)."""
    token = AccountRepo(session).token_by_hash(_hash_token(raw))
    if token is None:
        return None
    due = token.last_used is None or utcnow() - token.last_used > USE_RECORDED_EVERY
    return Actor(name=f"token:{token.name}", role=token.role, id=token.id), token.id if due else None


def record_token_use(session: Session, token_id: int) -> None:
    """The token was used now; recorded once whichever of several requests racing here gets in
    first (the others find it recorded)."""
    now = utcnow()
    AccountRepo(session).record_use(token_id, now, now - USE_RECORDED_EVERY)


def create_user(session: Session, email: str, password: str, role: str, *, actor: Acting | None = None) -> User:
    """Store a new user with the password's argon2 hash. Raises ValidationFailed for bad input,
    Conflict for a known email."""
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"one of {', '.join(ROLES)}"]
    if "@" not in email or len(email) > 254:
        errors["email"] = ["an email address"]
    if len(password) < 10:
        errors["password"] = ["at least 10 characters"]
    if errors:
        raise ValidationFailed(errors=errors)
    repo = AccountRepo(session)
    if repo.user_by_email(email):
        raise Conflict(f"a user '{email}' exists", errors={"email": ["already exists"]})
    user = User(email=email, password_hash=PasswordHasher().hash(password), role=role)
    repo.add(user)
    audit.record(session, actor, "user.create", ("user", email), {"email": email, "role": role})
    return user
