"""PII policies applied at ingest (never stored in clear) and at output (per reader)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jisik.index.base import PUBLIC
from jisik.privacy.guard import BlockedByPolicyError
from jisik.privacy.policy import PolicyStore
from jisik.service import Jisik
from jisik.types import Requester

RRN = "900101-1234568"  # valid date; the old check digit is not required
CARD = "4111-1111-1111-1111"
PHONE = "010-2345-6789"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _doc(jisik: Jisik, name: str):
    info = next(d for d in jisik.documents() if d.source.endswith(name))
    return jisik.document(info.doc_id)


PERSON = (
    "# 인사 기록\n\n김민준 사원의 주민등록번호는 {rrn}이고 법인카드 번호는 {card}입니다. "
    "연락처는 {phone}로 문의하세요.\n"
)


def test_default_policy_masks_identifiers_everywhere_they_are_stored(jisik, tmp_path):
    path = _write(tmp_path / "docs", "person.md", PERSON.format(rrn=RRN, card=CARD, phone=PHONE))
    assert jisik.add([path]).added == 1
    info, text = _doc(jisik, "person.md")
    assert RRN not in text and CARD not in text and PHONE in text  # phones are allowed
    assert "[주민등록번호]" in text and "[카드번호]" in text
    assert info.pii["rrn"] == {"found": 1, "action": "mask"}
    assert info.pii["phone"] == {"found": 1, "action": "allow"}
    event = next(e for e in jisik.audit.events() if e.action == "documents.add")
    assert event.payload["pii_actions"]["rrn"] == {"mask": 1}  # PII actions are audited
    chunks = [
        c.text
        for c in jisik.records.chunks_of_version(jisik.records.active_version(info.doc_id).id)
    ]
    assert all(RRN not in c and "1234568" not in c for c in chunks)
    _, frequencies = jisik.index.document_frequencies(["900101", "1234568", "4111"])
    assert set(frequencies.values()) == {0}
    assert jisik.search("900101-1234568", k=5) == [] or all(
        RRN not in h.text for h in jisik.search("900101-1234568", k=5)
    )


def test_pseudonyms_are_stable_and_hide_the_value(jisik, tmp_path):
    PolicyStore(jisik.engine).set("phone", "pseudonymize")
    a = _write(tmp_path / "docs", "a.md", f"# 가\n\n담당자 전화는 {PHONE}입니다.\n")
    b = _write(tmp_path / "docs", "b.md", f"# 나\n\n문의: {PHONE}로 연락 바랍니다.\n")
    jisik.add([a, b])
    text_a, text_b = _doc(jisik, "a.md")[1], _doc(jisik, "b.md")[1]
    assert PHONE not in text_a + text_b
    token = text_a[text_a.index("[전화번호-") :].split("]")[0]
    assert token in text_b  # the same number, the same pseudonym: still linkable


def test_a_blocked_type_refuses_the_file_and_keeps_the_batch(jisik, tmp_path):
    PolicyStore(jisik.engine).set("rrn", "block")
    bad = _write(tmp_path / "docs", "bad.md", PERSON.format(rrn=RRN, card=CARD, phone=PHONE))
    good = _write(tmp_path / "docs", "good.md", "# 안내\n\n사내 식당은 12시에 엽니다.\n")
    report = jisik.add([bad, good])
    assert report.added == 1 and len(report.failed) == 1
    assert "주민등록번호" in report.failed[0].error and "policy" in report.failed[0].error


def test_group_policies_decide_storage_and_each_reader_sees_their_own(jisik, tmp_path):
    policies = PolicyStore(jisik.engine)
    policies.set("rrn", "allow", group="hr")
    policies.set("rrn", "block")  # for everyone else: never shown
    path = _write(tmp_path / "docs", "person.md", PERSON.format(rrn=RRN, card=CARD, phone=PHONE))
    jisik.add([path], groups=["hr", "finance"])  # hr allows, so it is stored in clear
    assert RRN in _doc(jisik, "person.md")[1]
    hr = Requester("user:hr", frozenset({PUBLIC, "hr"}))
    finance = Requester("user:finance", frozenset({PUBLIC, "finance"}))
    question = "김민준 사원의 주민등록번호는 무엇인가요?"
    assert RRN in jisik.ask(question, who=hr).text
    withheld = jisik.ask(question, who=finance)
    assert RRN not in withheld.text and withheld.abstained and not withheld.citations
    assert "주민등록번호" in withheld.text
    hits = jisik.search("김민준 주민등록번호", k=3, who=finance)
    assert hits and all(RRN not in h.text for h in hits)
    assert any(RRN in h.text for h in jisik.search("김민준 주민등록번호", k=3, who=hr))
    # Regrouping for everyone applies the home policy to the stored text: it
    # blocks resident numbers, so the change is refused and nothing moves.
    doc_id = _doc(jisik, "person.md")[0].doc_id
    with pytest.raises(BlockedByPolicyError, match="주민등록번호"):
        jisik.set_groups(doc_id, [])
    assert jisik.document(doc_id)[0].groups == ("finance", "hr")
    policies.set("rrn", "mask")
    jisik.set_groups(doc_id, [])
    info, text = jisik.document(doc_id)
    assert RRN not in text and "[주민등록번호]" in text and info.pii["rrn"]["action"] == "mask"
    assert jisik.originals.find(info) is None  # the clear original is never served
