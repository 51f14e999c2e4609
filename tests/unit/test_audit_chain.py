"""The hash-chained audit trail and the answer registry, on a real SQLite file.

Every expected hash is recomputed here with hashlib (``audit_tamper``), never with
jisik's own functions; every integrity check is shown failing on its own tamper.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry
from jisik.audit.retention import prune
from jisik.errors import InvalidInputError, JisikError
from jisik.store.database import migrate, open_engine, sqlite_url
from tests.unit.audit_tamper import (
    ZERO,
    canonical,
    fake_redaction,
    link,
    put,
    rehash,
    row,
    rows,
    sha,
    sql,
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "jisik.db"
    migrate(open_engine(sqlite_url(path)))
    return path


@pytest.fixture
def audit(db: Path) -> AuditLog:
    log = AuditLog(open_engine(sqlite_url(db)))
    for i in range(5):
        log.append("ask", f"user:u{i}", f"trace{i}", question=f"질문 {i}", sources=[])
    return log


def problems(audit: AuditLog) -> tuple[str, ...]:
    check = audit.verify()
    assert check.ok is not bool(check.problems)
    return check.problems


def test_an_untouched_chain_verifies_and_matches_the_documented_hashes(audit, db):
    check = audit.verify()
    assert check.ok and check.events == 5 and not check.problems
    assert [e.payload["question"] for e in audit.events()] == [f"질문 {i}" for i in range(5)]
    prev = ZERO
    for r in rows(db):
        assert r["prev_hash"] == prev
        assert r["payload_hash"] == sha(r["salt"] + r["payload_json"])
        assert r["hash"] == link(prev, r["seq"], r["at"], r["action"], r["payload_hash"])
        prev = r["hash"]
    assert check.head == prev and check.checkpoint_seq is None and check.unanchored == 0
    assert all(len(r["salt"]) == 32 and int(r["salt"], 16) >= 0 for r in rows(db))
    assert [e.hash for e in audit.events()] == [r["hash"] for r in rows(db)]
    assert audit.count() == 5
    first = row(db, 1)
    assert first["payload_json"] == canonical(
        {"question": "질문 0", "sources": [], "actor": "user:u0", "trace_id": "trace0"}
    )


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            (
                "UPDATE audit_events SET payload_json = replace(payload_json, '질문 2', '질문 9') "
                "WHERE seq = 3"
            ),
            "event 3: the content was changed",
        ),
        ("DELETE FROM audit_events WHERE seq = 2", "event 2 is missing (next is 3)"),
        ("UPDATE audit_events SET action = 'search' WHERE seq = 4", "event 4: its hash does not"),
        ("UPDATE audit_events SET at = at - 100 WHERE seq = 1", "event 1: its hash does not"),
        ("UPDATE audit_events SET actor = 'user:someone' WHERE seq = 5", "event 5: its user"),
        ("UPDATE audit_events SET trace_id = 'other' WHERE seq = 5", "event 5: its user"),
        ("UPDATE audit_events SET salt = '00' WHERE seq = 2", "event 2: the content was changed"),
        (
            "UPDATE audit_events SET redacted = 1 WHERE seq = 2",
            "event 2: marked redacted but holds content",
        ),
    ],
)
def test_every_kind_of_tampering_is_detected(audit, db, tamper, expected):
    sql(db, tamper)
    found = problems(audit)
    assert any(p.startswith(expected) for p in found), found


def test_an_edit_with_its_content_hash_recomputed_fails_on_the_link(audit, db):
    r = row(db, 3)
    put(db, 3, payload_json=r["payload_json"].replace("질문 2", "질문 9"))
    rehash(db, 3, own_link=False)  # payload_hash now matches the edited content
    assert problems(audit) == ("event 3: its hash does not match its time, action and content",)


def test_an_edit_with_both_hashes_recomputed_fails_on_the_next_events_link(audit, db):
    r = row(db, 3)
    put(db, 3, payload_json=r["payload_json"].replace("질문 2", "질문 9"))
    rehash(db, 3)
    assert problems(audit) == ("event 4 does not follow the event before it",)


def test_without_a_checkpoint_a_rewritten_last_event_goes_unseen(audit, db):
    # Why the checkpoint exists (test_audit_checkpoint shows it catching this).
    r = row(db, 5)
    put(db, 5, payload_json=r["payload_json"].replace("질문 4", "질문 9"))
    rehash(db, 5)
    sql(db, "DELETE FROM audit_events WHERE seq = 5")
    assert audit.verify().ok


def test_reordering_is_detected(audit, db):
    # Swap the contents of events 2 and 3 (seq kept): the links no longer follow.
    with sqlite3.connect(db) as connection:
        swapped = connection.execute(
            "SELECT seq, at, action, actor, trace_id, payload_json, salt, payload_hash, hash "
            "FROM audit_events WHERE seq IN (2, 3) ORDER BY seq"
        ).fetchall()
        connection.execute("UPDATE audit_events SET prev_hash = prev_hash || 'x'")
        for (seq, *_), (_, *content) in zip(swapped, reversed(swapped), strict=True):
            connection.execute(
                "UPDATE audit_events SET at=?, action=?, actor=?, trace_id=?, payload_json=?, "
                "salt=?, payload_hash=?, hash=? WHERE seq=?",
                (*content, seq),
            )
    assert not audit.verify().ok


def test_swapped_sequence_numbers_are_detected(audit, db):
    # Renumber 2 <-> 3 with every hash of both rows recomputed for its new place.
    sql(db, "UPDATE audit_events SET seq = 100 WHERE seq = 2")
    sql(db, "UPDATE audit_events SET seq = 2 WHERE seq = 3")
    sql(db, "UPDATE audit_events SET seq = 3 WHERE seq = 100")
    sql(db, "UPDATE audit_events SET prev_hash = 'a' WHERE seq = 2")
    sql(db, "UPDATE audit_events SET prev_hash = 'b' WHERE seq = 3")
    one = row(db, 1)["hash"]
    put(db, 2, prev_hash=one)
    rehash(db, 2, content=False)
    put(db, 3, prev_hash=row(db, 2)["hash"])
    rehash(db, 3, content=False)
    assert problems(audit) == ("event 4 does not follow the event before it",)


@pytest.mark.parametrize("payload", ["{broken", "[1, 2]", "null"])
def test_a_payload_that_is_not_json_is_reported_not_raised(audit, db, payload):
    put(db, 2, payload_json=payload)
    rehash(db, 2)
    found = problems(audit)
    assert "event 2: its content is not a JSON object" in found
    assert [e.payload for e in audit.events()][1] == {}


# --- redaction ------------------------------------------------------------------


def test_redaction_removes_content_and_is_bound_to_the_trail(audit, db):
    before = {r["seq"]: r for r in rows(db)}
    assert audit.redact([2, 3], "erasure") == 2
    check = audit.verify()
    assert check.ok, check.problems
    redacted = [e for e in audit.events() if e.redacted]
    assert [e.seq for e in redacted] == [2, 3]
    assert all(e.actor == "" and "질문" not in str(e.payload) for e in redacted)
    assert all(
        e.payload == {"redacted": True, "reason": "erasure", "redaction_seq": 6} for e in redacted
    )
    # The redaction is event 6, listing what it replaced: computed here from the rows before.
    event = row(db, 6)
    assert event["action"] == "audit.redact" and event["prev_hash"] == before[5]["hash"]
    listed = canonical(
        {
            "reason": "erasure",
            "events": [
                {
                    "seq": s,
                    "payload_hash": sha(before[s]["salt"] + before[s]["payload_json"]),
                    "hash": before[s]["hash"],
                }
                for s in (2, 3)
            ],
            "actor": "system:audit",
            "trace_id": "",
        }
    )
    assert event["payload_json"] == listed
    assert all(row(db, s)["payload_hash"] == before[s]["payload_hash"] for s in (2, 3))
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump())
    assert "질문 1" not in dump and "user:u1" not in dump
    assert audit.find(["질문 1", "u2"]) == []


def test_redaction_events_are_not_redacted_nor_found(audit):
    audit.redact([1], "erasure")
    assert audit.redact([6], "erasure") == 0  # event 6 is the redaction
    assert audit.redact([1, 6], "erasure") == 0  # 1 is already redacted
    assert audit.find(["system:audit", "erasure"]) == []
    assert audit.verify().ok


def test_a_row_rewritten_to_look_redacted_is_reported(audit, db):
    fake_redaction(db, 2)  # payload blanked, salt emptied, payload_hash and hash kept
    assert problems(audit) == (
        (
            "event 2: marked redacted without a redaction event (forged, or redacted before "
            "jisik bound redactions to the trail)"
        ),
    )


def test_a_fake_redaction_naming_a_real_redaction_event_is_reported(audit, db):
    audit.redact([1], "erasure")  # event 6
    fake_redaction(db, 2, redaction_seq=6)
    assert problems(audit) == ("event 2: marked redacted, but redaction event 6 does not list it",)


def test_a_fake_redaction_naming_another_event_is_reported(audit, db):
    fake_redaction(db, 2, redaction_seq=4)
    assert problems(audit) == ("event 2: marked redacted by event 4, which is not a redaction",)


def test_a_redaction_event_edited_to_list_another_hash_is_reported(audit, db):
    audit.redact([2], "erasure")
    event = row(db, 6)
    original = row(db, 2)
    edited = event["payload_json"].replace(original["payload_hash"], sha("something else"))
    put(db, 6, payload_json=edited)
    assert "event 6: the content was changed" in problems(audit)
    rehash(db, 6)  # content hash and link recomputed: the binding itself fails
    assert problems(audit) == (
        "event 2 is not the event redaction 6 blanked: its content hash or link was changed since",
    )


def test_an_event_restored_after_redaction_is_reported(audit, db):
    original = row(db, 2)
    audit.redact([2, 3], "erasure")  # event 6 lists 2 then 3; only 2 is put back
    put(
        db,
        2,
        payload_json=original["payload_json"],
        salt=original["salt"],
        actor=original["actor"],
        trace_id=original["trace_id"],
        redacted=0,
    )
    assert problems(audit) == (
        (
            "redaction event 6 lists event 2, which is not redacted by it (restored from a "
            "backup, or the list was edited)"
        ),
    )


def test_a_redacted_row_holding_content_is_reported(audit, db):
    audit.redact([2], "erasure")
    for column, value in (("actor", "user:x"), ("salt", "ab"), ("trace_id", "t")):
        put(db, 2, **{column: value})
        assert problems(audit) == ("event 2: marked redacted but holds content",), column
        put(db, 2, **{column: ""})
    put(db, 2, payload_json=canonical({"redacted": True, "redaction_seq": 6, "question": "x"}))
    assert problems(audit) == ("event 2: marked redacted but holds content",)
    put(db, 2, payload_json=canonical({"redacted": False, "reason": "x", "redaction_seq": 6}))
    assert problems(audit) == ("event 2: marked redacted but holds content",)
    assert audit.verify().ok is False


@pytest.mark.parametrize(
    "events",
    [
        [{"seq": "2", "payload_hash": "a", "hash": "b"}],
        [{"seq": 2, "payload_hash": "a"}],
        [{"seq": 2, "hash": "b"}],
        ["2"],
        {"seq": 2},
    ],
)
def test_a_malformed_redaction_list_is_reported(audit, db, events):
    audit.redact([2], "erasure")
    body = canonical(
        {"reason": "erasure", "events": events, "actor": "system:audit", "trace_id": ""}
    )
    put(db, 6, payload_json=body)
    rehash(db, 6)
    found = problems(audit)
    assert "event 6: its list of redacted events is malformed" in found
    assert "event 2: marked redacted, but redaction event 6 does not list it" in found


def test_concurrent_writers_keep_one_linear_chain(db):
    logs = [AuditLog(open_engine(sqlite_url(db))) for _ in range(4)]  # separate engines

    def write(log: AuditLog, n: int) -> None:
        for i in range(25):
            log.append("search", f"user:w{n}", query=f"{n}-{i}")

    threads = [threading.Thread(target=write, args=(log, n)) for n, log in enumerate(logs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check = logs[0].verify()
    assert check.ok and check.events == 100


def test_answer_registry_finds_whole_answers_and_sentences(db):
    registry = AnswerRegistry(open_engine(sqlite_url(db)))
    answer = (
        "신입사원은 입사 첫해에 매달 1일의 유급휴가를 받습니다. 2년차부터는 연 15일이 부여됩니다."
    )
    registry.register(answer, "t1")
    assert [p.trace_id for p in registry.lookup(answer)] == ["t1"]
    assert registry.lookup("  " + answer.replace(" ", "  "))[0].whole  # whitespace-insensitive
    sentence = registry.lookup("그리고 2년차부터는 연 15일이 부여됩니다.")
    assert sentence == [] or not sentence[0].whole
    part = registry.lookup("2년차부터는 연 15일이 부여됩니다.")
    assert part and not part[0].whole
    assert registry.lookup("전혀 다른 문장이 여기 있습니다.") == []
    assert registry.forget(["t1"]) >= 2 and registry.lookup(answer) == []


def test_retention_keeps_the_floor_and_redacts_older_question_logs(audit, db):
    registry = AnswerRegistry(audit.engine)
    registry.register("오래된 답변 문장이 여기에 있습니다.", "trace1")
    audit.append("admin.users.add", "cli:root", user="kim")
    with pytest.raises(InvalidInputError, match="at least 183 days"):
        prune(audit, registry, 30, 183, "cli:root")
    result = prune(audit, registry, 0, 0, "cli:root")
    assert result["redacted_events"] == 5 and result["forgotten_answer_hashes"] >= 1
    assert abs(result["cutoff"] - time.time()) < 60
    kept = [e for e in audit.events() if not e.redacted]
    assert [e.action for e in kept] == ["admin.users.add", "audit.redact", "audit.prune"]
    assert kept[-1].actor == "cli:root" and len(kept[-1].trace_id) == 32
    assert {k: v for k, v in kept[-1].payload.items() if k not in ("actor", "trace_id")} == {
        "older_than_days": 0,
        "redacted_events": 5,
        "forgotten_answer_hashes": result["forgotten_answer_hashes"],
    }
    assert audit.verify().ok
    fake_redaction(db, 6)  # the admin event: retention never blanks it, so this is forged
    assert not audit.verify().ok


def test_a_redacted_row_pointing_at_another_redaction_event_is_reported(audit, db):
    audit.redact([1], "erasure")  # event 6
    audit.redact([2], "retention")  # event 7
    put(db, 1, payload_json=canonical({"redacted": True, "reason": "erasure", "redaction_seq": 7}))
    assert problems(audit) == (
        (
            "redaction event 6 lists event 1, which is not redacted by it (restored from a "
            "backup, or the list was edited)"
        ),
        "event 1: marked redacted, but redaction event 7 does not list it",
    )


def test_a_redaction_seq_that_is_not_a_number_counts_as_none(audit, db):
    audit.redact([1], "erasure")  # event 6
    fake_redaction(db, 2, redaction_seq="6")
    assert problems(audit) == (
        (
            "event 2: marked redacted without a redaction event (forged, or redacted before "
            "jisik bound redactions to the trail)"
        ),
    )


def test_find_returns_unredacted_events_by_content_or_actor(audit, db):
    audit.append("ask", "user:park", "t9", question="할인율 100% 적용?")
    assert [e.seq for e in audit.find(["질문 1"])] == [2]
    assert [e.seq for e in audit.find(["user:u3", "질문 4"])] == [4, 5]
    assert [e.seq for e in audit.find(["0%"])] == [6]  # % is a literal, not a wildcard
    assert audit.find(["", ""]) == [] and audit.find([]) == []
    found = audit.find(["user:park"])[0]
    assert found.as_json() == {
        "seq": 6,
        "at": row(db, 6)["at"],
        "action": "ask",
        "actor": "user:park",
        "trace_id": "t9",
        "payload": {"question": "할인율 100% 적용?", "actor": "user:park", "trace_id": "t9"},
        "redacted": False,
        "hash": row(db, 6)["hash"],
    }
    audit.redact([2], "erasure")
    assert audit.find(["질문 1"]) == []


def test_events_are_stamped_with_the_time_they_were_written(db):
    log = AuditLog(open_engine(sqlite_url(db)))
    before = time.time()
    log.append("search", "user:a", "", query="q")
    after = time.time()
    assert before - 1e-6 <= row(db, 1)["at"] <= after + 1e-6
    assert [e.seq for e in log.events(since=before - 1)] == [1]
    assert list(log.events(since=after + 10)) == []


def test_large_redactions_are_split_into_bound_batches(audit, db, monkeypatch):
    monkeypatch.setattr("jisik.audit.chain.REDACT_BATCH", 2)
    assert audit.redact([1, 2, 3, 4, 5], "retention") == 5
    redactions = [e for e in audit.events() if e.action == "audit.redact"]
    assert [[x["seq"] for x in e.payload["events"]] for e in redactions] == [[1, 2], [3, 4], [5]]
    assert audit.verify().ok


def test_a_wholesale_rewrite_reports_a_bounded_list(audit, db, monkeypatch):
    sql(db, "UPDATE audit_events SET action = 'x'")  # one problem per event: 5
    monkeypatch.setattr("jisik.audit.verify.MAX_PROBLEMS", 5)
    assert len(problems(audit)) == 5
    monkeypatch.setattr("jisik.audit.verify.MAX_PROBLEMS", 3)
    assert problems(audit)[3:] == ("... and 2 more problems",)


def test_checkpoints_need_the_home(audit):
    with pytest.raises(JisikError, match="without its home"):
        audit.export_checkpoint("cli:x")
    with pytest.raises(JisikError, match="without its home"):
        audit.reanchor("cli:x")


def test_retention_redacts_only_what_is_older_than_the_cutoff(db, monkeypatch):
    log = AuditLog(open_engine(sqlite_url(db)))
    log.append("ask", "user:a", "t1", question="오래된 질문")
    log.append("search", "user:a", "t2", query="오래된 검색")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 1.5 * 86_400)  # a day and a half later
    log.append("ask", "user:b", "t3", question="새 질문")
    result = prune(log, AnswerRegistry(log.engine), 1, 0, "cli:root")
    assert result["redacted_events"] == 2
    assert result["cutoff"] == pytest.approx(now + 0.5 * 86_400, abs=5)
    by_seq = {e.seq: e for e in log.events()}
    assert [s for s, e in by_seq.items() if e.redacted] == [1, 2]
    assert by_seq[1].payload["reason"] == "retention" and by_seq[3].payload["question"] == "새 질문"
    assert next(e.seq for e in log.events(since=row(db, 3)["at"])) == 3  # since is inclusive
    assert log.verify().ok
