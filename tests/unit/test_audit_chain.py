"""The hash-chained audit trail and the answer registry, on a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from jisik.audit.chain import AuditLog
from jisik.audit.registry import AnswerRegistry
from jisik.audit.retention import prune
from jisik.errors import InvalidInputError
from jisik.store.database import migrate, open_engine, sqlite_url


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


def _sql(db: Path, statement: str, *args) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(statement, args)


def test_an_untouched_chain_verifies(audit):
    check = audit.verify()
    assert check.ok and check.events == 5 and not check.problems
    assert [e.payload["question"] for e in audit.events()] == [f"질문 {i}" for i in range(5)]


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            "UPDATE audit_events SET payload_json = replace(payload_json, '질문 2', '질문 9') "
            "WHERE seq = 3",
            "event 3: the content was changed",
        ),
        ("DELETE FROM audit_events WHERE seq = 2", "event 2 is missing"),
        ("UPDATE audit_events SET action = 'search' WHERE seq = 4", "event 4: its time or action"),
        ("UPDATE audit_events SET at = at - 100 WHERE seq = 1", "event 1: its time or action"),
        ("UPDATE audit_events SET actor = 'user:someone' WHERE seq = 5", "event 5: its user"),
        (
            "UPDATE audit_events SET redacted = 1 WHERE seq = 2",
            "event 2: marked redacted but holds content",
        ),
    ],
)
def test_every_kind_of_tampering_is_detected(audit, db, tamper, expected):
    _sql(db, tamper)
    check = audit.verify()
    assert not check.ok
    assert any(p.startswith(expected) for p in check.problems), check.problems


def test_reordering_is_detected(audit, db):
    # Swap the contents of events 2 and 3 (seq kept): the links no longer follow.
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT seq, at, action, actor, trace_id, payload_json, salt, payload_hash, hash "
            "FROM audit_events WHERE seq IN (2, 3) ORDER BY seq"
        ).fetchall()
        connection.execute("UPDATE audit_events SET prev_hash = prev_hash || 'x'")
        for (seq, *_), (_, *content) in zip(rows, reversed(rows), strict=True):
            connection.execute(
                "UPDATE audit_events SET at=?, action=?, actor=?, trace_id=?, payload_json=?, "
                "salt=?, payload_hash=?, hash=? WHERE seq=?",
                (*content, seq),
            )
    assert not audit.verify().ok


def test_redaction_removes_content_and_keeps_the_chain_valid(audit, db):
    assert audit.redact([2, 3], "erasure") == 2
    check = audit.verify()
    assert check.ok, check.problems
    redacted = [e for e in audit.events() if e.redacted]
    assert [e.seq for e in redacted] == [2, 3]
    assert all(e.actor == "" and "질문" not in str(e.payload) for e in redacted)
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump())
    assert "질문 1" not in dump and "user:u1" not in dump
    assert audit.find(["질문 1", "u2"]) == []


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
    answer = "신입사원은 입사 첫해에 매달 1일의 유급휴가를 받습니다. 2년차부터는 연 15일이 부여됩니다."
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
    kept = [e for e in audit.events() if not e.redacted]
    assert [e.action for e in kept] == ["admin.users.add", "audit.prune"]
    assert audit.verify().ok
