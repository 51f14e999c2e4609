"""Users, groups and API keys in the home's SQLite database.

Every method is one short transaction, so the CLI and a running server can
share the database; changes (a new member, a disabled user, a revoked key) are
seen by the next ``authenticate``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jisik.audit.actors import local_actor, new_trace_id
from jisik.audit.chain import AuditLog
from jisik.errors import ConflictError, NotFoundError
from jisik.identity.keys import display_prefix, hash_key, looks_like_key, new_key
from jisik.identity.records import (
    ADMIN,
    ApiKey,
    Group,
    Principal,
    User,
    check_name,
    check_role,
)
from jisik.store.schema import ApiKeyRow, GroupRow, UserGroupRow, UserRow


class IdentityStore:
    def __init__(self, engine: Engine, audit: AuditLog | None = None) -> None:
        """``audit``: the home's trail (with its checkpoint); by default one on the
        bare database, for tools and tests without a home."""
        self.engine = engine
        self.audit = audit or AuditLog(engine)

    def _audit(self, action: str, actor: str, **data: object) -> None:
        """Every change of who may do what goes into the audit trail."""
        self.audit.append(action, actor or local_actor(), new_trace_id(), **data)

    # --- users --------------------------------------------------------------

    def add_user(
        self, name: str, role: str, groups: Iterable[str] = (), *, actor: str = ""
    ) -> tuple[User, str]:
        """Create a user with a first API key; the key is returned here and never again.

        Every group must exist already (``jisik groups add``): a membership grants
        reading rights, so a mistyped group name is refused rather than created.
        """
        check_name("user", name)
        check_role(role)
        wanted = sorted({check_name("group", g) for g in groups})
        key = new_key()
        try:
            with Session(self.engine) as session, session.begin():
                if session.get(UserRow, name) is not None:
                    raise ConflictError(f"user {name!r} already exists; pick another name")
                for group in wanted:
                    _group_row(session, group)
                session.add(UserRow(name=name, role=role, disabled=False, created_at=time.time()))
                session.flush()
                session.add_all(UserGroupRow(user_name=name, group_name=g) for g in wanted)
                session.add(_key_row(name, key))
        except IntegrityError as exc:  # another process added the same name meanwhile
            raise ConflictError(f"user {name!r} already exists; pick another name") from exc
        self._audit("admin.users.add", actor, user=name, role=role, groups=wanted)
        return self.user(name), key

    def users(self) -> list[User]:
        with Session(self.engine) as session:
            memberships = _memberships(session)
            rows = session.scalars(select(UserRow).order_by(UserRow.name))
            return [_user(row, memberships.get(row.name, ())) for row in rows]

    def user(self, name: str) -> User:
        with Session(self.engine) as session:
            row = _user_row(session, name)
            return _user(row, groups_of(session, name))

    def disable(self, name: str, *, actor: str = "") -> User:
        """Disable a user: their keys stop working at once. The last enabled admin stays."""
        with Session(self.engine) as session, session.begin():
            row = _user_row(session, name)
            was_enabled = not row.disabled
            row.disabled = True
            session.flush()
            # Checked after the write, inside its transaction: SQLite then holds the
            # write lock, so two admins disabling each other cannot both succeed.
            if was_enabled and row.role == ADMIN and not _enabled_admins(session):
                raise ConflictError(
                    f"{name!r} is the last enabled admin; add another admin first "
                    "(`jisik users add NAME --role admin`)"
                )
        self._audit("admin.users.disable", actor, user=name)
        return self.user(name)

    def enable(self, name: str, *, actor: str = "") -> User:
        with Session(self.engine) as session, session.begin():
            _user_row(session, name).disabled = False
        self._audit("admin.users.enable", actor, user=name)
        return self.user(name)

    def rotate_key(self, name: str, *, actor: str = "") -> str:
        """Revoke every key of the user and return a new one (shown only this once)."""
        key = new_key()
        with Session(self.engine) as session, session.begin():
            _user_row(session, name)
            session.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.user_name == name, ApiKeyRow.revoked_at.is_(None))
                .values(revoked_at=time.time())
            )
            session.add(_key_row(name, key))
        self._audit("admin.users.rotate_key", actor, user=name)
        return key

    def keys(self, name: str) -> tuple[ApiKey, ...]:
        """The user's keys, newest first, as far as they may be shown (prefix, dates)."""
        with Session(self.engine) as session:
            _user_row(session, name)
            rows = session.scalars(
                select(ApiKeyRow).where(ApiKeyRow.user_name == name).order_by(ApiKeyRow.id.desc())
            )
            return tuple(ApiKey(r.prefix, r.created_at, r.revoked_at) for r in rows)

    def has_admin(self) -> bool:
        """Whether an enabled admin exists (the server refuses to start without one)."""
        with Session(self.engine) as session:
            return _enabled_admins(session) > 0

    # --- authentication -----------------------------------------------------

    def authenticate(self, api_key: str) -> Principal | None:
        """The caller an API key belongs to, or None (unknown or revoked key, disabled user).

        This is an ``Authenticator``. Groups are read now, not cached, so a change of
        membership applies to the next request.
        """
        if not looks_like_key(api_key):
            return None
        with Session(self.engine) as session:
            row = session.execute(
                select(UserRow.name, UserRow.role)
                .join(ApiKeyRow, ApiKeyRow.user_name == UserRow.name)
                .where(
                    ApiKeyRow.key_hash == hash_key(api_key),
                    ApiKeyRow.revoked_at.is_(None),
                    UserRow.disabled.is_(False),
                )
            ).first()
            if row is None:
                return None
            return Principal(row.name, row.role, frozenset(groups_of(session, row.name)))

    # --- groups -------------------------------------------------------------

    def add_group(self, name: str, description: str = "", *, actor: str = "") -> Group:
        check_name("group", name)
        try:
            with Session(self.engine) as session, session.begin():
                if session.get(GroupRow, name) is not None:
                    raise ConflictError(f"group {name!r} already exists")
                session.add(GroupRow(name=name, description=description, created_at=time.time()))
        except IntegrityError as exc:  # another process added the same name meanwhile
            raise ConflictError(f"group {name!r} already exists") from exc
        self._audit("admin.groups.add", actor, group=name)
        return self.group(name)

    def groups(self) -> list[Group]:
        with Session(self.engine) as session:
            members: dict[str, list[str]] = {}
            for user, group in session.execute(
                select(UserGroupRow.user_name, UserGroupRow.group_name).order_by(
                    UserGroupRow.user_name
                )
            ):
                members.setdefault(group, []).append(user)
            rows = session.scalars(select(GroupRow).order_by(GroupRow.name))
            return [Group(r.name, r.description, tuple(members.get(r.name, ()))) for r in rows]

    def group(self, name: str) -> Group:
        with Session(self.engine) as session:
            row = _group_row(session, name)
            return Group(row.name, row.description, _members_of(session, name))

    def add_member(self, group: str, user: str, *, actor: str = "") -> Group:
        """Add a user to a group (nothing changes if already a member)."""
        with Session(self.engine) as session, session.begin():
            _group_row(session, group)
            _user_row(session, user)
            if session.get(UserGroupRow, (user, group)) is None:
                session.add(UserGroupRow(user_name=user, group_name=group))
        self._audit("admin.groups.add_member", actor, group=group, user=user)
        return self.group(group)

    def remove_member(self, group: str, user: str, *, actor: str = "") -> Group:
        """Take a user out of a group (nothing changes if not a member)."""
        with Session(self.engine) as session, session.begin():
            _group_row(session, group)
            _user_row(session, user)
            session.execute(
                delete(UserGroupRow).where(
                    UserGroupRow.user_name == user, UserGroupRow.group_name == group
                )
            )
        self._audit("admin.groups.remove_member", actor, group=group, user=user)
        return self.group(group)


def _user_row(session: Session, name: str) -> UserRow:
    row = session.get(UserRow, name)
    if row is None:
        raise NotFoundError(f"no user named {name!r}; see `jisik users list`")
    return row


def _group_row(session: Session, name: str) -> GroupRow:
    row = session.get(GroupRow, name)
    if row is None:
        raise NotFoundError(
            f"no group named {name!r}; create it first with `jisik groups add {name}`"
        )
    return row


def _key_row(user: str, key: str) -> ApiKeyRow:
    return ApiKeyRow(
        user_name=user,
        key_hash=hash_key(key),
        prefix=display_prefix(key),
        created_at=time.time(),
        revoked_at=None,
    )


def _user(row: UserRow, groups: Iterable[str]) -> User:
    return User(row.name, row.role, tuple(groups), row.disabled, row.created_at)


def _enabled_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(UserRow)
            .where(UserRow.role == ADMIN, UserRow.disabled.is_(False))
        )
        or 0
    )


def groups_of(session: Session, user: str) -> tuple[str, ...]:
    """A user's groups, read now (a change of membership applies to the next request)."""
    return tuple(
        session.scalars(
            select(UserGroupRow.group_name)
            .where(UserGroupRow.user_name == user)
            .order_by(UserGroupRow.group_name)
        )
    )


def _members_of(session: Session, group: str) -> tuple[str, ...]:
    return tuple(
        session.scalars(
            select(UserGroupRow.user_name)
            .where(UserGroupRow.group_name == group)
            .order_by(UserGroupRow.user_name)
        )
    )


def _memberships(session: Session) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for user, group in session.execute(
        select(UserGroupRow.user_name, UserGroupRow.group_name).order_by(UserGroupRow.group_name)
    ):
        found.setdefault(user, []).append(group)
    return {user: tuple(groups) for user, groups in found.items()}
