"""Random tampering at random places of random audit trails: ``verify`` must never say ok.

The trail has a home (so a signed checkpoint) and, sometimes, redactions. Each
tamper is one an attacker with write access to the database could make, hashes
recomputed with hashlib where the attack calls for it (``audit_tamper``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jisik.audit.chain import AuditLog
from jisik.store.database import open_engine, sqlite_url
from tests.unit.audit_tamper import (
    canonical,
    checkpoint_file,
    fake_redaction,
    new_home,
    put,
    read_payload_of,
    rehash,
    rewrite_from,
    rows,
    sql,
)

ACTIONS = ("ask", "search", "documents.add", "admin.users.add")
TAMPERS = (
    "delete_tail",
    "delete_one",
    "edit",
    "edit_rehash_content",
    "edit_rehash_both",
    "rewrite_tail",
    "fake_redaction",
    "swap_and_rewrite",
    "change_time",
    "delete_checkpoint",
    "drop_tail_and_checkpoint",
)

events = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.text(min_size=1, max_size=12)), min_size=2, max_size=9
)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return new_home(tmp_path_factory.mktemp("template") / "home")


def _edited(row: dict) -> str:
    payload = read_payload_of(row)
    payload["tampered"] = True  # a redacted row must then hold only its three keys: it fails
    return canonical(payload)


def _tamper(home: Path, kind: str, data: st.DataObject) -> None:
    db = home / "jisik.db"
    present = rows(db)
    pick = data.draw(st.sampled_from(present), label="event")
    seq = pick["seq"]
    if kind == "delete_checkpoint":
        checkpoint_file(home).unlink()
    elif kind == "drop_tail_and_checkpoint":  # then let the trail grow again
        # Not back to before the first anchor: that trail looks never anchored, which only
        # an exported checkpoint shows (test_audit_checkpoint, the documented limit).
        anchor = next(r["seq"] for r in present if r["action"] == "audit.anchor")
        cut = data.draw(st.integers(anchor + 1, len(present) + 1), label="cut")
        sql(db, "DELETE FROM audit_events WHERE seq >= ?", cut)
        checkpoint_file(home).unlink()
        AuditLog(open_engine(sqlite_url(db)), home=home).append("ask", "user:x", "", text="x")
    elif kind == "delete_tail":
        k = data.draw(st.integers(1, len(present)), label="k")
        sql(db, "DELETE FROM audit_events WHERE seq > ?", len(present) - k)
    elif kind == "delete_one":
        sql(db, "DELETE FROM audit_events WHERE seq = ?", seq)
    elif kind == "change_time":
        put(db, seq, at=pick["at"] + 1)
    elif kind == "fake_redaction":
        plain = [r for r in present if not r["redacted"]]
        target = data.draw(st.sampled_from(plain), label="target")["seq"]
        named = data.draw(st.none() | st.integers(1, len(present) + 2), label="redaction_seq")
        fake_redaction(db, target, **({} if named is None else {"redaction_seq": named}))
    elif kind == "swap_and_rewrite":
        other = data.draw(st.sampled_from([r for r in present if r["seq"] != seq]), label="other")
        columns = ("at", "action", "actor", "trace_id", "payload_json", "salt", "redacted")
        put(db, seq, **{c: other[c] for c in columns}, payload_hash=other["payload_hash"])
        put(db, other["seq"], **{c: pick[c] for c in columns}, payload_hash=pick["payload_hash"])
        rewrite_from(db, min(seq, other["seq"]))
    else:
        put(db, seq, payload_json=_edited(pick))
        if kind == "edit_rehash_content":
            rehash(db, seq, own_link=False)
        elif kind == "edit_rehash_both":
            rehash(db, seq)
        elif kind == "rewrite_tail":
            rewrite_from(db, seq)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chain=events, redact=st.lists(st.integers(1, 9), max_size=4), data=st.data())
def test_no_tamper_anywhere_verifies(template, chain, redact, data):
    kind = data.draw(st.sampled_from(TAMPERS), label="tamper")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(template, home)
        audit = AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)
        for action, text in chain:
            audit.append(action, "user:fuzz", "", text=text)
        audit.redact(redact, "erasure")
        assert audit.verify().ok
        audit.engine.dispose()
        _tamper(home, kind, data)
        later = AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)
        check = later.verify()
        later.engine.dispose()
        assert not check.ok, kind
