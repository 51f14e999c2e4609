"""Signing in from a browser: passwords (Argon2id) and sessions.

A password is kept only as its Argon2id hash (argon2-cffi's defaults, RFC 9106's
recommended parameters); a session cookie's token only as its SHA-256, so a copy of
the database signs nobody in. A session ends after ``SESSION_IDLE_S`` without use or
``SESSION_MAX_S`` after sign-in, at sign-out, and when its user is disabled or sets a new
password. Each session has its own CSRF token, which every state-changing request from
the browser must echo in a header.
"""

from __future__ import annotations

import secrets
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from jisik.audit.actors import local_actor, new_trace_id
from jisik.audit.chain import AuditLog
from jisik.errors import InvalidInputError, NotFoundError
from jisik.identity.keys import hash_key
from jisik.identity.records import Principal
from jisik.identity.store import groups_of
from jisik.store.schema import PasswordRow, UserRow, WebSessionRow

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
SESSION_IDLE_S = 8 * 3600  # a working day without use
SESSION_MAX_S = 7 * 86_400
_TOUCH_EVERY_S = 60.0  # last_seen is written at most this often (a write per request is waste)
_hasher = PasswordHasher()  # Argon2id
# Verified against when the user does not exist, so that an unknown name takes as long
# as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class WebAuth:
    def __init__(self, engine: Engine, audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.audit = audit or AuditLog(engine)

    # --- passwords ------------------------------------------------------------

    def set_password(self, name: str, password: str, *, actor: str = "") -> None:
        """Set (or replace) a user's password; their open sessions end."""
        check_password(password)
        digest = _hasher.hash(password)
        with Session(self.engine) as session, session.begin():
            if session.get(UserRow, name) is None:
                raise NotFoundError(f"no user {name!r}; see `jisik users list`")
            row = session.get(PasswordRow, name)
            if row is None:
                session.add(PasswordRow(user_name=name, hash=digest, updated_at=time.time()))
            else:
                row.hash, row.updated_at = digest, time.time()
            session.execute(delete(WebSessionRow).where(WebSessionRow.user_name == name))
        self.audit.append("admin.users.password", actor or local_actor(), new_trace_id(), user=name)

    def check_password(self, name: str, password: str) -> Principal | None:
        """The user, when ``password`` is theirs and they are enabled; else None."""
        with Session(self.engine) as session:
            user = session.get(UserRow, name) if len(name) <= 64 else None
            row = session.get(PasswordRow, name) if user is not None else None
            stored = row.hash if row is not None else _DUMMY_HASH
            try:
                _hasher.verify(stored, password[:MAX_PASSWORD_CHARS])
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if row is None or user is None or user.disabled:
                return None
            if _hasher.check_needs_rehash(stored):
                self._rehash(name, password)
            return Principal(user.name, user.role, frozenset(groups_of(session, user.name)))

    def _rehash(self, name: str, password: str) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(PasswordRow, name)
            if row is not None:
                row.hash = _hasher.hash(password)

    # --- sessions -------------------------------------------------------------

    def open_session(self, name: str) -> tuple[str, str]:
        """A new session for ``name``: the cookie's token and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with Session(self.engine) as session, session.begin():
            session.add(
                WebSessionRow(
                    token_hash=hash_key(token),
                    user_name=name,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen=now,
                )
            )
        return token, csrf

    def session(self, token: str) -> tuple[Principal, str] | None:
        """The signed-in user and the session's CSRF token, or None (unknown, expired,
        or the user disabled)."""
        if not token or len(token) > 128:
            return None
        now = time.time()
        with Session(self.engine) as session:
            found = session.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, UserRow.name == WebSessionRow.user_name)
                .where(WebSessionRow.token_hash == hash_key(token))
            ).first()
            if found is None:
                return None
            row, user = found
            if (
                user.disabled
                or now - row.last_seen > SESSION_IDLE_S
                or now - row.created_at > SESSION_MAX_S
            ):
                return None
            principal = Principal(user.name, user.role, frozenset(groups_of(session, user.name)))
            csrf, touch = row.csrf_token, now - row.last_seen > _TOUCH_EVERY_S
        if touch:
            with Session(self.engine) as session, session.begin():
                live = session.get(WebSessionRow, hash_key(token))
                if live is not None:
                    live.last_seen = now
        return principal, csrf

    def close_session(self, token: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(WebSessionRow).where(WebSessionRow.token_hash == hash_key(token))
            )

    def close_expired(self) -> int:
        cutoff_idle, cutoff_max = time.time() - SESSION_IDLE_S, time.time() - SESSION_MAX_S
        with Session(self.engine) as session, session.begin():
            return session.execute(
                delete(WebSessionRow).where(
                    (WebSessionRow.last_seen < cutoff_idle)
                    | (WebSessionRow.created_at < cutoff_max)
                )
            ).rowcount


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInputError(
            f"a password needs at least {MIN_PASSWORD_CHARS} characters "
            f"(비밀번호는 {MIN_PASSWORD_CHARS}자 이상이어야 합니다)"
        )
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInputError(f"a password may have at most {MAX_PASSWORD_CHARS} characters")
    return password
