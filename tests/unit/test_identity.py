"""The identity store on a real SQLite database: keys, roles, groups, the admin guard."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from jisik.errors import ConflictError, InvalidInputError, NotFoundError
from jisik.identity import ROLES, IdentityStore, Principal
from jisik.identity.keys import hash_key
from jisik.index.base import PUBLIC
from jisik.store.database import migrate, open_engine, sqlite_url
from jisik.store.schema import Base


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jisik.db"


@pytest.fixture
def store(db_path: Path):
    engine = open_engine(sqlite_url(db_path))
    migrate(engine)
    yield IdentityStore(engine)
    engine.dispose()


def test_migrations_match_schema(store):
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_key_is_returned_once_and_only_its_hash_is_stored(store, db_path):
    store.add_group("hr")
    user, key = store.add_user("kim", "reader", ["hr"])
    assert user.name == "kim" and user.role == "reader" and user.groups == ("hr",)
    assert not user.disabled and user.created_at > 0
    assert key.startswith("jsk_") and len(key) > 40

    with sqlite3.connect(db_path) as raw:
        rows = raw.execute("SELECT key_hash, prefix, revoked_at FROM api_keys").fetchall()
        dump = "\n".join(raw.iterdump())
    assert rows == [(hash_key(key), key[:8], None)]
    assert key not in dump and key[8:] not in dump

    assert store.authenticate(key) == Principal("kim", "reader", frozenset({"hr"}))
    assert [k.prefix for k in store.keys("kim")] == [key[:8]]


def test_unknown_or_malformed_keys_prove_nothing(store):
    _, key = store.add_user("kim", "reader")
    assert store.authenticate(key + "x") is None
    assert store.authenticate("jsk_" + "a" * 43) is None
    assert store.authenticate("") is None
    assert store.authenticate("Bearer " + key) is None
    assert store.authenticate(key[:-1] + "A" * 500) is None


def test_rotate_disable_enable(store):
    store.add_user("root", "admin")
    _, first = store.add_user("kim", "editor")
    second = store.rotate_key("kim")
    assert second != first
    assert store.authenticate(first) is None
    assert store.authenticate(second).user == "kim"
    keys = store.keys("kim")
    assert [k.revoked_at is None for k in keys] == [True, False]

    assert store.disable("kim").disabled
    assert store.authenticate(second) is None
    assert not store.enable("kim").disabled
    assert store.authenticate(second).user == "kim"
    assert store.authenticate(first) is None  # enabling does not bring back revoked keys


def test_membership_changes_apply_to_the_next_authenticate(store):
    store.add_group("hr", "인사팀")
    store.add_group("인사팀")
    _, key = store.add_user("김민수", "reader")
    assert store.authenticate(key).groups == frozenset()
    assert store.authenticate(key).readers == frozenset({PUBLIC})

    group = store.add_member("인사팀", "김민수")
    assert group.members == ("김민수",)
    store.add_member("인사팀", "김민수")  # already a member: no change
    store.add_member("hr", "김민수")
    assert store.authenticate(key).readers == frozenset({"hr", "인사팀", PUBLIC})
    assert store.user("김민수").groups == ("hr", "인사팀")

    store.remove_member("hr", "김민수")
    assert store.authenticate(key).groups == frozenset({"인사팀"})
    assert [(g.name, g.description, g.members) for g in store.groups()] == [
        ("hr", "인사팀", ()),
        ("인사팀", "", ("김민수",)),
    ]


def test_principal_permissions_follow_the_role():
    def who(role: str) -> Principal:
        return Principal("u", role, frozenset({"hr"}))

    assert ROLES == ("admin", "editor", "reader", "auditor")
    assert who("admin").readers is None
    assert who("reader").readers == frozenset({"hr", PUBLIC})
    assert [r for r in ROLES if who(r).can_manage_documents] == ["admin", "editor"]
    assert [r for r in ROLES if who(r).can_manage_users] == ["admin"]
    assert [r for r in ROLES if who(r).can_audit] == ["admin", "auditor"]


def test_validation_names_the_problem_and_the_fix(store):
    with pytest.raises(InvalidInputError, match="admin, editor, reader, auditor"):
        store.add_user("kim", "boss")
    for bad in ("", "two words", "a*", "x" * 65, "a,b"):
        with pytest.raises(InvalidInputError, match="invalid user name"):
            store.add_user(bad, "reader")
    with pytest.raises(InvalidInputError, match="invalid group name"):
        store.add_group("*")
    with pytest.raises(NotFoundError, match="jisik groups add hr"):
        store.add_user("kim", "reader", ["hr"])
    assert store.users() == []  # nothing half-created

    store.add_user("kim.lee@example", "reader")
    with pytest.raises(ConflictError, match="already exists"):
        store.add_user("kim.lee@example", "admin")
    store.add_group("hr")
    with pytest.raises(ConflictError, match="already exists"):
        store.add_group("hr")

    with pytest.raises(NotFoundError, match="no user named 'lee'"):
        store.disable("lee")
    with pytest.raises(NotFoundError, match="no user named 'lee'"):
        store.rotate_key("lee")
    with pytest.raises(NotFoundError, match="no user named 'lee'"):
        store.add_member("hr", "lee")
    with pytest.raises(NotFoundError, match="no group named 'ops'"):
        store.group("ops")
    with pytest.raises(NotFoundError, match="no group named 'ops'"):
        store.remove_member("ops", "kim.lee@example")


def test_the_last_enabled_admin_cannot_be_disabled(store):
    assert not store.has_admin()
    store.add_user("root", "admin")
    store.add_user("kim", "reader")
    assert store.has_admin()
    with pytest.raises(ConflictError, match="last enabled admin.*--role admin"):
        store.disable("root")
    assert not store.user("root").disabled and store.has_admin()

    store.add_user("second", "admin")
    store.disable("root")
    with pytest.raises(ConflictError, match="last enabled admin"):
        store.disable("second")
    store.disable("kim")  # other roles are never guarded
    store.disable("root")  # already disabled: still fine
    assert [u.name for u in store.users() if not u.disabled] == ["second"]
