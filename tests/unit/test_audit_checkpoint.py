"""The signed checkpoint of the audit trail's head, and every way around it failing.

Signatures are checked here with ``cryptography`` over canonical JSON written by the
test (``audit_tamper``), and forged checkpoints are signed the same way.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from jisik.audit.chain import AuditLog, Link
from jisik.audit.checkpoint import CheckpointError
from jisik.keys import public_key_file, read_public_key_file
from jisik.store.database import open_engine, sqlite_url
from tests.unit.audit_tamper import (
    canonical,
    checkpoint_file,
    home_key,
    new_home,
    put,
    read_checkpoint,
    rehash,
    rewrite_from,
    row,
    rows,
    signed,
    sql,
    write_checkpoint,
)

HOME = "the home's checkpoint"
EXPORTED = "the exported checkpoint"
REWRITTEN = "is not the event it signed: the trail was rewritten up to there"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return new_home(tmp_path / "home")


@pytest.fixture
def log(home: Path) -> AuditLog:
    audit = AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)
    for i in range(5):  # event 1, the first checkpoint's anchor (2), then 3..6
        audit.append("ask", f"user:u{i}", f"trace{i}", question=f"질문 {i}")
    return audit


def fresh(home: Path) -> AuditLog:
    """Another process's view of the same home."""
    return AuditLog(open_engine(sqlite_url(home / "jisik.db")), home=home)


def test_the_checkpoint_signs_the_head(log, home):
    db = home / "jisik.db"
    assert [r["action"] for r in rows(db)] == ["ask", "audit.anchor", "ask", "ask", "ask", "ask"]
    document = read_checkpoint(home)
    assert checkpoint_file(home).stat().st_size == 512
    body = {k: v for k, v in document.items() if k != "signature"}
    assert body["checkpoint"] == "jisik audit checkpoint" and body["version"] == 1
    assert (body["seq"], body["events"], body["hash"]) == (6, 6, rows(db)[-1]["hash"])
    assert document["signature"]["algorithm"] == "Ed25519"
    home_key(home).public_key().verify(
        bytes.fromhex(document["signature"]["value"]), canonical(body).encode("utf-8")
    )
    check = log.verify()
    assert check.ok and check.checkpoint_seq == 6 and check.unanchored == 0
    raw = home_key(home).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert document["signature"]["key_id"] == hashlib.sha256(raw).hexdigest()[:16]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["at"])
    anchor = row(db, 2)
    assert anchor["actor"] == "system:audit" and anchor["trace_id"] == ""
    assert anchor["payload_json"] == canonical(
        {"reason": "first checkpoint", "actor": "system:audit", "trace_id": ""}
    )


def test_ordinary_appends_log_nothing(log, caplog):
    with caplog.at_level(logging.DEBUG, logger="jisik.audit"):
        log.append("ask", "user:a", "", question="q")
        log.redact([1], "erasure")
    assert caplog.records == []


@pytest.mark.parametrize("k", [1, 2, 3])
def test_deleting_the_last_events_is_detected(log, home, k):
    sql(home / "jisik.db", "DELETE FROM audit_events WHERE seq > ?", 6 - k)
    removed = "1 event" if k == 1 else f"{k} events"
    found = fresh(home).verify().problems
    assert f"{HOME}: event 6, the head it signed, is missing: {removed} removed from the end" in (
        found
    )
    assert any(
        p.startswith(f"{HOME} counted 6 events") and p.endswith(f"{removed} removed") for p in found
    )
    assert len(found) == 2


def test_a_deleted_checkpoint_is_reported_not_recreated_until_reanchored(log, home):
    checkpoint_file(home).unlink()
    missing = f"{HOME} is missing: restore audit-checkpoint.json from a backup"
    assert fresh(home).verify().problems == (
        (
            f"{missing}, or re-anchor the trail as it is now with `jisik audit checkpoint "
            "--reanchor` (recorded in the trail)"
        ),
    )
    other = fresh(home)
    other.append("ask", "user:x", "t", question="다음 질문")  # does not cover up the gap
    assert not checkpoint_file(home).exists()
    assert any(p.startswith(missing) for p in other.verify().problems)

    document = other.reanchor("cli:dpo")
    check = other.verify()
    assert check.ok and check.checkpoint_seq == 8 == document["seq"]
    anchor = [e for e in other.events() if e.action == "audit.anchor"][-1]
    assert anchor.seq == 8 and anchor.actor == "cli:dpo"
    assert anchor.payload["previous"] == "missing" and anchor.payload["events_before"] == 7
    assert any(p.startswith(missing) for p in anchor.payload["problems"])


def test_a_rolled_back_checkpoint_with_a_truncated_trail_is_caught_by_an_exported_one(log, home):
    db = home / "jisik.db"
    old = read_checkpoint(home)  # signed at event 6
    exported = log.export_checkpoint("cli:auditor", "/elsewhere/cp.json")  # event 7
    assert exported["seq"] == 7 and row(db, 7)["action"] == "audit.checkpoint"
    assert row(db, 7)["payload_json"] == canonical(
        {"out": "/elsewhere/cp.json", "actor": "cli:auditor", "trace_id": ""}
    )
    for i in range(3):
        log.append("search", "user:y", "", query=str(i))
    # The attacker holds the home: drops events 7..10 and puts the old checkpoint back.
    sql(db, "DELETE FROM audit_events WHERE seq > 6")
    write_checkpoint(home, old)
    assert fresh(home).verify().ok  # the home alone cannot tell (see the module doc)
    found = fresh(home).verify(exported).problems
    assert found == (
        f"{EXPORTED} counted 7 events ({exported['at']}); the trail holds 6: 1 event removed",
        f"{EXPORTED}: event 7, the head it signed, is missing: 1 event removed from the end",
        f"{HOME} (event 6) is older than the exported one (event 7): it was rolled back",
    )


def test_a_rolled_back_checkpoint_alone_hides_nothing_and_moves_on(log, home):
    old = read_checkpoint(home)
    log.append("search", "user:y", "", query="q")
    write_checkpoint(home, old)
    check = fresh(home).verify()
    assert check.ok and check.checkpoint_seq == 6 and check.unanchored == 1
    fresh(home).append("search", "user:y", "", query="q2")
    assert read_checkpoint(home)["seq"] == 8


def test_a_checkpoint_signed_by_another_key_is_rejected_and_not_moved(log, home, caplog):
    db = home / "jisik.db"
    body = {k: v for k, v in read_checkpoint(home).items() if k != "signature"}
    forged = signed(body, Ed25519PrivateKey.generate())
    write_checkpoint(home, forged)
    bad = f"{HOME}: its signature does not verify against the public key"
    assert any(p.startswith(bad) for p in fresh(home).verify().problems)
    later = fresh(home)
    with caplog.at_level(logging.WARNING, logger="jisik.audit.chain"):
        later.append("search", "user:y", "", query="q")
        later.append("search", "user:y", "", query="q2")  # warned once, not per question
    assert read_checkpoint(home) == forged  # left as evidence
    assert [r.getMessage()[:40] for r in caplog.records] == [
        "audit checkpoint not moved to event 7: t"
    ]
    assert "signature does not verify" in caplog.text
    # A field edited after signing, with the home's own key's signature kept:
    honest = signed(body, home_key(home))
    write_checkpoint(home, {**honest, "seq": 5, "hash": row(db, 5)["hash"]})
    assert any(p.startswith(bad) for p in fresh(home).verify().problems)
    write_checkpoint(home, honest)
    assert fresh(home).verify().ok


def test_a_rewritten_tail_is_caught_by_the_checkpoint_and_not_laundered(log, home):
    db = home / "jisik.db"
    put(db, 4, payload_json=row(db, 4)["payload_json"].replace("질문 2", "질문 9"))
    rewrite_from(db, 4)  # every hash and link recomputed from event 4 on
    assert AuditLog(open_engine(sqlite_url(db))).verify().ok  # the chain alone: fine
    assert fresh(home).verify().problems == (f"{HOME}: event 6 {REWRITTEN}",)
    fresh(home).append("ask", "user:z", "", question="다음")  # must not sign the rewrite
    assert read_checkpoint(home)["seq"] == 6
    assert fresh(home).verify().problems == (f"{HOME}: event 6 {REWRITTEN}",)
    with pytest.raises(CheckpointError, match="--reanchor"):
        fresh(home).export_checkpoint("cli:auditor")


def test_the_last_event_edited_with_both_hashes_recomputed_fails_on_the_checkpoint(log, home):
    db = home / "jisik.db"
    put(db, 6, payload_json=row(db, 6)["payload_json"].replace("질문 4", "질문 9"))
    rehash(db, 6)
    assert fresh(home).verify().problems == (f"{HOME}: event 6 {REWRITTEN}",)


def test_truncation_is_found_with_only_an_exported_checkpoint_and_the_public_key(
    log, home, tmp_path
):
    exported = log.export_checkpoint("cli:auditor")
    key_file = tmp_path / "jisik-public.key"
    key_file.write_text(public_key_file(home_key(home).public_key()), encoding="utf-8")
    copy = tmp_path / "auditor-copy"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("secrets"))
    public = read_public_key_file(key_file)
    audit = AuditLog(open_engine(sqlite_url(copy / "jisik.db")), home=copy)
    assert audit.verify(exported, public).ok
    no_key = audit.verify(exported).problems
    assert any(p.startswith(f"{EXPORTED}: this home has no signing key") for p in no_key)
    sql(copy / "jisik.db", "DELETE FROM audit_events WHERE seq > 4")
    found = audit.verify(exported, public).problems
    assert (
        f"{EXPORTED}: event 7, the head it signed, is missing: 3 events removed from the end"
        in (found)
    )
    bare = AuditLog(open_engine(sqlite_url(copy / "jisik.db")))  # no home at all
    assert not bare.verify(exported, public).ok
    assert not (copy / "secrets").exists()  # checking created no key


def test_a_checkpoint_that_is_not_one_is_reported(log, home):
    checkpoint_file(home).write_text("{half", encoding="utf-8")
    assert any("is not JSON" in p for p in fresh(home).verify().problems)
    assert (
        fresh(home)
        .verify({"seq": 1})
        .problems[-1]
        .startswith(f"{EXPORTED}: it is not a jisik audit checkpoint")
    )


def test_the_checkpoint_never_moves_back(log, home):
    a, b = fresh(home), fresh(home)
    seq = a.append("ask", "user:a", "", question="a")  # a signed seq and remembers it
    b.append("ask", "user:b", "", question="b")
    b.append("ask", "user:b", "", question="c")
    assert read_checkpoint(home)["seq"] == seq + 2
    db = home / "jisik.db"
    late = Link(seq + 1, row(db, seq + 1)["hash"], seq, row(db, seq)["hash"])
    assert a._advance(late) is None  # as if a had written seq + 1 and come late: no refusal
    assert read_checkpoint(home)["seq"] == seq + 2
    assert a._advance(Link(seq, row(db, seq)["hash"], seq - 1, row(db, seq)["prev_hash"])) is None
    assert read_checkpoint(home)["seq"] == seq + 2


def test_concurrent_writers_sharing_a_home_keep_the_checkpoint_at_the_head(home):
    logs = [fresh(home) for _ in range(4)]

    def write(audit: AuditLog, n: int) -> None:
        for i in range(15):
            audit.append("search", f"user:w{n}", query=f"{n}-{i}")

    threads = [threading.Thread(target=write, args=(audit, n)) for n, audit in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = fresh(home).verify()
    assert check.ok and check.events == 61 and check.checkpoint_seq == 61, check


def test_a_trail_never_anchored_is_anchored_by_its_first_home_append(home):
    bare = AuditLog(open_engine(sqlite_url(home / "jisik.db")))  # e.g. an older jisik
    bare.append("admin.users.add", "cli:root", "", user="kim")
    check = fresh(home).verify()
    assert check.ok and check.checkpoint_seq is None and check.unanchored == 1
    fresh(home).append("ask", "user:kim", "", question="질문")
    assert [r["action"] for r in rows(home / "jisik.db")] == [
        "admin.users.add",
        "ask",
        "audit.anchor",
    ]
    assert read_checkpoint(home)["seq"] == 3 and fresh(home).verify().ok


def test_redaction_moves_the_checkpoint_to_the_redaction_event(log, home):
    assert log.redact([1, 3], "erasure") == 2
    document = read_checkpoint(home)
    assert document["seq"] == 7 and row(home / "jisik.db", 7)["action"] == "audit.redact"
    assert fresh(home).verify().ok


def test_exported_checkpoints_are_plain_json(log, home, tmp_path):
    exported = log.export_checkpoint("cli:auditor", "x")
    path = tmp_path / "cp.json"
    path.write_text(json.dumps(exported, indent=2), encoding="utf-8")
    assert fresh(home).verify(json.loads(path.read_text(encoding="utf-8"))).ok


@pytest.mark.parametrize(("cut", "regrow"), [(2, 2), (3, 1), (1, 3)])
def test_a_trail_cut_back_and_grown_again_keeps_the_evidence(log, home, cut, regrow):
    db = home / "jisik.db"
    signed_head = read_checkpoint(home)
    sql(db, "DELETE FROM audit_events WHERE seq > ?", 6 - cut)
    later = fresh(home)
    for i in range(regrow):
        later.append("ask", "user:x", "", question=f"새 질문 {i}")
    assert read_checkpoint(home) == signed_head  # never re-signed over the cut
    found = fresh(home).verify().problems
    if 6 - cut + regrow >= 6:
        assert found == (f"{HOME}: event 6 {REWRITTEN}",)
    else:
        gone = cut - regrow
        removed = "1 event" if gone == 1 else f"{gone} events"
        assert (
            f"{HOME}: event 6, the head it signed, is missing: {removed} removed from the end"
            in (found)
        )


def test_a_checkpoint_of_another_version_is_refused_even_when_signed(log, home):
    body = {k: v for k, v in read_checkpoint(home).items() if k != "signature"}
    write_checkpoint(home, signed({**body, "version": 2}, home_key(home)))
    assert fresh(home).verify().problems == (
        f"{HOME}: it is a malformed jisik audit checkpoint (version 1 expected)",
    )


def test_events_appended_without_the_home_are_counted_when_the_checkpoint_moves(log, home):
    bare = AuditLog(open_engine(sqlite_url(home / "jisik.db")))  # e.g. the identity store
    bare.append("admin.users.add", "cli:root", "", user="kim")
    bare.append("admin.users.add", "cli:root", "", user="lee")
    assert fresh(home).verify().unanchored == 2
    log.append("ask", "user:kim", "", question="질문")
    document = read_checkpoint(home)
    assert document["seq"] == 9 and document["events"] == len(rows(home / "jisik.db")) == 9


def test_the_signed_head_removed_from_the_middle_is_reported(log, home):
    bare = AuditLog(open_engine(sqlite_url(home / "jisik.db")))
    bare.append("admin.users.add", "cli:root", "", user="kim")  # 7, 8: not yet signed
    bare.append("admin.users.add", "cli:root", "", user="lee")
    sql(home / "jisik.db", "DELETE FROM audit_events WHERE seq = 6")
    assert fresh(home).verify().problems == (
        "event 6 is missing (next is 7)",
        "event 7 does not follow the event before it",
        f"{HOME}: event 6, the head it signed, is missing",
    )


@pytest.mark.parametrize("signature", [None, "abc", {"algorithm": "RSA", "value": "00"}])
def test_a_checkpoint_without_an_ed25519_signature_is_rejected(log, home, signature):
    document = {**read_checkpoint(home), "signature": signature}
    write_checkpoint(home, document)
    assert fresh(home).verify().problems == (f"{HOME}: it carries no Ed25519 signature",)


@pytest.mark.parametrize(
    "fields",
    [
        {"seq": 0},
        {"seq": -1},
        {"seq": True},
        {"seq": "6"},
        {"events": 0},
        {"hash": 7},
        {"at": None},
    ],
)
def test_a_signed_checkpoint_with_bad_fields_is_refused(log, home, fields):
    body = {k: v for k, v in read_checkpoint(home).items() if k != "signature"}
    write_checkpoint(home, signed({**body, **fields}, home_key(home)))
    assert fresh(home).verify().problems == (
        f"{HOME}: it is a malformed jisik audit checkpoint (version 1 expected)",
    )


def test_reanchoring_over_an_unreadable_checkpoint_records_why(log, home):
    checkpoint_file(home).write_text("{half", encoding="utf-8")
    document = fresh(home).reanchor("cli:dpo")
    anchor = [e for e in log.events() if e.action == "audit.anchor"][-1]
    assert anchor.payload["reason"] == "reanchor" and anchor.payload["problems_total"] == 1
    assert anchor.payload["previous"].startswith("unreadable: ")
    assert document["seq"] == anchor.seq == 7 and fresh(home).verify().ok


def test_a_restored_checkpoint_of_another_size_is_replaced_whole(log, home):
    document = read_checkpoint(home)
    checkpoint_file(home).write_text(json.dumps(document, indent=12) + "\n" * 300, "utf-8")
    assert checkpoint_file(home).stat().st_size > 512 and fresh(home).verify().ok
    fresh(home).append("ask", "user:a", "", question="q")
    assert checkpoint_file(home).stat().st_size == 512
    assert read_checkpoint(home)["seq"] == 7 and fresh(home).verify().ok


def test_an_empty_trail_can_be_anchored(home):
    assert fresh(home).verify().ok and fresh(home).verify().unanchored == 0
    document = fresh(home).reanchor("cli:root")
    assert (document["seq"], document["events"]) == (1, 1) and fresh(home).verify().ok


def test_a_trail_wiped_with_its_checkpoint_is_shown_only_by_an_exported_one(log, home):
    # The documented limit: back to before the first anchor, a trail looks never anchored.
    exported = log.export_checkpoint("cli:auditor")
    sql(home / "jisik.db", "DELETE FROM audit_events")
    checkpoint_file(home).unlink()
    fresh(home).append("ask", "user:x", "", question="처음부터")
    assert fresh(home).verify().ok
    found = fresh(home).verify(exported).problems
    assert f"{EXPORTED}: event 7 {REWRITTEN}" not in found
    assert any(p.startswith(f"{EXPORTED}: event 7, the head it signed, is missing") for p in found)
