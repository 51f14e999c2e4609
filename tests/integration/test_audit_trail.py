"""The service writes the audit trail and labels every answer."""

from __future__ import annotations

import sqlite3

from jisik.answer.labels import EXTRACTIVE
from jisik.audit.chain import AuditLog
from jisik.identity.store import IdentityStore
from jisik.index.base import PUBLIC
from jisik.privacy.policy import PolicyStore
from jisik.types import Requester


def test_answers_carry_every_label_and_are_registered(jisik, handbook):
    jisik.add([handbook])
    answer = jisik.ask("비밀번호는 몇 자 이상이어야 하나요?")
    assert answer.ai_generated and answer.digital_source_type == EXTRACTIVE
    assert answer.model.startswith("jisik/") and "extractive" in answer.model
    assert answer.generated_at.endswith("Z") and len(answer.trace_id) == 32
    assert answer.trace_id in {p.trace_id for p in jisik.answers.lookup(answer.text)}


def test_questions_and_changes_are_recorded_with_versions(jisik, handbook):
    jisik.add([handbook], actor="user:kim")
    who = Requester("user:lee", frozenset({PUBLIC}), "a" * 32)
    hits = jisik.search("연차 이월", k=3, who=who)
    answer = jisik.ask("연차는 이월되나요?", who=Requester("user:lee", frozenset({PUBLIC})))
    doc_id = hits[0].doc_id
    jisik.remove(doc_id, actor="user:kim")
    # With a home the trail also holds its first checkpoint's anchor (after event 1).
    events = [e for e in jisik.audit.events() if e.action != "audit.anchor"]
    assert [e.action for e in events] == ["documents.add", "search", "ask", "documents.remove"]
    add, search, ask, remove = events
    assert add.actor == "user:kim" and add.payload["added"] == 4
    assert search.actor == "user:lee" and search.trace_id == "a" * 32
    assert search.payload["query"] == "연차 이월"
    assert {s["doc_id"] for s in search.payload["sources"]} == {h.doc_id for h in hits}
    assert ask.trace_id == answer.trace_id
    assert ask.payload["question"] == "연차는 이월되나요?"
    assert len(ask.payload["answer_sha256"]) == 64
    versions = ask.payload["versions"]
    assert versions["answerer"] == answer.method and versions["analyzer"]
    assert remove.payload["doc_id"] == doc_id
    assert jisik.audit.verify().ok


def test_the_services_trail_is_anchored_in_its_home_and_redactions_stay_bound(jisik, handbook):
    jisik.add([handbook], actor="user:kim")
    jisik.ask("연차는 이월되나요?", who=Requester("user:lee", frozenset({PUBLIC})))
    anchored = AuditLog(jisik.engine, home=jisik.layout.root)
    anchored.append("audit.export", "cli:auditor", out=None)
    asked = [e.seq for e in anchored.events(actions=["ask"])]
    assert anchored.redact(asked, "erasure") == 1
    check = anchored.verify()
    assert check.ok, check.problems
    assert check.checkpoint_seq == check.events and check.unanchored == 0
    assert (jisik.layout.root / "audit-checkpoint.json").exists()
    jisik.search("비밀번호", k=1)  # the service's own log, with or without the home
    assert AuditLog(jisik.engine, home=jisik.layout.root).verify().ok


def test_every_append_of_the_service_and_its_stores_moves_the_signed_checkpoint(jisik, handbook):
    jisik.add([handbook], actor="user:kim")
    IdentityStore(jisik.engine, jisik.audit).add_group("hr", actor="user:kim")
    PolicyStore(jisik.engine, jisik.audit).set("phone", "mask", actor="user:kim")
    jisik.ask("연차는 이월되나요?", who=Requester("user:lee", frozenset({PUBLIC})))
    check = AuditLog(jisik.engine, home=jisik.layout.root).verify()
    assert check.ok, check.problems
    assert check.checkpoint_seq == check.events and check.unanchored == 0
    last = check.events
    with sqlite3.connect(jisik.layout.database) as db:  # an attacker drops the last question
        db.execute("DELETE FROM audit_events WHERE seq = ?", (last,))
    found = AuditLog(jisik.engine, home=jisik.layout.root).verify()
    assert not found.ok
    assert any(f"event {last}, the head it signed, is missing" in p for p in found.problems)


def test_answer_lookup_for_a_caller_sees_only_answers_given_to_that_caller(jisik, handbook):
    jisik.add([handbook])
    kim = Requester("user:kim", frozenset({PUBLIC}))
    answer = jisik.ask("비밀번호는 며칠마다 바꿔야 하나요?", who=kim)
    jisik.search("비밀번호", k=1, who=Requester("user:lee", frozenset({PUBLIC})))
    whole = jisik.answers.lookup(answer.text, produced_for="user:kim")
    assert [p.trace_id for p in whole] == [answer.trace_id] and whole[0].whole
    assert jisik.answers.lookup(answer.text, produced_for="user:lee") == []  # not lee's answer
    assert [p.trace_id for p in jisik.answers.lookup(answer.text)] == [answer.trace_id]
    sentence = answer.text.split("\n")[0]
    partial = jisik.answers.lookup(sentence + " 덧붙인 문장입니다.", produced_for="user:kim")
    assert partial and not partial[0].whole
    assert jisik.answers.lookup(sentence + " 덧붙인 문장입니다.", produced_for="user:lee") == []
